//! `edgewire serve FILE`: run a design locally over HTTP on 127.0.0.1.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use edgewire_engine::runtime::{Engine, EngineOptions, Fault, default_state_dir};
use edgewire_engine::simulate::{Geography, Layout};
use edgewire_engine::{Design, format, secrets, validate};

/// Run a design locally: its gateway, Workers, KV, D1 and Hyperdrive, on 127.0.0.1.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file.
    pub file: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// State folder (KV, D1 and PostgreSQL files); default `.edgewire/<stem>/` beside the design.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Delete the state first (KV, D1 and PostgreSQL start from their seeds).
    #[arg(long)]
    pub fresh: bool,
    /// Secrets file (wrangler's `.dev.vars` format); default `<stem>.dev.vars` beside the design.
    #[arg(long)]
    pub vars: Option<PathBuf>,
    /// Emulate clients in this region (`ap-southeast`, `eu-west`, ...): every hop waits the
    /// network time the simulator gives it (client to edge, D1 primary or replica, Hyperdrive
    /// origin or cache). Without it, nothing waits.
    #[arg(long, value_name = "REGION")]
    pub from: Option<String>,
    /// With `--from`: the design at the edge (`global`) or all in one region
    /// (`single-region:REGION`).
    #[arg(long, default_value = "global", requires = "from")]
    pub layout: String,
    /// Make a node misbehave: `NODE=slow:MS`, `NODE=error` or `NODE=down` (repeatable). Set
    /// and clear faults while running with `POST /__edgewire/faults`
    /// (`{"node": "orders-db", "fault": "down"}`, `"fault": null` clears) and
    /// `DELETE /__edgewire/faults`.
    #[arg(long = "fault", value_name = "NODE=FAULT", value_parser = parse_fault)]
    pub faults: Vec<(String, Fault)>,
    /// With `--from`: the seed of the client-to-edge draws.
    #[arg(long, default_value_t = 1, requires = "from")]
    pub seed: u64,
}

fn parse_fault(text: &str) -> Result<(String, Fault), String> {
    Fault::parse_assignment(text)
}

pub fn run(args: &Args) -> ExitCode {
    init_logging();
    super::exit_code(serve(args))
}

/// Logs go to stderr; `RUST_LOG` overrides the default level (`info`).
pub fn init_logging() {
    init_logging_at("info");
}

/// Only warnings and errors (the scenario's own output is the report).
pub fn init_logging_quiet() {
    init_logging_at("warn");
}

fn init_logging_at(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Load a design and refuse it when validation finds errors (they are printed).
pub fn load_valid_design(path: &Path) -> anyhow::Result<Option<Design>> {
    let design = format::load(path)?;
    let diagnostics = validate::validate(&design);
    if diagnostics.has_errors() {
        super::print_errors(path, &diagnostics);
        eprintln!(
            "{} has {} error(s); fix them before running it",
            path.display(),
            diagnostics.count(validate::Severity::Error)
        );
        return Ok(None);
    }
    Ok(Some(design))
}

/// Secrets from `--vars FILE`, else from `<stem>.dev.vars` beside the design when present.
pub fn load_vars(
    design_path: &Path,
    vars: Option<&Path>,
) -> anyhow::Result<BTreeMap<String, String>> {
    let secrets = match vars {
        Some(path) => secrets::load(path)?,
        None => secrets::load_beside(design_path)?,
    };
    Ok(secrets.into_map())
}

/// Ctrl+C, or SIGTERM on Unix (service managers, scripts).
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot listen for SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("cannot listen for Ctrl+C"),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl+C")
    }
}

fn serve(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(design) = load_valid_design(&args.file)? else {
        return Ok(ExitCode::FAILURE);
    };
    let mut options = EngineOptions::new(
        args.state
            .clone()
            .unwrap_or_else(|| default_state_dir(&args.file)),
    );
    options.port = args.port;
    options.fresh = args.fresh;
    options.secrets = load_vars(&args.file, args.vars.as_deref())?;
    options.faults.clone_from(&args.faults);
    if let Some(from) = &args.from {
        let layout = Layout::parse(&args.layout)?;
        let geography = Geography::new(&design, from, &layout, args.seed)?;
        println!("emulating clients in {from}, the design laid out {layout}");
        options.geography = Some(std::sync::Arc::new(geography));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let code_notice = edgewire_engine::runtime::code_worker_notice(&design);
    runtime.block_on(async move {
        let running = Engine::start(design, options).await?;
        println!("{} is running on {}", args.file.display(), running.url());
        for (id, url) in running.entry_urls() {
            println!("  {id}: {url}");
        }
        println!(
            "  traces: {}/__edgewire/traces (live: /__edgewire/events)",
            running.url()
        );
        if let Some(notice) = &code_notice {
            println!("  {notice}");
        }
        println!("Press Ctrl+C to stop.");
        // Hyperdrive origins start in the background; say when they are ready (or not).
        let engine = running.engine().clone();
        let notices = tokio::spawn(async move {
            engine.ready().await;
            for (node, message) in engine.notices() {
                tracing::info!("{node}: {message}");
            }
        });
        shutdown_signal().await?;
        println!("stopping...");
        running.stop().await?;
        notices.abort();
        println!("stopped");
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
