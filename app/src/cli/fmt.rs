//! `edgewire fmt`: rewrite design files in canonical form.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use edgewire_engine::format;

use super::validate::Problem;

/// Rewrite design files in canonical form (sorted, stable formatting).
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Rewrite design files in canonical form.\n\n\
        The canonical form is what the app saves: nodes sorted by id, wires by (from, to), the \
        layout by id, four-space indentation. It diffs well in git. Files are replaced \
        atomically; a file that does not parse is left untouched.\n\n\
        Exit status: 0 when every file is (now) canonical, 1 with --check when some file is \
        not, 2 when a file cannot be read or parsed.",
    after_help = "Examples:\n  \
        edgewire fmt examples/*.ron\n  \
        edgewire fmt --check examples/*.ron   # in CI: list files that need formatting"
)]
pub struct Args {
    /// Design files (`.ron`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Change nothing; list the files that are not canonical and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// What formatting one file found.
enum Outcome {
    Canonical,
    /// Not canonical; rewritten unless checking.
    Changed,
    Failed(Problem),
}

pub fn run(args: &Args) -> ExitCode {
    let mut failed = false;
    let mut changed = false;
    for file in &args.files {
        match format_file(file, args.check) {
            Outcome::Canonical => {}
            Outcome::Changed => {
                changed = true;
                if args.check {
                    println!("{}: not in canonical form", file.display());
                } else {
                    println!("{}: formatted", file.display());
                }
            }
            Outcome::Failed(problem) => {
                failed = true;
                eprint!("{}", problem.text());
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else if changed && args.check {
        eprintln!("run `edgewire fmt FILE...` to rewrite them");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn format_file(file: &Path, check: bool) -> Outcome {
    let text = match format::read_text(file) {
        Ok(text) => text,
        Err(err) => return Outcome::Failed(Problem::from_file_error(file, err)),
    };
    let design = match format::parse(&text) {
        Ok(design) => design,
        Err(mut err) => {
            err.path = Some(file.to_owned());
            return Outcome::Failed(Problem::from_file_error(file, format::FileError::Load(err)));
        }
    };
    let canonical = format::to_string(&design);
    if canonical == text {
        return Outcome::Canonical;
    }
    if !check && let Err(err) = format::write_atomic(file, canonical.as_bytes()) {
        return Outcome::Failed(Problem::from_file_error(file, err));
    }
    Outcome::Changed
}
