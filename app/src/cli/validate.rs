//! `edgewire validate`: check design files and report problems like a compiler.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use edgewire_engine::Design;
use edgewire_engine::format::{self, FileError, LoadError};
use edgewire_engine::secrets;
use edgewire_engine::validate::{self, Diagnostic, Diagnostics, Severity};
use serde_json::{Value, json};

/// Check design files and report every problem.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Check design files and report every problem.\n\n\
        Each file is loaded (syntax, field names, ids and wires are checked on the way), then \
        every validation rule runs over it. Secret names are read from the `.dev.vars` file \
        beside each design (`api.ron` -> `api.dev.vars`), never their values.\n\n\
        Exit status: 0 when no file has errors (warnings are fine), 1 when some file has \
        errors, 2 when a file cannot be read or parsed.",
    after_help = "Examples:\n  \
        edgewire validate examples/global-api.ron\n  \
        edgewire validate examples/*.ron --format json"
)]
pub struct Args {
    /// Design files (`.ron`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output for people (`text`) or for tools (`json`: an array with one object per file).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Apply every safe fix (a problem with exactly one remedy), write each changed file in
    /// canonical form, print what changed, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the changes without writing anything.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// What validating one file gave.
enum Outcome {
    Checked(Diagnostics),
    /// The design or its secrets file could not be read or parsed.
    Failed(Problem),
}

/// A file that could not be read or parsed, ready to print.
pub(super) struct Problem(LoadError);

impl Problem {
    pub(super) fn from_file_error(file: &Path, err: FileError) -> Self {
        match err {
            FileError::Load(mut err) => {
                err.path.get_or_insert_with(|| file.to_owned());
                Self(err)
            }
            FileError::Io { path, cause } => {
                Self::without_location(path, format!("cannot read the file: {cause}"), None)
            }
        }
    }

    fn without_location(file: PathBuf, message: String, help: Option<String>) -> Self {
        Self(LoadError {
            path: Some(file),
            location: None,
            message,
            help,
            source_line: None,
        })
    }

    /// The compiler-style text: `error: ...`, `  --> file:line:column`, the line, the help.
    pub(super) fn text(&self) -> String {
        self.0.render()
    }

    /// `{file, error: {path, line, column, message, help}}`; `path` is the file the error is
    /// in: the design, or the secrets file beside it.
    fn json(&self, file: &Path) -> Value {
        json!({
            "file": file.display().to_string(),
            "error": {
                "path": self.0.path.as_ref().map(|p| p.display().to_string()),
                "line": self.0.location.map(|at| at.line),
                "column": self.0.location.map(|at| at.column),
                "message": self.0.message,
                "help": self.0.help,
            },
        })
    }
}

pub fn run(args: &Args) -> ExitCode {
    if args.fix {
        for file in &args.files {
            if let Err(problem) = fix_file(file, args.dry_run) {
                eprint!("{}", problem.text());
                return ExitCode::from(2);
            }
        }
    }
    let outcomes: Vec<(PathBuf, Outcome)> = args
        .files
        .iter()
        .map(|file| (file.clone(), check(file)))
        .collect();
    match args.format {
        OutputFormat::Text => print!("{}", text_report(&outcomes)),
        OutputFormat::Json => println!("{}", json_report(&outcomes)),
    }
    exit_code(&outcomes)
}

/// `--fix`: apply the safe fixes to one file, print them, and write the file (atomically, in
/// canonical form) unless `dry_run` or nothing changed.
fn fix_file(file: &Path, dry_run: bool) -> Result<(), Problem> {
    let mut design = format::load(file).map_err(|err| Problem::from_file_error(file, err))?;
    let applied = edgewire_engine::validate::fix::fix_all(&mut design);
    for fix in &applied {
        println!(
            "{}: {} {}: {}{}",
            file.display(),
            fix.code,
            fix.target,
            fix.title,
            if dry_run { " (dry run)" } else { "" }
        );
    }
    declare_secrets(file, &design, dry_run)?;
    if applied.is_empty() || dry_run {
        return Ok(());
    }
    format::save(file, &design).map_err(|err| Problem::from_file_error(file, err))
}

/// `SEC001` with `--fix`: declare each secret the design uses and `.dev.vars` lacks, when
/// its value can be known (see `fix::secret_value`), unless `dry_run`.
fn declare_secrets(file: &Path, design: &Design, dry_run: bool) -> Result<(), Problem> {
    let Ok(declared) = secrets::load_beside(file) else {
        return Ok(());
    };
    if !secrets::path_beside(file).exists() {
        return Ok(());
    }
    let names = declared.names();
    let vars = secrets::path_beside(file);
    for node in &design.nodes {
        for name in node.kind.secret_names() {
            if name.is_empty() || names.contains(name) {
                continue;
            }
            let Some(value) = edgewire_engine::validate::fix::secret_value(design, name) else {
                continue;
            };
            println!(
                "{}: SEC001 {}: declare {name} in {}{}",
                file.display(),
                node.id,
                vars.display(),
                if dry_run { " (dry run)" } else { "" }
            );
            if !dry_run {
                secrets::declare_beside(file, name, &value).map_err(|err| {
                    Problem::without_location(vars.clone(), err.to_string(), None)
                })?;
            }
        }
    }
    Ok(())
}

fn check(file: &Path) -> Outcome {
    let design = match format::load(file) {
        Ok(design) => design,
        Err(err) => return Outcome::Failed(Problem::from_file_error(file, err)),
    };
    let secret_names: Option<BTreeSet<String>> = if secrets::path_beside(file).exists() {
        match secrets::load_beside(file) {
            Ok(found) => Some(found.names()),
            Err(err) => {
                let help = match &err {
                    secrets::SecretsError::Io { .. } => {
                        "make it a readable file, or move it away (secrets then come from the \
                         environment); the design itself is fine"
                    }
                    secrets::SecretsError::Syntax { .. } => {
                        "secrets files hold `NAME=value` lines and `#` comments"
                    }
                };
                return Outcome::Failed(Problem::without_location(
                    secrets::path_beside(file),
                    err.to_string(),
                    Some(help.to_owned()),
                ));
            }
        }
    } else {
        None
    };
    Outcome::Checked(validate::validate_with_secrets(
        &design,
        secret_names.as_ref(),
    ))
}

fn exit_code(outcomes: &[(PathBuf, Outcome)]) -> ExitCode {
    if outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Failed(_)))
    {
        ExitCode::from(2)
    } else if outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Checked(d) if d.has_errors()))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn text_report(outcomes: &[(PathBuf, Outcome)]) -> String {
    let mut out = String::new();
    for (file, outcome) in outcomes {
        match outcome {
            Outcome::Checked(diagnostics) => {
                for diagnostic in diagnostics {
                    out.push_str(&diagnostic_text(file, diagnostic));
                    out.push('\n');
                }
                let _ = writeln!(out, "{}: {}", file.display(), summary(diagnostics));
            }
            Outcome::Failed(problem) => {
                out.push_str(&problem.text());
                out.push('\n');
                if problem.0.path.as_deref().is_some_and(|p| p != file) {
                    let _ = writeln!(
                        out,
                        "{}: not checked, its secrets file could not be read",
                        file.display()
                    );
                } else {
                    let _ = writeln!(out, "{}: could not be loaded", file.display());
                }
            }
        }
    }
    out
}

