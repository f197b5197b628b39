//! The command line: `edgewire [FILE]` opens the app, `edgewire <COMMAND>` runs a tool.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Termination};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use edgewire_engine::validate::Diagnostics;

mod diagram;
mod export;
mod fmt;
mod generate;
mod import;
mod openapi;
mod scenario;
mod serve;
mod simulate;
mod validate;

/// Design, run, simulate and export serverless global APIs on Cloudflare.
#[derive(Debug, Parser)]
#[command(
    name = "edgewire",
    version,
    about,
    long_about = "Design, run, simulate and export serverless global APIs on Cloudflare.\n\n\
        With no command (or with a design file) Edgewire opens the desktop designer. With a \
        command it works as a command-line tool on design files (`.ron`).",
    after_help = "Examples:\n  \
        edgewire examples/global-api.ron            # open a design in the app\n  \
        edgewire validate examples/global-api.ron   # report problems like a compiler\n  \
        edgewire fmt --check examples/*.ron         # check files are in canonical form"
)]
pub struct Cli {
    /// A design file to open in the desktop app.
    pub file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Validate(validate::Args),
    Fmt(fmt::Args),
    Simulate(simulate::Args),
    Serve(serve::Args),
    Scenario(scenario::Args),
    Export(export::Args),
    Diagram(diagram::Args),
    Openapi(openapi::Args),
    Import(import::Args),
    Generate(generate::Args),
}

/// Parse arguments and run; the process exit code follows the subcommand's result.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => validate::run(&args),
        Some(Command::Fmt(args)) => fmt::run(&args),
        Some(Command::Simulate(args)) => simulate::run(&args),
        Some(Command::Serve(args)) => serve::run(&args),
        Some(Command::Scenario(args)) => scenario::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Diagram(args)) => diagram::run(&args),
        Some(Command::Openapi(args)) => openapi::run(&args),
        Some(Command::Import(args)) => import::run(&args),
        Some(Command::Generate(args)) => generate::run(&args),
        None => match crate::ui::launch(cli.file) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("edgewire: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// A command's exit code: its own on success (`()` is success), failure after the error is
/// printed.
fn exit_code(result: anyhow::Result<impl Termination>) -> ExitCode {
    match result {
        Ok(value) => value.report(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// A design file in, text out: into `--out`, or onto standard output.
#[derive(Debug, clap::Args)]
pub struct TextOut {
    /// The design file (`.ron`).
    pub file: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

impl TextOut {
    /// Whether `--out` ends in one of `extensions`, in any case.
    fn out_ends_in(&self, extensions: &[&str]) -> bool {
        self.out
            .as_ref()
            .and_then(|out| out.extension())
            .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
    }

    /// Write `text` into `--out` (and say so on standard error), or onto standard output.
    fn write(&self, text: &str) -> anyhow::Result<()> {
        match &self.out {
            Some(out) => {
                edgewire_engine::format::write_atomic(out, text.as_bytes())
                    .with_context(|| format!("writing {}", out.display()))?;
                eprintln!("wrote {}", out.display());
            }
            None => print!("{text}"),
        }
        Ok(())
    }
}

/// Print the errors of `diagnostics` of the design at `path`, one a line, each with its help.
fn print_errors(path: &Path, diagnostics: &Diagnostics) {
    for diagnostic in diagnostics.errors() {
        eprintln!(
            "{}: {} [{}] {}: {}",
            path.display(),
            diagnostic.severity,
            diagnostic.code,
            diagnostic.target,
            diagnostic.message
        );
        if let Some(help) = &diagnostic.help {
            eprintln!("  help: {help}");
        }
    }
}
