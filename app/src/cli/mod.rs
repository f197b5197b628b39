//! The command line: `edgewire [FILE]` opens the app, `edgewire <COMMAND>` runs a tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod diagram;
mod export;
mod fmt;
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
        None => match crate::ui::launch(cli.file) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("edgewire: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}
