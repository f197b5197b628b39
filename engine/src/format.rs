//! Design files: RON on disk, canonical when saved, precise errors when loaded.
//!
//! - [`parse`] turns text into a [`Design`], or a [`LoadError`] that says where (line and
//!   column), what was wrong and what to do. Checks run in this order: empty file, a newer
//!   format version, RON syntax and types (ron's terse errors are rewritten with the field
//!   name, what was found and the nearest valid name), unique ids and wires between existing
//!   nodes, finite numbers. [`LoadError::render`] prints it like a compiler, with the line
//!   and a caret. `tests/corpus/` holds one broken file per kind of mistake.
//! - [`load`] reads a file ([`read_text`] says where bytes are not UTF-8) and parses it.
//! - [`to_string`] writes the canonical text: nodes sorted by id, wires by (from, to), the
//!   layout by id, fixed formatting. Loading then saving a canonical file gives the same bytes.
//! - [`save`] writes atomically: a temporary file in the same folder, fsync, rename.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::Deserialize;

use crate::model::{Design, FORMAT_VERSION};

/// Where a problem is in a file (1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Why a design file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file, when loading from disk.
    pub path: Option<PathBuf>,
    /// Where in the text, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The text of the line at [`LoadError::location`], to show under the message.
    pub source_line: Option<String>,
}

