//! Names: binding names (JavaScript identifiers, unique per node) and node ids (Worker script
//! names, unique, not empty).

use crate::model::{JS_RESERVED_WORDS, is_js_identifier, to_lower_kebab, to_upper_snake};

use super::context::{Ctx, FastMap, FastSet};
use super::{Diagnostic, Severity, Target};

/// Globals a binding must not shadow, besides the reserved words.
const RESERVED_GLOBALS: [&str; 2] = ["NaN", "Infinity"];

/// Longest Worker script name the platform accepts.
/// Source: <https://developers.cloudflare.com/workers/wrangler/configuration/> (`name`:
/// alphanumeric characters and dashes only); 63 is the longest DNS label, which the name
/// becomes in `<name>.<subdomain>.workers.dev`.
pub const MAX_SCRIPT_NAME_CHARS: usize = 63;

pub fn is_reserved_word(name: &str) -> bool {
    // Every reserved word starts with a lowercase letter, `N` or `I`: skip the table for the
    // usual upper case binding names.
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == 'N' || c == 'I')
        && (JS_RESERVED_WORDS.contains(&name) || RESERVED_GLOBALS.contains(&name))
}

/// Why `name` is not a valid Worker script name, if it is not.
pub fn script_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if name.chars().count() > MAX_SCRIPT_NAME_CHARS {
        return Some(format!(
            "it is {} characters long; the limit is {MAX_SCRIPT_NAME_CHARS}",
            name.chars().count()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "it contains `{bad}`; only lowercase letters, digits and `-` are allowed"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it starts or ends with `-`".to_owned());
    }
    None
}

/// A suggestion for a script name: lower case, other characters as dashes, trimmed.
fn suggest_script_name(name: &str) -> String {
    let mut suggestion = to_lower_kebab(name).trim_matches('-').to_owned();
    suggestion.truncate(MAX_SCRIPT_NAME_CHARS);
    if suggestion.is_empty() {
        "my-service".to_owned()
    } else {
        suggestion.trim_end_matches('-').to_owned()
    }
}

/// BND003: binding names must be JavaScript identifiers and not reserved words, because the
/// generated code reads them as `env.NAME`.
pub fn binding_identifiers(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for wire in &ctx.design.wires {
        let name = wire.binding.as_str();
        if name.is_empty() {
            continue;
        }
        let problem = if !is_js_identifier(name) {
            "is not a JavaScript identifier (letters, digits, `_` or `$`, not starting with a digit)"
        } else if is_reserved_word(name) {
            "is a JavaScript reserved word"
        } else {
            continue;
        };
        let example = to_upper_snake(name);
        let example = if example.starts_with(|c: char| c.is_ascii_digit()) || is_reserved_word(name)
        {
            format!("B_{example}")
        } else {
            example
        };
        out.push(
            Diagnostic::new(
                "BND003",
                Severity::Error,
                Target::Wire {
                    from: wire.from.clone(),
                    to: wire.to.clone(),
                },
                format!("binding name `{name}` {problem}"),
            )
            .help(format!(
                "rename the binding to an upper snake case identifier, for example `{example}`"
            )),
        );
    }
}

/// BND004: two wires of one node share a binding name, so `env.NAME` would be ambiguous.
pub fn unique_bindings(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for links in ctx.links_by_source() {
        // Most nodes have a handful of wires: compare pairs; index the gateway's many.
        let mut index: FastMap<&str, &str> = FastMap::default();
        for (position, link) in links.iter().enumerate() {
            let wire = link.wire;
            if wire.binding.is_empty() {
                continue;
            }
            let earlier = if links.len() <= 16 {
                links[..position]
                    .iter()
                    .find(|l| l.wire.binding == wire.binding)
                    .map(|l| l.wire.to.as_str())
            } else {
                let first = index.entry(&wire.binding).or_insert(&wire.to);
                (!std::ptr::eq(*first, wire.to.as_str())).then_some(*first)
            };
            let Some(other) = earlier else { continue };
            let target = Target::Wire {
                from: wire.from.clone(),
                to: wire.to.clone(),
            };
            let diagnostic = if other == wire.to {
                Diagnostic::new(
                    "BND004",
                    Severity::Error,
                    target,
                    format!(
                        "{} has two wires to {} named `{}`",
                        wire.from, wire.to, wire.binding
                    ),
                )
                .help("delete one of the two wires")
            } else {
                Diagnostic::new(
                    "BND004",
                    Severity::Error,
                    target,
                    format!(
                        "{} uses binding name `{}` for both {other} and {}",
                        wire.from, wire.binding, wire.to
                    ),
                )
                .help(format!(
                    "give each binding of a node its own name, for example `{}_2`",
                    wire.binding
                ))
            };
            out.push(diagnostic);
        }
    }
}

/// NAM001: Gateway and Worker ids are their script names on the platform.
pub fn script_names(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        if !node.kind.kind().is_worker() || node.id.is_empty() {
            continue;
        }
        if let Some(problem) = script_name_problem(&node.id) {
            out.push(
                Diagnostic::new(
                    "NAM001",
                    Severity::Error,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!("`{}` is not a valid Worker script name: {problem}", node.id),
                )
                .help(format!(
                    "rename the node to lowercase letters, digits and dashes, at most \
                     {MAX_SCRIPT_NAME_CHARS} characters, for example `{}`",
                    suggest_script_name(&node.id)
                )),
            );
        }
    }
}

