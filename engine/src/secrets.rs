//! Local secrets: the `.dev.vars` file beside a design, read the way wrangler reads it.
//!
//! Secrets (API keys, JWT keys, origin connection strings) never live in the design file.
//! Locally they come from a file in wrangler's `.dev.vars` format next to the design:
//! `examples/global-api.ron` reads `examples/global-api.dev.vars`. This is the one parser of
//! that format: the CLI (`serve`, `validate`, `scenario`), the app's Run panel, the runtime's
//! tests and the validator's [`crate::validate::dev_vars_names`] all use it.
//!
//! # The format
//! wrangler reads `.dev.vars` with `dotenv.parse` (dotenv 16.3.1 in wrangler 4). Edgewire reads
//! a file the same way, so a value means the same thing under `edgewire serve` and `wrangler
//! dev`:
//! - `NAME=value`, one per line; spaces around `=` are allowed, as is `NAME: value` (a colon
//!   right after the name, then a space). An `export ` prefix is allowed. Names are ASCII
//!   letters, digits, `_`, `.` and `-`. A later definition of the same name wins.
//! - Blank lines and lines starting with `#` are ignored. Windows line ends are accepted.
//! - An unquoted value is trimmed and ends at `#`: ` # note` after a value is a comment.
//! - A value may be wrapped in double quotes, single quotes or backticks, and may then span
//!   several lines (PEM keys). Inside double quotes `\n` and `\r` become a line feed and a
//!   carriage return; nothing else is unescaped (`\"` and `\\` stay as written, as in dotenv).
//!   Single quotes and backticks take the text literally. A quote preceded by `\` does not
//!   close the value unless only a comment follows it on its line.
//!
//! # Where Edgewire is stricter than wrangler
//! dotenv skips lines it cannot read and keeps stray quotes without a word, which turns a typo
//! into a secret that is silently missing or wrong. Edgewire stops instead, with the file, the
//! line and the fix, in these cases: a line that is not `NAME=value` or a comment; a name with
//! other characters (`API KEY=`, `?=`); a quoted value that is never closed or is followed by
//! more text; and a `#` inside an unquoted value with no space before it (`pa#ss`, which
//! wrangler would cut to `pa`). So every file Edgewire accepts gives the same values in
//! wrangler. Error messages name secrets but never repeat their values.

use std::collections::{BTreeMap, BTreeSet};
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
    pub fn names(&self) -> BTreeSet<String> {
        self.0.keys().cloned().collect()
    }

    /// The value of a secret.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Names and values, for [`crate::runtime::EngineOptions::secrets`].
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }
}

/// Why a secrets file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The reason is part of the message (not a `source`), so it is printed once.
    #[error("{}: cannot read the secrets file: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// `line` is 1-based: the line where the definition starts.
    #[error("{}: {message}", where_text(path.as_deref(), *line))]
    Syntax {
        path: Option<PathBuf>,
        line: usize,
        message: String,
    },
}

impl SecretsError {
    /// The same error, naming the file it comes from.
    #[must_use]
    pub fn in_file(self, file: &Path) -> Self {
        match self {
            Self::Syntax { line, message, .. } => Self::Syntax {
                path: Some(file.to_owned()),
                line,
                message,
            },
            io @ Self::Io { .. } => io,
        }
    }

    /// The 1-based line of a syntax error.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax { line, .. } => Some(*line),
            Self::Io { .. } => None,
        }
    }
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
        Ok(text) => parse(&text).map_err(|err| err.in_file(&path)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Secrets::default()),
        Err(error) => Err(SecretsError::Io { path, error }),
    }
}