impl LoadError {
    fn at(location: Option<Location>, message: impl Into<String>) -> Self {
        Self {
            path: None,
            location,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl LoadError {
    /// Compiler-style text: the message, where it is, the line with a caret, and the help.
    ///
    /// ```text
    /// error: unknown node kind `Wroker`
    ///   --> api.ron:7:19
    ///    |
    ///  7 |             kind: Wroker(
    ///    |                   ^
    ///    = help: did you mean `Worker`? ...
    /// ```
    pub fn render(&self) -> String {
        use fmt::Write as _;
        let file = self
            .path
            .as_ref()
            .map_or_else(|| "<design>".to_owned(), |p| p.display().to_string());
        let mut out = format!("error: {}\n", self.message);
        let gutter = self.location.map_or(1, |at| at.line.to_string().len());
        let pad = " ".repeat(gutter);
        match self.location {
            Some(at) => {
                let _ = writeln!(out, "{pad}--> {file}:{}:{}", at.line, at.column);
                if let Some(line) = &self.source_line {
                    // Tabs would shift the caret; show them as one space each.
                    let shown = line.replace('\t', " ");
                    let caret = " ".repeat(at.column.saturating_sub(1).min(shown.chars().count()));
                    let _ = writeln!(out, "{pad} |");
                    let _ = writeln!(out, "{} | {shown}", at.line);
                    let _ = writeln!(out, "{pad} | {caret}^");
                }
            }
            None => {
                let _ = writeln!(out, "{pad}--> {file}");
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out
    }

    /// Fill in [`LoadError::source_line`] from the text the error is about.
    fn with_source(mut self, text: &str) -> Self {
        if let Some(at) = self.location {
            self.source_line = text
                .lines()
                .nth(at.line.saturating_sub(1))
                .map(|line| line.trim_end().to_owned());
        }
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .path
            .as_ref()
            .map_or_else(|| "<design>".to_owned(), |p| p.display().to_string());
        match self.location {
            Some(at) => write!(f, "{file}:{}:{}: {}", at.line, at.column, self.message)?,
            None => write!(f, "{file}: {}", self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

fn options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Only the version, read before the rest so that a newer file gets the right message.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<u32>,
}

/// Parse design text.
pub fn parse(text: &str) -> Result<Design, LoadError> {
    // Some editors start UTF-8 files with a byte order mark; it means nothing here.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse_design(text).map_err(|err| err.with_source(text))
}

fn parse_design(text: &str) -> Result<Design, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::at(None, "the file is empty")
            .with_help("a design starts with `(version: 1, name: \"My API\", nodes: [...])`"));
    }
    if let Ok(VersionProbe {
        version: Some(version),
    }) = options().from_str::<VersionProbe>(text)
        && version > FORMAT_VERSION
    {
        return Err(LoadError::at(
            find_location(text, "version"),
            format!(
                "this file uses design format version {version}, written by a newer Edgewire; \
                 this Edgewire reads versions up to {FORMAT_VERSION}"
            ),
        )
        .with_help("update Edgewire to open it"));
    }
    let mut design: Design = options()
        .from_str(text)
        .map_err(|err| ron_error(text, &err))?;
    migrate(&mut design);
    check_references(text, &design)?;
    check_numbers(text, &design)?;
    Ok(design)
}

/// Bring an older file's design up to [`FORMAT_VERSION`].
fn migrate(design: &mut Design) {
    // Version 1 is the first format: nothing to migrate yet. Later versions add steps here,
    // one `if design.version < N` block per version.
    design.version = FORMAT_VERSION;
}

fn ron_error(text: &str, err: &ron::error::SpannedError) -> LoadError {
    use ron::error::Error as E;
    // ron's span may start on the blank before the value; point at the value itself.
    let at = skip_blank(
        text,
        Location {
            line: err.span.start.line,
            column: err.span.start.col,
        },
    );
    let location = Some(at);
    let field = field_before(text, at);
    let for_field = field
        .as_deref()
        .map_or_else(String::new, |f| format!(" for `{f}`"));
    let example_field = field.as_deref().unwrap_or("value");
    // Anything but blanks and comments left after the error? If not, the file was cut short.
    if rest_is_blank(text, at) && !matches!(err.code, E::TrailingCharacters) {
        return truncated(text);
    }
    match &err.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let mut error = LoadError::at(
                location,
                format!("unknown field `{found}`{}", within(outer.as_deref())),
            );
            error = match nearest(found, expected) {
                Some(name) => error.with_help(format!(
                    "did you mean `{name}`? Valid fields: {}",
                    expected.join(", ")
                )),
                None => error.with_help(format!("valid fields: {}", expected.join(", "))),
            };
            error
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = outer
                .as_deref()
                .map_or_else(|| "variant".to_owned(), enum_label);
            let mut error = LoadError::at(location, format!("unknown {what} `{found}`"));
            error = match nearest(found, expected) {
                Some(name) => error.with_help(format!(
                    "did you mean `{name}`? Valid: {}",
                    expected.join(", ")
                )),
                None => error.with_help(format!("valid: {}", expected.join(", "))),
            };
            error
        }
        E::MissingStructField { field, outer } => LoadError::at(
            location,
            format!("missing field `{field}`{}", within(outer.as_deref())),
        )
        .with_help(format!("add `{field}: ...` to this block")),
        E::DuplicateStructField { field, outer } => LoadError::at(
            location,
            format!("field `{field}` appears twice{}", within(outer.as_deref())),
        )
        .with_help("keep one of them"),
        E::Eof => truncated(text),
        E::ExpectedInteger => {
            let found = found_at(text, at);
            let help = match unquoted_number(text, at) {
                Some(number) => unquote_help(example_field, &number),
                None => format!("write digits only, for example `{example_field}: 60`"),
            };
            LoadError::at(
                location,
                format!("expected a whole number{for_field}, found {found}"),
            )
            .with_help(help)
        }
        E::ExpectedFloat => {
            let found = found_at(text, at);
            let help = match unquoted_number(text, at) {
                Some(number) => unquote_help(example_field, &number),
                None => format!("write a number, for example `{example_field}: 0.5`"),
            };
            LoadError::at(
                location,
                format!("expected a number{for_field}, found {found}"),
            )
            .with_help(help)
        }
        E::ExpectedString | E::ExpectedStringEnd if char_at(text, at) != Some('"') => {
            let found = found_at(text, at);
            LoadError::at(
                location,
                format!("expected a text in double quotes{for_field}, found {found}"),
            )
            .with_help(format!(
                "write it in quotes, for example `{example_field}: \"...\"`"
            ))
        }
        E::ExpectedStringEnd => {
            LoadError::at(location, "this text is never closed").with_help(HELP_UNCLOSED_TEXT)
        }
        E::ExpectedBoolean => LoadError::at(
            location,
            format!(
                "expected `true` or `false`{for_field}, found {}",
                found_at(text, at)
            ),
        )
        .with_help(format!("for example `{example_field}: true`")),
        E::ExpectedComma => expected_comma(text, at),
        E::IntegerOutOfBounds => {
            let start = if char_before(text, at) == Some('-') {
                Location {
                    line: at.line,
                    column: at.column - 1,
                }
            } else {
                at
            };
            let field = field_before(text, start);
            let help = match field.as_deref() {
                Some("status" | "expect_status") => {
                    "an HTTP status is a whole number from 100 to 599".to_owned()
                }
                Some(name) => {
                    format!("`{name}` takes a whole number that is not negative and not that large")
                }
                None => "use a whole number that is not negative and not that large".to_owned(),
            };
            let for_field = field.map_or_else(String::new, |f| format!(" for `{f}`"));
            LoadError::at(
                Some(start),
                format!(
                    "the number {} is out of range{for_field}",
                    found_at(text, start)
                ),
            )
            .with_help(help)
        }
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) | E::ExpectedUnit
            if char_at(text, at) == Some('{') && at.line == 1 && at.column == 1 =>
        {
            LoadError::at(
                location,
                "this looks like JSON, not an Edgewire design file",
            )
            .with_help(HELP_NOT_JSON)
        }
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) | E::ExpectedUnit => LoadError::at(
            location,
            format!(
                "expected a `( ... )` block{for_field}, found {}",
                found_at(text, at)
            ),
        )
        .with_help(format!(
            "write `{example_field}: ( ... )` with `name: value` pairs inside"
        )),
        E::ExpectedArray => LoadError::at(
            location,
            format!(
                "expected a list `[ ... ]`{for_field}, found {}",
                found_at(text, at)
            ),
        )
        .with_help(format!(
            "write `{example_field}: [ ... ]`, items separated by `,`"
        )),
        E::ExpectedMap => LoadError::at(
            location,
            format!(
                "expected a map `{{ ... }}`{for_field}, found {}",
                found_at(text, at)
            ),
        )
        .with_help(format!(
            "write `{example_field}: {{ \"key\": value, ... }}`"
        )),
        E::ExpectedMapColon => LoadError::at(location, "expected `:` between a key and its value")
            .with_help("map entries are written `\"key\": value`"),
        E::ExpectedIdentifier => LoadError::at(
            location,
            format!("expected a field name, found {}", found_at(text, at)),
        )
        .with_help(HELP_FIELD_PAIRS),
        E::ExpectedArrayEnd
        | E::ExpectedMapEnd
        | E::ExpectedStructLikeEnd
        | E::ExpectedOptionEnd => {
            let close = match err.code {
                E::ExpectedArrayEnd => ']',
                E::ExpectedMapEnd => '}',
                _ => ')',
            };
            LoadError::at(
                location,
                format!(
                    "expected `,` or the closing `{close}`, found {}",
                    found_at(text, at)
                ),
            )
            .with_help("a `,` or a closing bracket is missing before this")
        }
        E::TrailingCharacters => LoadError::at(
            location,
            format!(
                "unexpected {} after the end of the design",
                found_at(text, at)
            ),
        )
        .with_help(HELP_TRAILING),
        E::InvalidEscape(_) => {
            let backslash = line_text(text, at.line)
                .chars()
                .skip(at.column.saturating_sub(1))
                .position(|c| c == '\\')
                .map_or(at, |offset| Location {
                    line: at.line,
                    column: at.column + offset,
                });
            let found = found_at(text, backslash);
            LoadError::at(Some(backslash), format!("invalid escape {found} in a text"))
                .with_help(HELP_ESCAPES)
        }
        E::UnexpectedChar(c) => {
            LoadError::at(location, format!("unexpected character `{c}`")).with_help(HELP_VALUES)
        }
        E::UnclosedBlockComment => LoadError::at(location, "this `/*` comment is never closed")
            .with_help("add `*/` where the comment ends"),
        other => {
            let message = other.to_string();
            let mut chars = message.chars();
            let message = chars
                .next()
                .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect());
            LoadError::at(location, message)
                .with_help("compare with `examples/global-api.ron`, a complete design")
        }
    }
}

