//! `edgewire openapi FILE [--out FILE] [--format json|yaml]`: the OpenAPI 3.1 document of
//! what clients of the design see.

use std::process::ExitCode;

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
    #[command(flatten)]
    pub io: super::TextOut,
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
    super::exit_code(write_document(args))
}

fn write_document(args: &Args) -> anyhow::Result<()> {
    let design = format::load(&args.io.file)?;
    let document = openapi::document(&design);
    let text = match args.format {
        Some(Format::Yaml) => serde_yaml_ng::to_string(&document)?,
        None if args.io.out_ends_in(&["yaml", "yml"]) => serde_yaml_ng::to_string(&document)?,
        Some(Format::Json) | None => {
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            text
        }
    };
    args.io.write(&text)
}
