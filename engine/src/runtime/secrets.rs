//! Secrets for a local run: a `.dev.vars` file (wrangler's format) and the environment.
//!
//! Format, as wrangler reads it (dotenv): one `NAME=value` per line; blank lines and lines
//! starting with `#` are ignored; an optional `export ` prefix is allowed; a value may be
//! wrapped in double quotes (then `\n`, `\t`, `\"` and `\\` are unescaped) or single quotes
//! (taken literally); an unquoted value ends at ` #` (a comment) and is trimmed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A line of a `.dev.vars` file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct VarsError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// The `.dev.vars` file beside a design: `api.ron` -> `api.dev.vars`.
pub fn default_vars_path(design_path: &Path) -> PathBuf {
    let stem = design_path
        .file_stem()
        .map_or_else(|| "design".into(), |s| s.to_string_lossy().into_owned());
    design_path.with_file_name(format!("{stem}.dev.vars"))
}

/// Parse the text of a `.dev.vars` file; `path` only names the file in errors.
pub fn parse_dev_vars(text: &str, path: &str) -> Result<BTreeMap<String, String>, VarsError> {
    let mut vars = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let error = |message: &str| VarsError {
            path: path.to_owned(),
            line: index + 1,
            message: message.to_owned(),
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, value)) = line.split_once('=') else {
            return Err(error("expected `NAME=value`"));
        };
        let name = name.trim();
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
        if !valid_name {
            return Err(error(&format!("`{name}` is not a variable name")));
        }
        let value = value.trim();
        let value = if let Some(rest) = value.strip_prefix('"') {
            let Some(end) = rest.rfind('"') else {
                return Err(error("a double-quoted value is never closed"));
            };
            unescape(&rest[..end])
        } else if let Some(rest) = value.strip_prefix('\'') {
            let Some(end) = rest.rfind('\'') else {
                return Err(error("a single-quoted value is never closed"));
            };
            rest[..end].to_owned()
        } else {
            value
                .split_once(" #")
                .map_or(value, |(before, _)| before)
                .trim()
                .to_owned()
        };
        vars.insert(name.to_owned(), value);
    }
    Ok(vars)
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Read a `.dev.vars` file.
pub fn read_dev_vars(path: &Path) -> Result<BTreeMap<String, String>, VarsError> {
    let text = std::fs::read_to_string(path).map_err(|err| VarsError {
        path: path.display().to_string(),
        line: 0,
        message: format!("cannot read the file: {err}"),
    })?;
    parse_dev_vars(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrangler_dev_vars() {
        let text = "# comment\nAPI_KEY=demo-key-123\nexport JWT=\"a\\nb\"\nRAW='x # y'\nTRAIL=v # note\n\n";
        let vars = parse_dev_vars(text, ".dev.vars").expect("parses");
        assert_eq!(vars["API_KEY"], "demo-key-123");
        assert_eq!(vars["JWT"], "a\nb");
        assert_eq!(vars["RAW"], "x # y");
        assert_eq!(vars["TRAIL"], "v");
    }

    #[test]
    fn names_the_bad_line() {
        let err = parse_dev_vars("A=1\nnot a pair\n", "x.dev.vars").expect_err("fails");
        assert_eq!(err.line, 2);
    }

    #[test]
    fn vars_file_sits_beside_the_design() {
        assert_eq!(
            default_vars_path(Path::new("examples/global-api.ron")),
            PathBuf::from("examples/global-api.dev.vars")
        );
    }
}
