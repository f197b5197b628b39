//! `edgewire openapi` documents pass a real OpenAPI 3.1 validator: every example, the test
//! designs, and the reference example with contracts on every kind of input.

use edgewire_engine::{format, openapi};
use edgewire_tests::{designs, tooling};

fn designs() -> Vec<(String, edgewire_engine::Design)> {
    designs::folders()
        .iter()
        .flat_map(|folder| designs::ron_files(folder))
        .map(|path| {
            let design = format::load(&path).expect("design loads");
            let name = designs::stem(&path);
            (name, design)
        })
        .collect()
}

#[test]
fn every_openapi_document_is_valid_openapi_3_1() {
    let Some(node_modules) = tooling::node_modules_for("OpenAPI check") else {
        return;
    };
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

    let verdicts = tooling::node_verdicts(
        &node_modules,
        (
            "openapi-check.mjs",
            include_str!("../tooling/openapi-check.mjs"),
        ),
        "json",
        &documents,
    );
    tooling::assert_verdicts(verdicts, "ok", |v| v.starts_with("invalid: "));
}
