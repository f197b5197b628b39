//! `edgewire diagram FILE [--format mermaid|svg|png] [--out FILE] [--scale N]`: the design as
//! a Mermaid flowchart, an SVG picture or a PNG of it.

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
        wires where the designer draws them. It is the default when --out ends in .svg.\n\n\
        png: the same picture as an image, at --scale pixels per unit (default 2), drawn \
        with the fonts the app ships. It needs --out, and is the default when --out ends \
        in .png.",
    after_help = "Examples:\n  \
        edgewire diagram examples/global-api.ron\n  \
        edgewire diagram examples/global-api.ron --out docs/architecture.mmd\n  \
        edgewire diagram examples/global-api.ron --out docs/architecture.svg\n  \
        edgewire diagram examples/global-api.ron --out slides/architecture.png --scale 3"
)]
pub struct Args {
    #[command(flatten)]
    pub io: super::TextOut,
    /// The diagram's format (default: svg when --out ends in .svg, else mermaid).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Pixels per picture unit for PNG (1 to 8).
    #[arg(long, default_value_t = 2.0)]
    pub scale: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Svg,
    Png,
}

pub fn run(args: &Args) -> ExitCode {
    super::exit_code(write_diagram(args))
}

fn write_diagram(args: &Args) -> anyhow::Result<()> {
    let design = format::load(&args.io.file)?;
    let png = args.format == Some(Format::Png)
        || (args.format.is_none() && args.io.out_ends_in(&["png"]));
    if png {
        let Some(out) = &args.io.out else {
            anyhow::bail!("a PNG is not text: write it to a file with --out FILE.png");
        };
        let svg = crate::ui::svg::design_svg(&design);
        let bytes = crate::ui::png::svg_to_png(&svg, args.scale).map_err(anyhow::Error::msg)?;
        edgewire_engine::format::write_atomic(out, &bytes)
            .map_err(|err| anyhow::anyhow!("writing {}: {err}", out.display()))?;
        eprintln!("wrote {}", out.display());
        return Ok(());
    }
    let chart = match args.format {
        Some(Format::Svg) => crate::ui::svg::design_svg(&design),
        None if args.io.out_ends_in(&["svg"]) => crate::ui::svg::design_svg(&design),
        Some(Format::Mermaid | Format::Png) | None => diagram::mermaid(&design),
    };
    args.io.write(&chart)
}
