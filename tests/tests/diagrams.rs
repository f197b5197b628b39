//! `edgewire diagram` output is Mermaid that Mermaid itself parses: every example, and a
//! design whose ids and names are Mermaid keywords and special characters.

use edgewire_engine::{diagram, format};
use edgewire_tests::{designs, parity_required, tooling};

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
    let node_modules = match tooling::node_modules() {
        Ok(dir) => dir,
        Err(reason) => {
            assert!(
                !parity_required(),
                "the Mermaid check is required but: {reason}"
            );
            eprintln!("SKIPPED Mermaid check: {reason}");
            return;
        }
    };
    // Beside node_modules, so that the script's imports resolve there.
    let tooling_dir = node_modules.parent().expect("tooling folder");
    let scratch = tempfile::tempdir_in(tooling_dir).expect("scratch folder");
    let script = scratch.path().join("mermaid-check.mjs");
    std::fs::write(&script, include_str!("../tooling/mermaid-check.mjs")).expect("script");

    let mut charts = Vec::new();
    for path in designs::ron_files(&designs::examples_folder()) {
        let design = format::load(&path).expect("example loads");
        let name = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
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

    let mut files = Vec::new();
    for (name, chart) in &charts {
        let file = scratch.path().join(format!("{name}.mmd"));
        std::fs::write(&file, chart).expect("chart");
        files.push(file);
    }
    let output = tooling::command("node", &node_modules, scratch.path())
        .arg(&script)
        .args(&files)
        .current_dir(scratch.path())
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    for (name, _) in &charts {
        let line = report
            .lines()
            .find(|line| line.contains(&format!("{name}.mmd: ")))
            .unwrap_or_else(|| {
                panic!(
                    "no verdict for {name}:\n{report}\n{}",
                    String::from_utf8_lossy(&output.stderr)
                )
            });
        if name == "broken" {
            assert!(line.contains("Parse error"), "{line}");
        } else {
            assert!(line.ends_with(": ok (flowchart-v2)"), "{line}");
        }
    }
}
