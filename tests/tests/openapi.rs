//! `edgewire openapi` documents pass a real OpenAPI 3.1 validator: every example, the test
//! designs, and the reference example with contracts on every kind of input.

use std::path::{Path, PathBuf};

use edgewire_engine::{format, openapi};
use edgewire_tests::{parity_required, tooling};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn designs() -> Vec<(String, edgewire_engine::Design)> {
    let mut out = Vec::new();
    for folder in ["examples", "tests/designs"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(workspace().join(folder))
            .expect("folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "ron"))
            .collect();
        paths.sort();
        for path in paths {
            let design = format::load(&path).expect("design loads");
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            out.push((name, design));
        }
    }
    out
}

#[test]
fn every_openapi_document_is_valid_openapi_3_1() {
    let node_modules = match tooling::node_modules() {
        Ok(dir) => dir,
        Err(reason) => {
            assert!(
                !parity_required(),
                "the OpenAPI check is required but: {reason}"
            );
            eprintln!("SKIPPED OpenAPI check: {reason}");
            return;
        }
    };
    // Beside node_modules, so that the script's imports resolve there.
    let tooling_dir = node_modules.parent().expect("tooling folder");
    let scratch = tempfile::tempdir_in(tooling_dir).expect("scratch folder");
    let script = scratch.path().join("openapi-check.mjs");
    std::fs::write(&script, include_str!("../tooling/openapi-check.mjs")).expect("script");

    let mut documents: Vec<(String, String)> = designs()
        .into_iter()
        .map(|(name, design)| {
            let text = serde_json::to_string_pretty(&openapi::document(&design)).expect("json");
            (name, text)
        })
        .collect();
    assert!(
        documents.len() >= 6,
        "the examples and test designs are found"
    );
    // A control: the check must be able to fail (a response without its description).
    let mut broken = openapi::document(&designs()[0].1);
    broken["components"]["responses"]["Unauthorized"] = serde_json::json!({"content": {}});
    documents.push(("broken".to_owned(), broken.to_string()));

    let mut files = Vec::new();
    for (name, text) in &documents {
        let file = scratch.path().join(format!("{name}.json"));
        std::fs::write(&file, text).expect("document");
        files.push(file);
    }
    let output = tooling::command("node", &node_modules, scratch.path())
        .arg(&script)
        .args(&files)
        .current_dir(scratch.path())
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    for (name, _) in &documents {
        let line = report
            .lines()
            .find(|line| line.contains(&format!("{name}.json: ")))
            .unwrap_or_else(|| {
                panic!(
                    "no verdict for {name}:\n{report}\n{}",
                    String::from_utf8_lossy(&output.stderr)
                )
            });
        if name == "broken" {
            assert!(line.contains(": invalid: "), "{line}");
        } else {
            assert!(line.ends_with(": ok"), "{line}");
        }
    }
}