const HELP_TRUNCATED: &str = "the file looks truncated: a closing `)`, `]` or `}` is missing; \
    restore it from version control or complete it";
const HELP_UNCLOSED_TEXT: &str = "add the closing `\"`; for text with quotes or newlines use a raw \
    string `r#\"...\"#`";
const HELP_NOT_JSON: &str = "design files are RON: `(version: 1, name: \"My API\", nodes: [...])`; \
    open one of the examples to see the shape";
const HELP_FIELD_PAIRS: &str = "inside `( ... )` write `name: value` pairs separated by `,`, or \
    nothing at all: `Kv()`";
const HELP_TRAILING: &str = "the design ends with the `)` that closes the first `(`; remove what \
    follows, or look for an extra `)` above";
const HELP_ESCAPES: &str = "valid escapes are \\n, \\t, \\\", \\\\ and \\u{...}; write `\\\\` for a \
    backslash or use a raw string `r#\"...\"#`";
const HELP_VALUES: &str = "check the syntax here; values are `\"text\"`, numbers, `true`/`false`, \
    `( ... )`, `[ ... ]` or `{ ... }`";

fn unquote_help(field: &str, number: &str) -> String {
    format!("write the number without quotes: `{field}: {number}`")
}

fn truncated(text: &str) -> LoadError {
    let line = text.lines().count().max(1);
    let column = text.lines().last().map_or(0, |l| l.chars().count()) + 1;
    LoadError::at(Some(Location { line, column }), "the file ends too early")
        .with_help(HELP_TRUNCATED)
}

