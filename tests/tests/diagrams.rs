//! `edgewire diagram` output is Mermaid that Mermaid itself parses: every example, and a
//! design whose ids and names are Mermaid keywords and special characters.

use edgewire_engine::{diagram, format};
use edgewire_tests::{designs, tooling};

/// Ids that are Mermaid keywords, labels with quotes, pipes, `#`, `<` and a newline.
const TRICKY: &str = r#"(version: 1, name: "A \"quoted\" | name #1 <b>\nsecond line", nodes: [
  (id: "c", kind: Client()),
  (id: "end", kind: Worker()),
  (id: "graph", kind: Worker()),
  (id: "a-b", kind: Kv()),
  (id: "a_b", kind: Kv()),
  (id: "subgraph", kind: D1()),
  (id: "style", kind: Hyperdrive(origin_region: "us-east")),
  (id: "n", kind: Note(text: "a note")),
], wires: [
  (from: "c", to: "end"),
  (from: "end", to: "graph", binding: "GRAPH"),
  (from: "graph", to: "a-b", binding: "KV"),
  (from: "graph", to: "a_b", binding: "KV2"),
  (from: "graph", to: "subgraph", binding: "DB"),
  (from: "graph", to: "style", binding: "HD"),
])"#;

#[test]
fn mermaid_parses_every_diagram() {
    let Some(node_modules) = tooling::node_modules_for("Mermaid check") else {
        return;
    };
    // Beside node_modules, so that the script's imports resolve there.
    let mut charts = Vec::new();
    for path in designs::ron_files(&designs::examples_folder()) {
        let design = format::load(&path).expect("example loads");
        let name = designs::stem(&path);
        charts.push((name, diagram::mermaid(&design)));
    }
    assert!(charts.len() >= 4, "the examples are found");
    let tricky = format::parse(TRICKY).expect("the tricky design parses");
    charts.push(("tricky".to_owned(), diagram::mermaid(&tricky)));
    // A control: the check must be able to fail.
    charts.push((
        "broken".to_owned(),
        "flowchart LR\n  a[[x]] --> b(\n".to_owned(),
    ));

    let verdicts = tooling::node_verdicts(
        &node_modules,
        (
            "mermaid-check.mjs",
            include_str!("../tooling/mermaid-check.mjs"),
        ),
        "mmd",
        &charts,
    );
    tooling::assert_verdicts(verdicts, "ok (flowchart-v2)", |v| v.contains("Parse error"));
}
