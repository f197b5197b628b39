//! Local secrets: the `.dev.vars` file beside a design.
//!
//! Secrets (API keys, JWT keys, origin connection strings) never live in the design file.
//! Locally they come from a file in wrangler's `.dev.vars` format next to the design:
//! `examples/global-api.ron` reads `examples/global-api.dev.vars`.
//!
//! The format, as wrangler reads it (dotenv):
//! - one `KEY=value` per line; blank lines and lines starting with `#` are ignored;
//! - an `export ` prefix before the key is tolerated;
//! - the value may be wrapped in double quotes (`\n`, `\"` and `\\` escapes are understood)
//!   or single quotes (taken literally); unquoted values are trimmed and a ` #` starts a
//!   comment.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Secret names and values, sorted by name.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets(pub BTreeMap<String, String>);

impl fmt::Debug for Secrets {
    /// Names only: values never end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Secrets {
    /// The declared names, sorted.
    pub fn names(&self) -> std::collections::BTreeSet<String> {
        self.0.keys().cloned().collect()
    }

    /// The value of a secret.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a secrets file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", where_text(path.as_deref(), *line))]
    Syntax {
        path: Option<PathBuf>,
        line: usize,
        message: String,
    },
}

fn where_text(path: Option<&Path>, line: usize) -> String {
    match path {
        Some(path) => format!("{}:{line}", path.display()),
        None => format!("line {line}"),
    }
}

/// The secrets file that belongs to a design file (`api.ron` -> `api.dev.vars`).
pub fn path_beside(design: &Path) -> PathBuf {
    design.with_extension("dev.vars")
}

/// Read the secrets file beside a design; an absent file gives no secrets.
pub fn load_beside(design: &Path) -> Result<Secrets, SecretsError> {
    let path = path_beside(design);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text).map_err(|err| match err {
            SecretsError::Syntax { line, message, .. } => SecretsError::Syntax {
                path: Some(path),
                line,
                message,
            },
            other @ SecretsError::Io { .. } => other,
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Secrets::default()),
        Err(source) => Err(SecretsError::Io { path, source }),
    }
}

/// Parse `.dev.vars` text. A later definition of the same name wins, as in wrangler.
pub fn parse(text: &str) -> Result<Secrets, SecretsError> {
    let mut secrets = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line_number = index + 1;
        let syntax = |message: String| SecretsError::Syntax {
            path: None,
            line: line_number,
            message,
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once('=') else {
            return Err(syntax(format!(
                "expected `NAME=value`, found `{line}`; write for example `API_KEY=demo-key-123`"
            )));
        };
        let key = key.trim();
        if !is_name(key) {
            return Err(syntax(format!(
                "`{key}` is not a valid secret name; use letters, digits and `_`, not starting \
                 with a digit (`API_KEY`)"
            )));
        }
        let value = parse_value(value.trim()).map_err(syntax)?;
        secrets.insert(key.to_owned(), value);
    }
    Ok(Secrets(secrets))
}

fn is_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(value: &str) -> Result<String, String> {
    if let Some(rest) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return ensure_only_comment(chars.as_str()).map(|()| out),
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => break,
                },
                other => out.push(other),
            }
        }
        Err("the double-quoted value is never closed; add the closing `\"`".to_owned())
    } else if let Some(rest) = value.strip_prefix('\'') {
        match rest.split_once('\'') {
            Some((inner, after)) => ensure_only_comment(after).map(|()| inner.to_owned()),
            None => Err("the single-quoted value is never closed; add the closing `'`".to_owned()),
        }
    } else {
        let unquoted = match value.find(" #") {
            Some(comment) => &value[..comment],
            None => value,
        };
        Ok(unquoted.trim_end().to_owned())
    }
}

fn ensure_only_comment(after: &str) -> Result<(), String> {
    let after = after.trim();
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err(format!(
            "unexpected `{after}` after the quoted value; put a comment after `#`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, name: &str) -> String {
        parse(text)
            .expect("parses")
            .get(name)
            .expect("present")
            .to_owned()
    }

    #[test]
    fn reads_plain_quoted_and_exported_lines() {
        let text = r#"# local secrets

API_KEY=demo-key-123
export JWT_SECRET = "a b\n" # comment
DATABASE_URL='postgres://u:p@h/db#x'
EMPTY=
TRAILING=value # note
"#;
        let secrets = parse(text).expect("parses");
        assert_eq!(
            secrets.names().into_iter().collect::<Vec<_>>(),
            ["API_KEY", "DATABASE_URL", "EMPTY", "JWT_SECRET", "TRAILING"]
        );
        assert_eq!(value(text, "API_KEY"), "demo-key-123");
        assert_eq!(value(text, "JWT_SECRET"), "a b\n");
        assert_eq!(value(text, "DATABASE_URL"), "postgres://u:p@h/db#x");
        assert_eq!(value(text, "EMPTY"), "");
        assert_eq!(value(text, "TRAILING"), "value");
    }

    #[test]
    fn later_definitions_win() {
        assert_eq!(value("A=1\nA=2\n", "A"), "2");
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("A=1\n\nnot a pair\n").expect_err("fails");
        assert_eq!(
            err.to_string(),
            "line 3: expected `NAME=value`, found `not a pair`; write for example `API_KEY=demo-key-123`"
        );
        let err = parse("1A=x").expect_err("fails");
        assert!(
            err.to_string().starts_with("line 1: `1A` is not a valid"),
            "{err}"
        );
        let err = parse("A=\"open").expect_err("fails");
        assert!(err.to_string().contains("never closed"), "{err}");
        let err = parse("A='x' y").expect_err("fails");
        assert!(err.to_string().contains("unexpected `y`"), "{err}");
    }

    #[test]
    fn debug_hides_values() {
        let secrets = parse("API_KEY=hunter2").expect("parses");
        assert_eq!(format!("{secrets:?}"), r#"{"API_KEY"}"#);
    }

    #[test]
    fn loads_the_file_beside_a_design() {
        let dir = tempfile::tempdir().expect("tempdir");
        let design = dir.path().join("api.ron");
        assert_eq!(path_beside(&design), dir.path().join("api.dev.vars"));
        assert!(load_beside(&design).expect("absent is fine").is_empty());
        std::fs::write(dir.path().join("api.dev.vars"), "X=1\n?=2\n").expect("writes");
        let err = load_beside(&design).expect_err("fails");
        assert!(
            err.to_string().contains("api.dev.vars:2: `?` is not"),
            "{err}"
        );
    }
}