/// ` in a scenario request`: where an unknown or missing field is, in the user's words.
fn within(outer: Option<&str>) -> String {
    let Some(outer) = outer else {
        return String::new();
    };
    let phrase = match outer {
        "Design" => "the design",
        "Node" => "a node",
        "Wire" => "a wire",
        "Pos" => "a layout position",
        "SampleRequest" => "a scenario request",
        "Route" => "a Worker route",
        "GatewayRoute" => "a gateway route",
        "KvEntry" => "a KV seed entry",
        "Migration" => "a D1 migration",
        "Cors" => "`cors`",
        "RateLimit" => "`rate_limit`",
        "Enrichment" => "`enrich`",
        "HyperdriveCaching" => "`caching`",
        other => return format!(" in `{other}`"),
    };
    format!(" in {phrase}")
}

/// `node kind`: what an enum is, in the user's words.
fn enum_label(name: &str) -> String {
    match name {
        "NodeKind" => "node kind".to_owned(),
        "Step" => "step kind".to_owned(),
        "HttpMethod" => "HTTP method".to_owned(),
        "Expr" => "value kind".to_owned(),
        "KvFormat" => "KV format".to_owned(),
        "Auth" => "auth method".to_owned(),
        "Origin" => "Hyperdrive origin".to_owned(),
        "RequestBody" => "request body kind".to_owned(),
        other => other
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let space = (i > 0 && c.is_uppercase()).then_some(' ');
                space.into_iter().chain(c.to_lowercase())
            })
            .collect(),
    }
}

/// ron says "expected comma" for a missing `,` and for a fractional number in an integer field.
fn expected_comma(text: &str, at: Location) -> LoadError {
    if char_at(text, at) == Some('.') && char_before(text, at).is_some_and(|c| c.is_ascii_digit()) {
        let line = line_text(text, at.line);
        let before: Vec<char> = line.chars().take(at.column.saturating_sub(1)).collect();
        let digits = before
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit() || **c == '-')
            .count();
        let start = Location {
            line: at.line,
            column: at.column - digits,
        };
        let field = field_before(text, start);
        let for_field = field
            .as_deref()
            .map_or_else(String::new, |f| format!(" for `{f}`"));
        let example = field.map_or_else(|| "60".to_owned(), |f| format!("{f}: 60"));
        return LoadError::at(
            Some(start),
            format!(
                "expected a whole number{for_field}, found {}",
                found_at(text, start)
            ),
        )
        .with_help(format!(
            "this field takes whole numbers only, for example `{example}`"
        ));
    }
    // Point just after the value that wants a comma, not at the next line.
    let previous = previous_token_end(text, at).unwrap_or(at);
    LoadError::at(Some(previous), "expected `,` after this value")
        .with_help("separate fields and list items with `,`")
}

