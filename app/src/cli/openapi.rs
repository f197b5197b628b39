//! `edgewire openapi FILE [--out FILE] [--format json|yaml]`: the OpenAPI 3.1 document of
//! what clients of the design see.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use edgewire_engine::{format, openapi};

/// Write the OpenAPI 3.1 document of the design's public API.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Write the OpenAPI 3.1 document of what clients of the design see.\n\n\
        Operations are the public Workers' own routes and each gateway's routes mapped \
        through to the Worker routes behind them, with the gateway's security scheme and its \
        own 401/403/413/429 answers. Route contracts give typed parameters, request bodies, \
        responses and the 400 answer of an invalid request; the Clients' scenario requests \
        give examples; named schemas become components.",
    after_help = "Examples:\n  \
        edgewire openapi examples/global-api.ron\n  \
        edgewire openapi examples/global-api.ron --out openapi.yaml"
)]
pub struct Args {
    /// The design file (`.ron`).
    pub file: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// The document's format (default: yaml when --out ends in .yaml or .yml, else json).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Yaml,
}

pub fn run(args: &Args) -> ExitCode {
    match write_document(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn write_document(args: &Args) -> anyhow::Result<()> {
    let design = format::load(&args.file)?;
    let document = openapi::document(&design);
    let yaml_out = args.out.as_ref().is_some_and(|out| {
        out.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
    });
    let text = match args.format {
        Some(Format::Yaml) => serde_yaml_ng::to_string(&document)?,
        None if yaml_out => serde_yaml_ng::to_string(&document)?,
        Some(Format::Json) | None => {
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            text
        }
    };
    match &args.out {
        Some(out) => {
            edgewire_engine::format::write_atomic(out, text.as_bytes())
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