/// NAM002: two nodes share an id (files are checked on load; edits could still do it).
pub fn unique_ids(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = FastSet::default();
    seen.reserve(ctx.design.nodes.len());
    for node in &ctx.design.nodes {
        if !node.id.is_empty() && !seen.insert(node.id.as_str()) {
            out.push(
                Diagnostic::new(
                    "NAM002",
                    Severity::Error,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!("two nodes have the id `{}`", node.id),
                )
                .help(format!(
                    "rename one of them, for example to `{}-2`",
                    node.id
                )),
            );
        }
    }
}

/// NAM003: a node without an id cannot be wired, deployed or named in messages.
pub fn empty_ids(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        if node.id.trim().is_empty() {
            let kind = node.kind.kind();
            out.push(
                Diagnostic::new(
                    "NAM003",
                    Severity::Error,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    format!("a {kind} has an empty id"),
                )
                .help(format!("give it an id, for example `{}`", kind.id_base())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        add_worker, assert_contains, base, only, only_after, reported_after, reports,
    };
    use super::*;
    use crate::model::{Node, NodeKind, Note, Wire};

    #[test]
    fn js_identifier_rules() {
        assert!(is_js_identifier("PRODUCTS"));
        assert!(is_js_identifier("$db_1"));
        assert!(!is_js_identifier("1DB"));
        assert!(!is_js_identifier("MY-DB"));
        assert!(is_reserved_word("class"));
    }

    #[test]
    fn binding_names_must_be_identifiers() {
        let mut design = base();
        assert!(!reports(&design, "BND003"));
        design.wires[2].binding = "MY-CACHE".into();
        assert!(reports(&design, "BND003"));
        design.wires[2].binding = "default".into();
        assert!(reports(&design, "BND003"));
    }

    #[test]
    fn binding_names_are_unique_per_node() {
        let mut design = base();
        assert!(!reports(&design, "BND004"));
        // Same name from two different nodes is fine.
        design.wires.push(Wire::new("gateway", "cache", "CACHE"));
        assert!(!reports(&design, "BND004"));
        design.wires[3].binding = "CACHE".into();
        assert!(reports(&design, "BND004"));
    }

    #[test]
    fn binding_names_are_unique_on_a_node_with_many_wires() {
        let mut design = base();
        for i in 0..20 {
            let id = format!("svc-{i}");
            add_worker(&mut design, &id);
            design
                .wires
                .push(Wire::new("gateway", id, format!("SVC_{i}")));
        }
        let found = only_after(design, "BND004", |design| {
            design.wires.push(Wire::new("gateway", "svc-3", "SVC_7"));
        });
        assert_contains(&found.message, "both svc-7 and svc-3");
    }

    #[test]
    fn worker_ids_must_be_script_names() {
        assert_eq!(script_name_problem("products-v2"), None);
        assert!(script_name_problem("Products").is_some());
        assert!(script_name_problem("-api").is_some());
        assert!(script_name_problem(&"a".repeat(64)).is_some());
        let mut design = base();
        assert!(!reports(&design, "NAM001"));
        add_worker(&mut design, "My_Service");
        let found = only(&design, "NAM001");
        assert_contains(found.help.as_deref().unwrap_or_default(), "`my-service`");
        // Stores are not scripts.
        let mut design = base();
        design.nodes.push(Node::new(
            "Notes_1",
            NodeKind::Note(Note { text: "x".into() }),
        ));
        assert!(!reports(&design, "NAM001"));
    }

    #[test]
    fn ids_must_be_unique() {
        reported_after(base(), "NAM002", |design| {
            add_worker(design, "items");
        });
    }

    #[test]
    fn ids_must_not_be_empty() {
        reported_after(base(), "NAM003", |design| {
            add_worker(design, "");
        });
    }
}