/// The first non-blank position at or after `at` (or `at` when only blanks follow).
fn skip_blank(text: &str, at: Location) -> Location {
    let mut here = at;
    for c in rest_from(text, at).chars() {
        match c {
            '\n' => {
                here.line += 1;
                here.column = 1;
            }
            c if c.is_whitespace() => here.column += 1,
            _ => return here,
        }
    }
    at
}

fn line_text(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

fn char_at(text: &str, at: Location) -> Option<char> {
    line_text(text, at.line)
        .chars()
        .nth(at.column.saturating_sub(1))
}

fn char_before(text: &str, at: Location) -> Option<char> {
    at.column
        .checked_sub(2)
        .and_then(|index| line_text(text, at.line).chars().nth(index))
}

/// The text from `at` to the end.
fn rest_from(text: &str, at: Location) -> &str {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if index + 1 == at.line {
            let within: usize = line
                .chars()
                .take(at.column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return &text[offset + within..];
        }
        offset += line.len();
    }
    ""
}

fn rest_is_blank(text: &str, at: Location) -> bool {
    rest_from(text, at).lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with("//")
    })
}

/// The end of the last non-blank text before `at` (where a missing `,` belongs).
fn previous_token_end(text: &str, at: Location) -> Option<Location> {
    let mut line = at.line;
    let mut limit = at.column.saturating_sub(1);
    loop {
        let content: String = line_text(text, line).chars().take(limit).collect();
        let trimmed = content.trim_end();
        if !trimmed.is_empty() {
            return Some(Location {
                line,
                column: trimmed.chars().count() + 1,
            });
        }
        line = line.checked_sub(1).filter(|l| *l > 0)?;
        limit = usize::MAX;
    }
}

/// The field whose value starts at `at` (`status` in `status: "200"`).
fn field_before(text: &str, at: Location) -> Option<String> {
    let before: String = line_text(text, at.line)
        .chars()
        .take(at.column.saturating_sub(1))
        .collect();
    let before = before.trim_end().strip_suffix(':')?.trim_end();
    let name: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty()).then_some(name)
}

/// What the text at `at` is, for "found ...": `a text "200"`, `the number 200.5`, `a list`.
fn found_at(text: &str, at: Location) -> String {
    let rest = rest_from(text, at);
    let token: String = match rest.chars().next() {
        None => return "the end of the file".to_owned(),
        Some('"') => {
            let inner: String = rest[1..]
                .chars()
                .take_while(|c| *c != '"' && *c != '\n')
                .collect();
            return format!("the text `\"{}\"`", shorten(&inner));
        }
        Some('(') => return "a `( ... )` block".to_owned(),
        Some('[') => return "a list `[ ... ]`".to_owned(),
        Some('{') => return "a map `{ ... }`".to_owned(),
        Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
            let number: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
                .collect();
            return format!("`{number}`");
        }
        Some(c) if c.is_alphabetic() || c == '_' => rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect(),
        Some('\\') => rest.chars().take(2).collect(),
        Some(c) => c.to_string(),
    };
    format!("`{}`", shorten(&token))
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// `200` when the value at `at` is a quoted number (`"200"`).
fn unquoted_number(text: &str, at: Location) -> Option<String> {
    let rest = rest_from(text, at).strip_prefix('"')?;
    let inner = &rest[..rest.find('"')?];
    inner
        .trim()
        .parse::<f64>()
        .is_ok()
        .then(|| inner.trim().to_owned())
}

