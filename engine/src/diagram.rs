//! The design as a diagram others can render: a Mermaid flowchart, which GitHub, GitLab,
//! Notion and most Markdown tools draw from a fenced ```` ```mermaid ```` block.
//!
//! Each node is one Mermaid node, labelled with its id and kind and shaped by kind. Wires
//! become arrows labelled with their binding name; a Client's wires are labelled `requests`.
//! Notes are left out: they are comments on the canvas, not parts of the system.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::model::{Design, KINDS, Kind};

/// The design as a Mermaid flowchart, left to right.
pub fn mermaid(design: &Design) -> String {
    let ids = mermaid_ids(design);
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: {}\n---", title_text(&design.name));
    out.push_str("flowchart LR\n");
    let mut kinds = BTreeSet::new();
    for node in &design.nodes {
        let kind = node.kind.kind();
        let Some(id) = ids.get(node.id.as_str()) else {
            continue;
        };
        let label = match &node.kind {
            crate::NodeKind::Worker(crate::model::Worker {
                code: Some(code), ..
            }) => format!(
                "{}<br/>{} ({})",
                text(&node.id),
                kind.label(),
                if code.external { "external" } else { "code" }
            ),
            _ => format!("{}<br/>{}", text(&node.id), kind.label()),
        };
        let (open, close) = kind.spec().mermaid_shape;
        let _ = writeln!(
            out,
            "    {id}{open}\"{label}\"{close}:::{}",
            kind.spec().mermaid_class
        );
        kinds.insert(kind);
    }
    for wire in &design.wires {
        let (Some(from), Some(to)) = (ids.get(wire.from.as_str()), ids.get(wire.to.as_str()))
        else {
            continue;
        };
        let from_client = design
            .node(&wire.from)
            .is_some_and(|n| n.kind.kind() == Kind::Client);
        let label = if wire.binding.is_empty() {
            if from_client { "requests" } else { "" }.to_owned()
        } else {
            text(&wire.binding)
        };
        if label.is_empty() {
            let _ = writeln!(out, "    {from} --> {to}");
        } else {
            let _ = writeln!(out, "    {from} -->|\"{label}\"| {to}");
        }
    }
    for spec in KINDS.iter().filter(|spec| kinds.contains(&spec.kind)) {
        let Some(fill) = spec.mermaid_fill else {
            continue;
        };
        let [r, g, b] = spec.accent;
        let _ = writeln!(
            out,
            "    classDef {} fill:{fill},stroke:#{r:02x}{g:02x}{b:02x},color:#1f2328",
            spec.mermaid_class
        );
    }
    out
}

/// Mermaid node ids for the nodes drawn: the node id with every character outside
/// `[A-Za-z0-9_]` replaced by `_`, prefixed so that no id is a Mermaid keyword (`end`),
/// and numbered when two ids would collide.
fn mermaid_ids(design: &Design) -> BTreeMap<&str, String> {
    let mut taken = BTreeSet::new();
    let mut ids = BTreeMap::new();
    for node in &design.nodes {
        if node.kind.kind() == Kind::Note {
            continue;
        }
        let base: String = node
            .id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let base = format!("n_{base}");
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        ids.insert(node.id.as_str(), id);
    }
    ids
}

/// Text inside a quoted Mermaid label: quotes and the characters Mermaid or its HTML
/// labels treat specially are written as entity codes.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The front-matter title: one line of YAML, quoted.
fn title_text(name: &str) -> String {
    let name = if name.trim().is_empty() {
        "Untitled design"
    } else {
        name
    };
    let escaped: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Node, Wire};

    #[test]
    fn the_reference_example() {
        let text = include_str!("../../examples/global-api.ron");
        let design = crate::format::parse(text).expect("parses");
        insta::assert_snapshot!(mermaid(&design));
    }

    #[test]
    fn ids_and_labels_are_safe_for_mermaid() {
        let mut design = Design::new("A \"quoted\" name\nwith a newline");
        design.nodes = [
            ("end", Kind::Worker),
            ("a-b", Kind::Kv),
            ("a_b", Kind::D1),
            ("note", Kind::Note),
        ]
        .into_iter()
        .map(|(id, kind)| Node::new(id, kind.default_node_kind()))
        .collect();
        design.wires.push(Wire::new("end", "a-b", "KV"));
        design.wires.push(Wire::new("end", "a_b", "DB|x"));
        design.wires.push(Wire::new("end", "note", ""));
        let chart = mermaid(&design);
        assert!(chart.starts_with("---\ntitle: \"A \\\"quoted\\\" name with a newline\"\n---\n"));
        assert!(chart.contains("    n_end[\"end<br/>Worker\"]:::worker\n"));
        assert!(chart.contains("    n_a_b[/\"a-b<br/>KV namespace\"/]:::kv\n"));
        assert!(chart.contains("    n_a_b_2[(\"a_b<br/>D1 database\")]:::d1\n"));
        assert!(chart.contains("    n_end -->|\"KV\"| n_a_b\n"));
        assert!(chart.contains("    n_end -->|\"DB#124;x\"| n_a_b_2\n"));
        assert!(!chart.contains("note"), "notes are left out:\n{chart}");
        assert!(
            !chart.contains("classDef client"),
            "only kinds in use are styled"
        );
    }
}
