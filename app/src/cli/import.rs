//! `edgewire import openapi SPEC --out DESIGN.ron`: a design from an existing API description.
//! `edgewire import wrangler PATH... --out DESIGN.ron`: a design from existing Workers projects.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use edgewire_engine::openapi::import;
use edgewire_engine::{format, validate};

/// Make a design from something that exists already.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(Debug, clap::Subcommand)]
pub enum Source {
    Openapi(OpenapiArgs),
    Wrangler(WranglerArgs),
}

/// Import existing Workers projects (wrangler.toml, wrangler.json, wrangler.jsonc) as a design.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Import existing Workers projects as a design.\n\n\
        Each PATH is a folder, searched for wrangler.toml, wrangler.json and wrangler.jsonc \
        (node_modules, .wrangler and dist are skipped), or one such file. Each configuration \
        becomes a code Worker (its code stays where it is); KV namespaces, D1 databases (with \
        their migrations) and Hyperdrive configurations become stores, shared when several \
        Workers bind the same one; service bindings become wires; Workers the internet reaches \
        get a Client. Rate limits and bindings Edgewire does not model become notes and \
        warnings. A folder exported by Edgewire (it holds edgewire.ron) comes back as its \
        design, with changes made to the configurations since applied.\n\n\
        Exit status: 0 when everything was read, 1 when some configuration could not be read \
        (the rest is imported), 2 when nothing could be imported.",
    after_help = "Examples:\n  \
        edgewire import wrangler ./my-monorepo --out design.ron\n  \
        edgewire import wrangler api/wrangler.toml auth/wrangler.jsonc --out design.ron --env staging"
)]
pub struct WranglerArgs {
    /// Folders to search, or configuration files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The design file to write (`.ron`); it must not exist unless --force is given.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Merge this environment (`[env.NAME]`) into each configuration, as `wrangler --env` does.
    #[arg(long)]
    pub env: Option<String>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Import an OpenAPI 3.0 or 3.1 document (JSON or YAML) as a design.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Import an OpenAPI 3.0 or 3.1 document (JSON or YAML) as a design.\n\n\
        The design has a Client whose scenario sends one request per operation (from the \
        document's examples), a gateway with the document's security scheme (an API key in a \
        header, or a bearer JWT), one Worker per tag (per first path segment when untagged) \
        with one route per operation, the contracts and named schemas, and steps that answer \
        with the example response (501 where there is none). Operations with `security: []` \
        go to a public Worker. What Edgewire does not model is listed as a warning.",
    after_help = "Examples:\n  \
        edgewire import openapi petstore.yaml --out petstore.ron\n  \
        edgewire openapi examples/global-api.ron --out api.json && edgewire import openapi api.json --out again.ron"
)]
pub struct OpenapiArgs {
    /// The OpenAPI document (`.json`, `.yaml` or `.yml`).
    pub spec: PathBuf,
    /// The design file to write (`.ron`); it must not exist unless --force is given.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &Args) -> ExitCode {
    match &args.source {
        Source::Openapi(args) => super::exit_code(import_openapi(args)),
        Source::Wrangler(args) => import_wrangler(args),
    }
}

/// Exit status when nothing could be imported (no configuration, none readable).
const NOTHING_IMPORTED: u8 = 2;

fn import_wrangler(args: &WranglerArgs) -> ExitCode {
    if args.out.exists() && !args.force {
        eprintln!(
            "error: {} exists; choose another --out or add --force to replace it",
            args.out.display()
        );
        return ExitCode::from(NOTHING_IMPORTED);
    }
    let started = Instant::now();
    let imported = match crate::ui::import::wrangler(&args.paths, args.env.clone(), &args.out) {
        Ok(imported) => imported,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(NOTHING_IMPORTED);
        }
    };
    let elapsed = started.elapsed();
    if let Err(err) = format::save(&args.out, &imported.design) {
        eprintln!("error: writing {}: {err}", args.out.display());
        return ExitCode::from(NOTHING_IMPORTED);
    }
    let summary = &imported.summary;
    eprint!("{}", summary.render());
    let diagnostics = validate::validate(&imported.design);
    eprintln!(
        "wrote {} in {:.0} ms; validation: {} error(s), {} warning(s)",
        args.out.display(),
        elapsed.as_secs_f64() * 1000.0,
        diagnostics.errors().count(),
        diagnostics
            .iter()
            .filter(|d| d.severity == validate::Severity::Warning)
            .count(),
    );
    if summary.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn import_openapi(args: &OpenapiArgs) -> anyhow::Result<()> {
    if args.out.exists() && !args.force {
        anyhow::bail!(
            "{} exists; choose another --out or add --force to replace it",
            args.out.display()
        );
    }
    let text = std::fs::read_to_string(&args.spec)
        .with_context(|| format!("reading {}", args.spec.display()))?;
    let started = Instant::now();
    let name = args.spec.file_stem().map_or_else(
        || "Imported API".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let imported = import::import(&text, &name)
        .map_err(|err| anyhow::anyhow!("{}: {err}", args.spec.display()))?;
    let mut design = imported.design;
    let tidy = crate::ui::ops::tidy_up(&design);
    design
        .apply(&tidy)
        .map_err(|err| anyhow::anyhow!("laying out the design: {err}"))?;
    let elapsed = started.elapsed();
    format::save(&args.out, &design).with_context(|| format!("writing {}", args.out.display()))?;
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    let workers = design
        .nodes
        .iter()
        .filter(|n| n.kind.kind() == edgewire_engine::Kind::Worker)
        .count();
    let diagnostics = validate::validate(&design);
    eprintln!(
        "imported {} operation(s) into {workers} Worker(s) in {:.0} ms: {}; {} warning(s) above; validation: {} error(s), {} warning(s)",
        imported.operations,
        elapsed.as_secs_f64() * 1000.0,
        args.out.display(),
        imported.warnings.len(),
        diagnostics.errors().count(),
        diagnostics
            .iter()
            .filter(|d| d.severity == validate::Severity::Warning)
            .count(),
    );
    Ok(())
}