fn nearest<'a>(found: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(found, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(found.len()) / 2 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Checks serde cannot make: unique ids, wires that name existing nodes.
fn check_references(text: &str, design: &Design) -> Result<(), LoadError> {
    let mut seen = std::collections::BTreeSet::new();
    for node in &design.nodes {
        if !seen.insert(node.id.as_str()) {
            return Err(LoadError::at(
                find_nth_location(text, &format!("id: \"{}\"", node.id), 2),
                format!("two nodes have the id `{}`", node.id),
            )
            .with_help("node ids must be unique; rename one of them"));
        }
    }
    let mut wires = std::collections::BTreeSet::new();
    for wire in &design.wires {
        for end in [&wire.from, &wire.to] {
            if !seen.contains(end.as_str()) {
                let mut error = LoadError::at(
                    find_location(text, &format!("\"{end}\"")),
                    format!(
                        "the wire `{}` -> `{}` names node `{end}`, which does not exist",
                        wire.from, wire.to
                    ),
                );
                let ids: Vec<&str> = seen.iter().copied().collect();
                error = match nearest(end, &ids) {
                    Some(name) => error.with_help(format!("did you mean `{name}`?")),
                    None => error.with_help(format!(
                        "add the node or remove the wire; the nodes are: {}",
                        ids.join(", ")
                    )),
                };
                return Err(error);
            }
        }
        if !wires.insert((wire.from.as_str(), wire.to.as_str())) {
            return Err(LoadError::at(
                find_nth_location(text, &format!("to: \"{}\"", wire.to), 2),
                format!("there are two wires from `{}` to `{}`", wire.from, wire.to),
            )
            .with_help("keep one wire per pair of nodes"));
        }
    }
    Ok(())
}

/// Numbers must be finite: RON accepts `NaN` and `inf`, which no rate, share or position means.
fn check_numbers(text: &str, design: &Design) -> Result<(), LoadError> {
    use crate::model::NodeKind;
    let mut bad: Option<String> = None;
    let mut note = |finite: bool, what: String| {
        if !finite && bad.is_none() {
            bad = Some(what);
        }
    };
    for node in &design.nodes {
        if let NodeKind::Client(client) = &node.kind {
            let id = &node.id;
            note(
                client.requests_per_second.is_finite(),
                format!("`requests_per_second` of node `{id}`"),
            );
            for (region, share) in &client.regions {
                note(
                    share.is_finite(),
                    format!("the share of region `{region}` in node `{id}`"),
                );
            }
            for request in &client.scenario {
                note(
                    request.weight.is_finite(),
                    format!("the weight of request `{}` in node `{id}`", request.name),
                );
            }
        }
    }
    for (id, pos) in &design.layout {
        note(
            pos.x.is_finite() && pos.y.is_finite(),
            format!("the position of node `{id}`"),
        );
    }
    let Some(what) = bad else {
        return Ok(());
    };
    // Point at the value (after `: `), not at a word such as "info" in some text.
    let location = [": NaN", ": inf", ": -inf", ": +inf", ": -NaN"]
        .iter()
        .filter_map(|token| find_location(text, token))
        .min()
        .map(|at| Location {
            line: at.line,
            column: at.column + 2,
        });
    Err(
        LoadError::at(location, format!("{what} is not a finite number"))
            .with_help("write an ordinary number such as `1.0`; `NaN` and `inf` mean nothing here"),
    )
}

fn find_location(text: &str, needle: &str) -> Option<Location> {
    find_nth_location(text, needle, 1)
}

fn find_nth_location(text: &str, needle: &str, nth: usize) -> Option<Location> {
    let offset = text.match_indices(needle).nth(nth.saturating_sub(1))?.0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    Some(Location { line, column })
}

/// The canonical text of a design.
pub fn to_string(design: &Design) -> String {
    let mut design = design.clone();
    design.canonicalize();
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .new_line("\n")
        .struct_names(false)
        .separate_tuple_members(false)
        .enumerate_arrays(false)
        .compact_arrays(false)
        .escape_strings(false)
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    match options().to_string_pretty(&design, config) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Serialising plain data to a String cannot fail; keep a readable fallback anyway.
        Err(err) => format!("// could not serialise design: {err}\n"),
    }
}

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The message says it all (`path: cause`), so the cause is not also a `source()`: error
    /// reports that print the chain would say it twice.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{0}")]
    Load(LoadError),
}

