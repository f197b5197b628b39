//! `edgewire diagram FILE [--format mermaid|svg] [--out FILE]`: the design as a Mermaid
//! flowchart or an SVG picture.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use edgewire_engine::{diagram, format};

/// Write the design as a diagram: a Mermaid flowchart or an SVG picture.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Write the design as a diagram.\n\n\
        mermaid (the default): a flowchart that GitHub, GitLab, Notion and most Markdown \
        tools draw from a fenced ```mermaid block. Nodes are labelled with their id and kind \
        and shaped by kind; wires are arrows labelled with their binding. Notes are left \
        out.\n\n\
        svg: the canvas as a picture for documents and slides (light theme), cards and \
        wires where the designer draws them. It is the default when --out ends in .svg.",
    after_help = "Examples:\n  \
        edgewire diagram examples/global-api.ron\n  \
        edgewire diagram examples/global-api.ron --out docs/architecture.mmd\n  \
        edgewire diagram examples/global-api.ron --out docs/architecture.svg"
)]
pub struct Args {
    /// The design file (`.ron`).
    pub file: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// The diagram's format (default: svg when --out ends in .svg, else mermaid).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Svg,
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
    let svg_out = args.out.as_ref().is_some_and(|out| {
        out.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    });
    let chart = match args.format {
        Some(Format::Svg) => crate::ui::svg::design_svg(&design),
        None if svg_out => crate::ui::svg::design_svg(&design),
        Some(Format::Mermaid) | None => diagram::mermaid(&design),
    };
    match &args.out {
        Some(out) => {
            std::fs::write(out, chart).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{chart}"),
    }
    Ok(())
}
