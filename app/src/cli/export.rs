//! `edgewire export FILE --out DIR [--force]`: write the design as a multi-Worker Wrangler
//! project.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use edgewire_engine::export::{self, ExportError};
use edgewire_engine::format;

/// Export a design as a multi-Worker Wrangler project (one folder per Worker).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (`.ron`).
    pub file: PathBuf,
    /// The folder to write the project into.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Write into a folder that is not empty (files of the export are overwritten).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &Args) -> ExitCode {
    match export_design(args) {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn export_design(args: &Args) -> anyhow::Result<String> {
    let started = Instant::now();
    let design = format::load(&args.file)?;
    let tree = match export::export(&design) {
        Ok(tree) => tree,
        Err(ExportError::Invalid(diagnostics)) => {
            super::print_errors(&args.file, &diagnostics);
            anyhow::bail!(
                "not exported: {} has {} validation error(s)",
                args.file.display(),
                diagnostics.errors().count()
            );
        }
        Err(error) => {
            return Err(error).with_context(|| format!("exporting {}", args.file.display()));
        }
    };
    export::write_tree(&tree, &args.out, args.force)
        .with_context(|| format!("writing the project into {}", args.out.display()))?;
    let design_dir = args.file.parent().unwrap_or(std::path::Path::new(""));
    let copied = export::copy_code(&design, design_dir, &args.out)
        .with_context(|| format!("copying code Workers into {}", args.out.display()))?;
    for folder in &copied {
        eprintln!("copied code Worker {folder}/ unchanged");
    }
    Ok(format!(
        "exported {} files to {} in {} ms; next: cd {} && npm install && npm run dev",
        tree.files.len(),
        args.out.display(),
        started.elapsed().as_millis(),
        args.out.display()
    ))
}
