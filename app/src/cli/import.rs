//! `edgewire import openapi SPEC --out DESIGN.ron`: a design from an existing API description.

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
    let Source::Openapi(args) = &args.source;
    super::exit_code(import_openapi(args))
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