/// Declare secret `name` with a development `value` in the secrets file beside a design,
/// unless it is declared already: the line is added at the end, the rest is kept as it is,
/// and the file is written atomically. `Ok(false)` when the name was there.
pub fn declare_beside(design: &Path, name: &str, value: &str) -> Result<bool, SecretsError> {
    let path = path_beside(design);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(SecretsError::Io { path, error }),
    };
    if parse(&text)
        .map_err(|err| err.in_file(&path))?
        .get(name)
        .is_some()
    {
        return Ok(false);
    }
    let mut out = text;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for part in [name, "=", value, "\n"] {
        out.push_str(part);
    }
    crate::format::write_atomic(&path, out.as_bytes()).map_err(|err| SecretsError::Io {
        path: path.clone(),
        error: std::io::Error::other(err.to_string()),
    })?;
    Ok(true)
}

/// Read a secrets file that must exist (`edgewire serve --vars FILE`).
pub fn load(path: &Path) -> Result<Secrets, SecretsError> {
    let text = std::fs::read_to_string(path).map_err(|error| SecretsError::Io {
        path: path.to_owned(),
        error,
    })?;
    parse(&text).map_err(|err| err.in_file(path))
}

/// Parse `.dev.vars` text (errors say `line N`; [`load`] and [`load_beside`] add the file).
pub fn parse(text: &str) -> Result<Secrets, SecretsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut secrets = BTreeMap::new();
    let mut rest = text.as_str();
    let mut line = 1;
    while !rest.is_empty() {
        let (definition, after) = definition(rest).map_err(|message| SecretsError::Syntax {
            path: None,
            line,
            message,
        })?;
        line += rest[..rest.len() - after.len()].matches('\n').count();
        rest = after;
        if let Some((name, value)) = definition {
            secrets.insert(name.to_owned(), value);
        }
    }
    Ok(Secrets(secrets))
}

/// A definition (name and value), or none for a blank or comment line, and the text after it.
type Step<'t> = (Option<(&'t str, String)>, &'t str);

/// The definition (or blank or comment line) at the start of `text`, and the text after its
/// last line.
fn definition(text: &str) -> Result<Step<'_>, String> {
    let (line, _) = split_line(text);
    let content = line.trim();
    if content.is_empty() || content.starts_with('#') {
        return Ok((None, after_line(text, 0)));
    }
    let body = line.trim_start();
    let body = match body.strip_prefix("export") {
        Some(after)
            if after.starts_with([' ', '\t']) && after.trim_start().starts_with(is_name_char) =>
        {
            after.trim_start()
        }
        _ => body,
    };
    let name_len = body.find(|c: char| !is_name_char(c)).unwrap_or(body.len());
    let (name, after_name) = body.split_at(name_len);
    let value = if name.is_empty() {
        None
    } else if let Some(value) = after_name.trim_start_matches([' ', '\t']).strip_prefix('=') {
        Some(value)
    } else {
        after_name
            .strip_prefix(':')
            .filter(|value| value.starts_with([' ', '\t']))
    };
    let Some(value) = value else {
        return Err(match body.split_once('=') {
            Some((written, _)) if written.trim().is_empty() => {
                "the line starts with `=` but has no name before it; write `NAME=value` (for \
                 example `API_KEY=demo-key-123`)"
                    .to_owned()
            }
            Some((written, _)) => format!(
                "`{}` is not a valid secret name: a name is made of letters, digits, `_`, `.` \
                 and `-` (use upper snake case, for example `API_KEY`); wrangler would skip \
                 this line",
                written.trim()
            ),
            None => "expected `NAME=value` (for example `API_KEY=demo-key-123`), but this \
                     line has no `=`; wrangler would skip it. Start a comment with `#`"
                .to_owned(),
        });
    };
    let (value, after) = read_value(name, &text[line.len() - value.len()..])?;
    Ok((Some((name, value)), after))
}

/// A name character as dotenv reads it (`[\w.-]`).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The first line of `text` (without its `\n`) and the rest after the `\n`.
fn split_line(text: &str) -> (&str, &str) {
    text.split_once('\n').unwrap_or((text, ""))
}

/// The text after the line that contains byte `at`.
fn after_line(text: &str, at: usize) -> &str {
    split_line(&text[at..]).1
}

