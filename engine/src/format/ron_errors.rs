//! ron's terse syntax and type errors rewritten: where, what was found, and what to do.

use super::{LoadError, Location};

use super::checks::{
    char_at, char_before, field_before, found_at, line_text, nearest, previous_token_end,
    rest_is_blank, skip_blank, unquoted_number,
};

pub(super) fn ron_error(text: &str, err: &ron::error::SpannedError) -> LoadError {
    // ron's span may start on the blank before the value; point at the value itself.
    let at = skip_blank(
        text,
        Location {
            line: err.span.start.line,
            column: err.span.start.col,
        },
    );
    // Anything but blanks and comments left after the error? If not, the file was cut short.
    if rest_is_blank(text, at) && !matches!(err.code, ron::Error::TrailingCharacters) {
        return truncated(text);
    }
    let site = Site {
        text,
        at,
        field: field_before(text, at),
    };
    name_error(&site, &err.code)
        .or_else(|| value_error(&site, &err.code))
        .unwrap_or_else(|| syntax_error(&site, &err.code))
}

/// Where ron reported an error: the text, the located value and the field it belongs to.
struct Site<'a> {
    text: &'a str,
    at: Location,
    field: Option<String>,
}

impl Site<'_> {
    /// Names the field in a message (" for `ttl_secs`"), or nothing outside a field.
    fn for_field(&self) -> String {
        self.field
            .as_deref()
            .map_or_else(String::new, |f| format!(" for `{f}`"))
    }

    /// The field's name for an example, or `value`.
    fn example_field(&self) -> &str {
        self.field.as_deref().unwrap_or("value")
    }

    /// What the text holds at the error, for a message.
    fn found(&self) -> String {
        found_at(self.text, self.at)
    }
}

/// The help for an unknown name: the nearest `expected` one when one is near, then all of
/// them after `valid` (`valid fields: a, b`, or ``did you mean `a`? Valid fields: a, b``).
fn did_you_mean(found: &str, expected: &[&str], valid: &str) -> String {
    let list = format!("{valid}: {}", expected.join(", "));
    match nearest(found, expected) {
        Some(name) => {
            let (first, rest) = list.split_at(1);
            format!(
                "did you mean `{name}`? {}{rest}",
                first.to_ascii_uppercase()
            )
        }
        None => list,
    }
}

/// Unknown, missing and repeated field names, unknown variants.
fn name_error(site: &Site, code: &ron::Error) -> Option<LoadError> {
    use ron::Error as E;
    let location = Some(site.at);
    let error = match code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let error = LoadError::at(
                location,
                format!("unknown field `{found}`{}", within(outer.as_deref())),
            );
            error.with_help(did_you_mean(found, expected, "valid fields"))
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = outer
                .as_deref()
                .map_or_else(|| "variant".to_owned(), enum_label);
            LoadError::at(location, format!("unknown {what} `{found}`"))
                .with_help(did_you_mean(found, expected, "valid"))
        }
        E::ExpectedDifferentStructName { expected: "Design", found } => LoadError::at(
            location,
            format!("this is not an Edgewire design: it starts with `{found}`"),
        )
        .with_help("a design file starts with `(` and `version: 1,`; compare with `examples/global-api.ron`"),
        E::ExpectedDifferentStructName { expected, found } => LoadError::at(
            location,
            format!(
                "unexpected name `{found}` before `(`{}",
                within(Some(expected))
            ),
        )
        .with_help(format!("remove `{found}` and keep the `( ... )`")),
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
        _ => return None,
    };
    Some(error)
}