fn diagnostic_text(file: &Path, diagnostic: &Diagnostic) -> String {
    let mut out = format!(
        "{}[{}]: {}\n  --> {}: {}\n",
        diagnostic.severity,
        diagnostic.code,
        diagnostic.message,
        file.display(),
        diagnostic.target
    );
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}

/// `2 errors, 1 warning` (infos only when there are some).
fn summary(diagnostics: &Diagnostics) -> String {
    let count = |severity, one: &str, many: &str| {
        let n = diagnostics.count(severity);
        format!("{n} {}", if n == 1 { one } else { many })
    };
    let mut text = format!(
        "{}, {}",
        count(Severity::Error, "error", "errors"),
        count(Severity::Warning, "warning", "warnings")
    );
    if diagnostics.count(Severity::Info) > 0 {
        let _ = write!(text, ", {}", count(Severity::Info, "info", "infos"));
    }
    text
}

fn json_report(outcomes: &[(PathBuf, Outcome)]) -> String {
    let files: Vec<Value> = outcomes
        .iter()
        .map(|(file, outcome)| match outcome {
            Outcome::Checked(diagnostics) => json!({
                "file": file.display().to_string(),
                "errors": diagnostics.count(Severity::Error),
                "warnings": diagnostics.count(Severity::Warning),
                "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
            }),
            Outcome::Failed(problem) => problem.json(file),
        })
        .collect();
    serde_json::to_string_pretty(&files).unwrap_or_else(|err| format!("\"{err}\""))
}

fn diagnostic_json(diagnostic: &Diagnostic) -> Value {
    json!({
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "target": diagnostic.target,
        "location": diagnostic.target.to_string(),
        "message": diagnostic.message,
        "help": diagnostic.help,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgewire_engine::validate::Target;

    fn sample() -> Diagnostics {
        Diagnostics(vec![
            Diagnostic::new(
                "BND002",
                Severity::Error,
                Target::Wire {
                    from: "products".into(),
                    to: "catalog".into(),
                },
                "binding `CATALOG` is not used by any step",
            )
            .help("use it in a step, or remove the wire"),
            Diagnostic::new(
                "NODE001",
                Severity::Warning,
                Target::Node {
                    node: "catalog".into(),
                },
                "KV namespace `catalog` has no seed",
            ),
        ])
    }

    #[test]
    fn text_reads_like_a_compiler() {
        let outcomes = vec![(PathBuf::from("x.ron"), Outcome::Checked(sample()))];
        assert_eq!(
            text_report(&outcomes),
            "error[BND002]: binding `CATALOG` is not used by any step\n  \
             --> x.ron: wire products -> catalog\n  \
             = help: use it in a step, or remove the wire\n\n\
             warning[NODE001]: KV namespace `catalog` has no seed\n  \
             --> x.ron: node catalog\n\n\
             x.ron: 1 error, 1 warning\n"
        );
        assert_eq!(exit_code(&outcomes), ExitCode::from(1));
    }

    #[test]
    fn json_lists_every_field() {
        let outcomes = vec![(PathBuf::from("x.ron"), Outcome::Checked(sample()))];
        let value: Value = serde_json::from_str(&json_report(&outcomes)).expect("json");
        let first = &value[0]["diagnostics"][0];
        assert_eq!(first["severity"], "error");
        assert_eq!(first["code"], "BND002");
        assert_eq!(first["target"]["kind"], "wire");
        assert_eq!(first["location"], "wire products -> catalog");
        assert_eq!(value[0]["diagnostics"][1]["help"], Value::Null);
        assert_eq!(value[0]["errors"], 1);
    }
}
