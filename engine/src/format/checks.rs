//! Reading around a location in the text, and the checks serde cannot make (unique ids,
//! wires between existing nodes, finite numbers).

use crate::model::Design;

use super::{LoadError, Location};

/// The first non-blank position at or after `at` (or `at` when only blanks follow).
pub(super) fn skip_blank(text: &str, at: Location) -> Location {
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

pub(super) fn line_text(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

pub(super) fn char_at(text: &str, at: Location) -> Option<char> {
    line_text(text, at.line)
        .chars()
        .nth(at.column.saturating_sub(1))
}

pub(super) fn char_before(text: &str, at: Location) -> Option<char> {
    at.column
        .checked_sub(2)
        .and_then(|index| line_text(text, at.line).chars().nth(index))
}

/// The text from `at` to the end.
pub(super) fn rest_from(text: &str, at: Location) -> &str {
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

pub(super) fn rest_is_blank(text: &str, at: Location) -> bool {
    rest_from(text, at).lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with("//")
    })
}

/// The end of the last non-blank text before `at` (where a missing `,` belongs).
pub(super) fn previous_token_end(text: &str, at: Location) -> Option<Location> {
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
pub(super) fn field_before(text: &str, at: Location) -> Option<String> {
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
pub(super) fn found_at(text: &str, at: Location) -> String {
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

pub(super) fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// `200` when the value at `at` is a quoted number (`"200"`).
pub(super) fn unquoted_number(text: &str, at: Location) -> Option<String> {
    let rest = rest_from(text, at).strip_prefix('"')?;
    let inner = &rest[..rest.find('"')?];
    inner
        .trim()
        .parse::<f64>()
        .is_ok()
        .then(|| inner.trim().to_owned())
}

pub(super) fn nearest<'a>(found: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(found, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(found.len()) / 2 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Checks serde cannot make: unique ids, wires that name existing nodes.
pub(super) fn check_references(text: &str, design: &Design) -> Result<(), LoadError> {
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
pub(super) fn check_numbers(text: &str, design: &Design) -> Result<(), LoadError> {
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

pub(super) fn find_location(text: &str, needle: &str) -> Option<Location> {
    find_nth_location(text, needle, 1)
}

pub(super) fn find_nth_location(text: &str, needle: &str, nth: usize) -> Option<Location> {
    let offset = text.match_indices(needle).nth(nth.saturating_sub(1))?.0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    Some(Location { line, column })
}