/// A value of the wrong type or out of range.
fn value_error(site: &Site, code: &ron::Error) -> Option<LoadError> {
    use ron::Error as E;
    let (text, at, location) = (site.text, site.at, Some(site.at));
    let (for_field, example_field) = (site.for_field(), site.example_field());
    let error = match code {
        E::ExpectedInteger | E::ExpectedFloat => {
            let (what, how, example) = if matches!(code, E::ExpectedInteger) {
                ("a whole number", "write digits only", "60")
            } else {
                ("a number", "write a number", "0.5")
            };
            let help = match unquoted_number(text, at) {
                Some(number) => unquote_help(example_field, &number),
                None => format!("{how}, for example `{example_field}: {example}`"),
            };
            LoadError::at(
                location,
                format!("expected {what}{for_field}, found {}", site.found()),
            )
            .with_help(help)
        }
        E::ExpectedString | E::ExpectedStringEnd if char_at(text, at) != Some('"') => {
            LoadError::at(
                location,
                format!(
                    "expected a text in double quotes{for_field}, found {}",
                    site.found()
                ),
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
                site.found()
            ),
        )
        .with_help(format!("for example `{example_field}: true`")),
        E::IntegerOutOfBounds => out_of_range(text, at),
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
                site.found()
            ),
        )
        .with_help(format!(
            "write `{example_field}: ( ... )` with `name: value` pairs inside"
        )),
        E::ExpectedArray => LoadError::at(
            location,
            format!(
                "expected a list `[ ... ]`{for_field}, found {}",
                site.found()
            ),
        )
        .with_help(format!(
            "write `{example_field}: [ ... ]`, items separated by `,`"
        )),
        E::ExpectedMap => LoadError::at(
            location,
            format!(
                "expected a map `{{ ... }}`{for_field}, found {}",
                site.found()
            ),
        )
        .with_help(format!(
            "write `{example_field}: {{ \"key\": value, ... }}`"
        )),
        _ => return None,
    };
    Some(error)
}

/// A number too large (or negative where it cannot be): located at its sign, if any.
fn out_of_range(text: &str, at: Location) -> LoadError {
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

/// Punctuation, escapes, comments and whatever else ron reports (in its own words).
fn syntax_error(site: &Site, code: &ron::Error) -> LoadError {
    use ron::Error as E;
    let (text, at, location) = (site.text, site.at, Some(site.at));
    match code {
        E::Eof => truncated(text),
        E::ExpectedComma => expected_comma(text, at),
        E::ExpectedMapColon => LoadError::at(location, "expected `:` between a key and its value")
            .with_help("map entries are written `\"key\": value`"),
        E::ExpectedIdentifier => LoadError::at(
            location,
            format!("expected a field name, found {}", site.found()),
        )
        .with_help(HELP_FIELD_PAIRS),
        E::ExpectedArrayEnd
        | E::ExpectedMapEnd
        | E::ExpectedStructLikeEnd
        | E::ExpectedOptionEnd => {
            let close = match code {
                E::ExpectedArrayEnd => ']',
                E::ExpectedMapEnd => '}',
                _ => ')',
            };
            LoadError::at(
                location,
                format!(
                    "expected `,` or the closing `{close}`, found {}",
                    site.found()
                ),
            )
            .with_help("a `,` or a closing bracket is missing before this")
        }
        E::TrailingCharacters => LoadError::at(
            location,
            format!("unexpected {} after the end of the design", site.found()),
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
        E::ExceededRecursionLimit => LoadError::at(
            location,
            format!(
                "the design nests too deeply here: more than {MAX_NESTING} levels of `( )`, `[ ]` \
                 and `{{ }}` inside one another"
            ),
        )
        .with_help(
            "a handler this deep cannot be followed by a reader either: put the inner steps in a \
             route of their own and reach it with `Call`, or test conditions one after another \
             (each `If` ending with `Respond`) instead of inside one another",
        ),
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

/// How deep RON may nest before the reader refuses (its own default, which keeps the stack
/// safe).
pub(super) const MAX_NESTING: usize = 128;

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

pub(super) fn unquote_help(field: &str, number: &str) -> String {
    format!("write the number without quotes: `{field}: {number}`")
}

pub(super) fn truncated(text: &str) -> LoadError {
    let line = text.lines().count().max(1);
    let column = text.lines().last().map_or(0, |l| l.chars().count()) + 1;
    LoadError::at(Some(Location { line, column }), "the file ends too early")
        .with_help(HELP_TRUNCATED)
}

/// ` in a scenario request`: where an unknown or missing field is, in the user's words.
pub(super) fn within(outer: Option<&str>) -> String {
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
pub(super) fn enum_label(name: &str) -> String {
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
pub(super) fn expected_comma(text: &str, at: Location) -> LoadError {
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
