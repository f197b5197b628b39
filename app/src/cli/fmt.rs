//! `edgewire fmt`.

use std::process::ExitCode;

/// Placeholder: filled in by the CLI work.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Design files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: &Args) -> ExitCode {
    ExitCode::SUCCESS
}
