//! The command line: `edgewire [FILE]` opens the app, `edgewire <COMMAND>` runs a tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod fmt;
mod validate;

/// Design, run, simulate and export serverless global APIs on Cloudflare.
#[derive(Debug, Parser)]
#[command(name = "edgewire", version, about, long_about = None)]
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
}

/// Parse arguments and run; the process exit code follows the subcommand's result.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => validate::run(&args),
        Some(Command::Fmt(args)) => fmt::run(&args),
        None => match crate::ui::launch(cli.file) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("edgewire: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}