/// The value that starts `text` (right after `=`), and the text after its last line.
fn read_value<'t>(name: &str, text: &'t str) -> Result<(String, &'t str), String> {
    let start = text.len() - text.trim_start_matches([' ', '\t']).len();
    match text[start..].chars().next() {
        Some(quote @ ('"' | '\'' | '`')) => quoted(name, quote, text, start),
        _ => unquoted(name, text).map(|value| (value, after_line(text, 0))),
    }
}

/// An unquoted value: trimmed, ending at a `#` that has a space before it.
fn unquoted(name: &str, text: &str) -> Result<String, String> {
    let (line, _) = split_line(text);
    let end = match line.find('#') {
        None => line.len(),
        Some(hash) if line[..hash].ends_with(char::is_whitespace) => hash,
        Some(_) => {
            return Err(format!(
                "the value of `{name}` has a `#` without a space before it; wrangler reads \
                 `#` as the start of a comment and would cut the value there. Wrap the value \
                 in quotes to keep the `#` (`{name}=\"...#...\"`), or put a space before `#` \
                 if it starts a comment"
            ));
        }
    };
    Ok(line[..end].trim().to_owned())
}

/// A value wrapped in `quote`, opening at byte `open` of `text`. As in dotenv, the value closes
/// at the last quote, up to the first one not preceded by `\`, that only a comment follows on
/// its line.
fn quoted<'t>(
    name: &str,
    quote: char,
    text: &'t str,
    open: usize,
) -> Result<(String, &'t str), String> {
    let inner_start = open + quote.len_utf8();
    let mut candidates = Vec::new();
    for (at, c) in text[inner_start..].char_indices() {
        if c == quote {
            let at = inner_start + at;
            candidates.push(at);
            if !text[..at].ends_with('\\') {
                break;
            }
        }
    }
    let closes = |at: usize| {
        let tail = split_line(&text[at + quote.len_utf8()..]).0.trim_start();
        tail.is_empty() || tail.starts_with('#')
    };
    if let Some(&close) = candidates.iter().rev().find(|&&at| closes(at)) {
        let inner = &text[inner_start..close];
        let value = if quote == '"' {
            inner.replace("\\n", "\n").replace("\\r", "\r")
        } else {
            inner.to_owned()
        };
        return Ok((value, after_line(text, close)));
    }
    let mark = match quote {
        '"' => "`\"`",
        '\'' => "`'`",
        _ => "`` ` ``",
    };
    Err(match candidates.last() {
        None => format!(
            "the value of `{name}` opens with {mark} but is never closed; add the closing \
             {mark} (a quoted value may span lines)"
        ),
        Some(&at) => match text[..at].matches('\n').count() {
            0 => format!(
                "unexpected text after the closing {mark} of `{name}`; only a comment \
                 (`# ...`) may follow a quoted value. Wrap the whole value in the quotes"
            ),
            below => format!(
                "the value of `{name}` opens with {mark} but is not closed on this line, and \
                 the next {mark} ({}) has more text after it; add the closing {mark}",
                if below == 1 {
                    "on the next line".to_owned()
                } else {
                    format!("{below} lines below")
                }
            ),
        },
    })
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

    fn error(text: &str) -> String {
        parse(text).expect_err("fails").to_string()
    }

    #[test]
    fn reads_plain_quoted_and_exported_lines() {
        let text = r#"# local secrets

API_KEY=demo-key-123
export JWT_SECRET = "a b\n" # comment
DATABASE_URL='postgres://u:p@h/db#x'
EMPTY=
TRAILING=value # note
	export	TABBED=1
"#;
        let secrets = parse(text).expect("parses");
        assert_eq!(
            secrets.names().into_iter().collect::<Vec<_>>(),
            [
                "API_KEY",
                "DATABASE_URL",
                "EMPTY",
                "JWT_SECRET",
                "TABBED",
                "TRAILING"
            ]
        );
        assert_eq!(value(text, "API_KEY"), "demo-key-123");
        assert_eq!(value(text, "JWT_SECRET"), "a b\n");
        assert_eq!(value(text, "DATABASE_URL"), "postgres://u:p@h/db#x");
        assert_eq!(value(text, "EMPTY"), "");
        assert_eq!(value(text, "TRAILING"), "value");
        assert_eq!(value(text, "TABBED"), "1");
    }

    /// The cases of the former runtime parser (`runtime::parse_dev_vars`).
    #[test]
    fn parses_wrangler_dev_vars() {
        let text = "# comment\nAPI_KEY=demo-key-123\nexport JWT=\"a\\nb\"\nRAW='x # y'\nTRAIL=v # note\n\n";
        assert_eq!(value(text, "API_KEY"), "demo-key-123");
        assert_eq!(value(text, "JWT"), "a\nb");
        assert_eq!(value(text, "RAW"), "x # y");
        assert_eq!(value(text, "TRAIL"), "v");
    }

    /// What dotenv 16.3.1 (wrangler's parser) gives for the same text.
    #[test]
    fn escapes_and_quotes_follow_dotenv() {
        // Double quotes: only `\n` and `\r` are unescaped.
        assert_eq!(value(r#"A="x\ty\"z\\n""#, "A"), "x\\ty\\\"z\\\n");
        assert_eq!(value(r#"A="\r\n""#, "A"), "\r\n");
        // Single quotes and backticks: literal.
        assert_eq!(value(r"A='a\nb'", "A"), "a\\nb");
        assert_eq!(value("A=`it's \"q\"`", "A"), "it's \"q\"");
        // Spaces inside quotes are kept, outside are trimmed.
        assert_eq!(value("A =  ' x '  ", "A"), " x ");
        assert_eq!(value("A=  spaced out  ", "A"), "spaced out");
        // A quote preceded by `\` closes the value only when nothing but a comment follows.
        assert_eq!(value(r"A='it\'s' # c", "A"), r"it\'s");
        assert_eq!(value("A='a\\'\nb'\n", "A"), "a\\'\nb");
        // Other separators and names dotenv accepts.
        assert_eq!(value("A: colon", "A"), "colon");
        assert_eq!(value("my.var-1=x\n2FA=y", "my.var-1"), "x");
        assert_eq!(value("my.var-1=x\n2FA=y", "2FA"), "y");
        // Empty values, with and without comments.
        assert_eq!(value("A= # nothing yet", "A"), "");
        assert_eq!(value("A=\"\"", "A"), "");
        // Quotes inside an unquoted value are kept.
        assert_eq!(value("A=say \"hi\"", "A"), "say \"hi\"");
    }

    #[test]
    fn quoted_values_span_lines() {
        let text = "KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nNEXT=1\nBAD\n";
        assert_eq!(
            value(&text[..text.len() - 4], "KEY"),
            "-----BEGIN KEY-----\nabc\n-----END KEY-----"
        );
        assert_eq!(value(&text[..text.len() - 4], "NEXT"), "1");
        // Line numbers still count the lines inside the value.
        assert!(
            error(text).starts_with("line 5: expected `NAME=value`"),
            "{}",
            error(text)
        );
    }

    #[test]
    fn windows_line_ends_and_a_byte_order_mark() {
        let text = "\u{feff}A=1\r\nB=\"x\r\ny\"\r\nC=3\r\n";
        assert_eq!(value(text, "A"), "1");
        assert_eq!(value(text, "B"), "x\ny");
        assert_eq!(value(text, "C"), "3");
    }

    #[test]
    fn later_definitions_win() {
        assert_eq!(value("A=1\nA=2\n", "A"), "2");
    }

    #[test]
    fn errors_name_the_line_and_the_fix() {
        assert_eq!(
            error("A=1\n\nnot a pair\n"),
            "line 3: expected `NAME=value` (for example `API_KEY=demo-key-123`), but this line \
             has no `=`; wrangler would skip it. Start a comment with `#`"
        );
        assert_eq!(
            error("API KEY=x"),
            "line 1: `API KEY` is not a valid secret name: a name is made of letters, digits, \
             `_`, `.` and `-` (use upper snake case, for example `API_KEY`); wrangler would \
             skip this line"
        );
        assert!(error("?=2").starts_with("line 1: `?` is not a valid"));
        assert!(error("=2").contains("has no name before it"));
        // `export` alone is a name, as in dotenv.
        assert_eq!(value("export =2", "export"), "2");
        assert_eq!(
            error("A=\"open"),
            "line 1: the value of `A` opens with `\"` but is never closed; add the closing `\"` \
             (a quoted value may span lines)"
        );
        assert_eq!(
            error("OK=1\nA='x' y"),
            "line 2: unexpected text after the closing `'` of `A`; only a comment (`# ...`) may \
             follow a quoted value. Wrap the whole value in the quotes"
        );
        assert_eq!(
            error("A=\"open\nB=\"x\" y\n"),
            "line 1: the value of `A` opens with `\"` but is not closed on this line, and \
             the next `\"` (on the next line) has more text after it; add the closing `\"`"
        );
        assert_eq!(
            error("\nDATABASE_URL=postgres://u:pa#ss@h/db"),
            "line 2: the value of `DATABASE_URL` has a `#` without a space before it; wrangler \
             reads `#` as the start of a comment and would cut the value there. Wrap the value \
             in quotes to keep the `#` (`DATABASE_URL=\"...#...\"`), or put a space before `#` \
             if it starts a comment"
        );
        assert!(error("A=#x").contains("`#` without a space"));
    }

    #[test]
    fn errors_never_repeat_values() {
        for text in [
            "hunter2",
            "A='hunter2' hunter2",
            "A=\"hunter2",
            "A=hunter2#x",
            "A=\"hunter2\nB=\"hunter2\" hunter2",
        ] {
            let message = error(text);
            assert!(!message.contains("hunter2"), "{message}");
        }
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
        assert_eq!(
            path_beside(Path::new("examples/global-api.ron")),
            PathBuf::from("examples/global-api.dev.vars")
        );
        assert!(load_beside(&design).expect("absent is fine").is_empty());
        std::fs::write(dir.path().join("api.dev.vars"), "X=1\n?=2\n").expect("writes");
        let err = load_beside(&design).expect_err("fails");
        assert!(
            err.to_string().contains("api.dev.vars:2: `?` is not"),
            "{err}"
        );
        assert_eq!(err.line(), Some(2));
    }

    #[test]
    fn load_needs_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("given.dev.vars");
        let err = load(&path).expect_err("absent");
        assert!(
            err.to_string()
                .contains("given.dev.vars: cannot read the secrets file"),
            "{err}"
        );
        std::fs::write(&path, "API_KEY=demo-key-123\n").expect("writes");
        assert_eq!(
            load(&path).expect("reads").into_map(),
            BTreeMap::from([("API_KEY".to_owned(), "demo-key-123".to_owned())])
        );
    }

    #[test]
    fn the_reference_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron");
        let secrets = load_beside(&path).expect("parses");
        assert_eq!(secrets.get("API_KEY"), Some("demo-key-123"));
    }

    #[test]
    fn declaring_adds_a_line_once_and_keeps_the_rest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let design = dir.path().join("api.ron");
        assert!(declare_beside(&design, "JWT_SECRET", "abc").expect("declares"));
        let vars = path_beside(&design);
        assert_eq!(
            std::fs::read_to_string(&vars).expect("read"),
            "JWT_SECRET=abc\n"
        );
        std::fs::write(&vars, "# keys\nAPI_KEY=k").expect("write");
        assert!(declare_beside(&design, "JWT_SECRET", "xyz").expect("declares"));
        assert!(!declare_beside(&design, "API_KEY", "other").expect("already there"));
        assert_eq!(
            std::fs::read_to_string(&vars).expect("read"),
            "# keys\nAPI_KEY=k\nJWT_SECRET=xyz\n"
        );
    }
}
