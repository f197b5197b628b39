//! `edgewire diagram FILE [--format mermaid|svg] [--out FILE]`: the design as a Mermaid
//! flowchart or an SVG picture.

use std::process::ExitCode;

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
    #[command(flatten)]
    pub io: super::TextOut,
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
    super::exit_code(write_diagram(args))
}

fn write_diagram(args: &Args) -> anyhow::Result<()> {
    let design = format::load(&args.io.file)?;
    let chart = match args.format {
        Some(Format::Svg) => crate::ui::svg::design_svg(&design),
        None if args.io.out_ends_in(&["svg"]) => crate::ui::svg::design_svg(&design),
        Some(Format::Mermaid) | None => diagram::mermaid(&design),
    };
    args.io.write(&chart)
}
