//! `edgewire diagram FILE [--out FILE]`: the design as a Mermaid flowchart.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use edgewire_engine::{diagram, format};

/// Write the design as a Mermaid flowchart (for READMEs, wikis and slides).
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Write the design as a Mermaid flowchart.\n\n\
        GitHub, GitLab, Notion and most Markdown tools draw Mermaid from a fenced \
        ```mermaid block. Nodes are labelled with their id and kind and shaped by kind; \
        wires are arrows labelled with their binding. Notes are left out.",
    after_help = "Examples:\n  \
        edgewire diagram examples/global-api.ron\n  \
        edgewire diagram examples/global-api.ron --out docs/architecture.mmd"
)]
pub struct Args {
    /// The design file (`.ron`).
    pub file: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    match write_diagram(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn write_diagram(args: &Args) -> anyhow::Result<()> {
    let design = format::load(&args.file)?;
    let chart = diagram::mermaid(&design);
    match &args.out {
        Some(out) => {
            std::fs::write(out, chart).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{chart}"),
    }
    Ok(())
}