/// Read and parse a design file.
pub fn load(path: &Path) -> Result<Design, FileError> {
    let text = read_text(path)?;
    parse(&text).map_err(|mut err| {
        err.path = Some(path.to_owned());
        FileError::Load(err)
    })
}

/// Read a design file's text; bytes that are not UTF-8 give a [`LoadError`] that says where.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes = std::fs::read(path).map_err(|cause| FileError::Io {
        path: path.to_owned(),
        cause,
    })?;
    decode(bytes).map_err(|mut err| {
        err.path = Some(path.to_owned());
        FileError::Load(err)
    })
}

/// Bytes to text, or where the first byte that is not UTF-8 is.
pub fn decode(bytes: Vec<u8>) -> Result<String, LoadError> {
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..valid]);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let mut error = LoadError::at(
            Some(Location { line, column }),
            format!(
                "this file is not UTF-8 text (byte 0x{:02x} at offset {valid})",
                bytes.get(valid).copied().unwrap_or_default()
            ),
        )
        .with_help(
            "design files are UTF-8; save it as UTF-8 in your editor, or restore it from \
             version control if it was damaged",
        );
        let lossy = String::from_utf8_lossy(bytes);
        error.source_line = lossy.lines().nth(line - 1).map(str::to_owned);
        error
    })
}

/// Write a design atomically in canonical form.
pub fn save(path: &Path, design: &Design) -> Result<(), FileError> {
    write_atomic(path, to_string(design).as_bytes())
}

/// Write bytes to `path` so that readers see the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let io = |cause| FileError::Io {
        path: path.to_owned(),
        cause,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map_or_else(|| "design".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows opening directories.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"(
    version: 1,
    name: "t",
    nodes: [
        (
            id: "api",
            kind: Worker(
                routes: [
                    (
                        method: GET,
                        path: "/x/:id",
                        steps: [
                            KvGet(
                                binding: "CACHE",
                                key: "item:{params.id}",
                                into: "item",
                            ),
                            Respond(
                                status: 200,
                                body: Object({
                                    "id": Ref("params.id"),
                                    "item": Ref("item"),
                                    "tags": Json(["a", 1, true, ()]),
                                }),
                            ),
                        ],
                    ),
                ],
            ),
        ),
        (
            id: "kv",
            kind: Kv(),
        ),
    ],
    wires: [
        (
            from: "api",
            to: "kv",
            binding: "CACHE",
        ),
    ],
    layout: {
        "api": (
            x: 0.0,
            y: 0.0,
        ),
    },
)
"#;

    #[test]
    fn parse_then_save_is_stable() {
        let design = parse(SMALL).expect("parses");
        let text = to_string(&design);
        let again = parse(&text).expect("reparses");
        assert_eq!(design, again);
        assert_eq!(text, to_string(&again));
    }

    #[test]
    fn unknown_field_suggests_the_nearest() {
        let err = parse(&SMALL.replace("into: \"item\"", "int: \"item\"")).expect_err("fails");
        assert!(err.message.contains("unknown field `int`"), "{err}");
        assert!(
            err.help.as_deref().unwrap_or("").contains("`into`"),
            "{err}"
        );
    }

    #[test]
    fn byte_order_mark_and_crlf_are_accepted() {
        let design = parse(SMALL).expect("parses");
        let windows = format!("\u{feff}{}", SMALL.replace('\n', "\r\n"));
        assert_eq!(parse(&windows).expect("parses"), design);
    }

    #[test]
    fn newer_version_is_refused() {
        let err = parse(&SMALL.replace("version: 1", "version: 9")).expect_err("fails");
        assert!(err.message.contains("version 9"), "{err}");
    }

    #[test]
    fn save_is_atomic_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.ron");
        let design = parse(SMALL).expect("parses");
        save(&path, &design).expect("saves");
        assert_eq!(load(&path).expect("loads"), design);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("lists")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
