//! Run: the embedded engine on the reference example, driven through the Run tab.

mod support;

use edgewire::ui::EdgewireApp;
use eframe::egui;
use egui_kittest::kittest::Queryable as _;
use support::live::{app_on, runtime, start_engine, wait_for};

#[test]
fn runs_the_reference_example_and_traces_a_request() {
    let runtime = runtime();
    let state = tempfile::tempdir().expect("temp dir");
    let mut harness = app_on(&runtime);
    start_engine(&mut harness, state.path());
    harness.get_by_label("Copy URL");

    // Pick the scenario's "get product" request and send it.
    harness.get_by_label("Scenario").click();
    harness.step();
    harness.step();
    harness.get_by_label("get product").click();
    harness.step();
    assert_eq!(harness.state().run_state().console.path, "/products/1");
    harness.get_by_label("Send request").click_accesskit();
    wait_for(&mut harness, "the response", |app| {
        app.run_state().response.is_some() && !app.run_state().traces.is_empty()
    });
    let response = harness
        .state()
        .run_state()
        .response
        .clone()
        .expect("response")
        .expect("answered");
    assert_eq!(response.status, 200, "{}", response.body);
    harness.get_by_label("Status 200");
    // The body is shown indented, in a text box the user can select and copy from.
    let body = harness
        .get_by_label("Response body")
        .value()
        .expect("body text");
    assert!(body.starts_with("{\n  \"currency\": "), "{body}");
    harness.get_by_label_contains("GET /products/1  200");

    // Selecting the trace shows its hops, and brings its nodes into view when the canvas
    // looks elsewhere.
    let in_view = |app: &EdgewireApp, id: &str| {
        let canvas = app.canvas();
        let design = &app.document().design;
        let rect = canvas.node_rect(design.node(id).expect("node"), &design.layout);
        canvas.rect.contains_rect(egui::Rect::from_min_max(
            canvas.to_screen(rect.min),
            canvas.to_screen(rect.max),
        ))
    };
    harness.state_mut().canvas_mut().pan = egui::vec2(-6000.0, -6000.0);
    harness.step();
    assert!(!in_view(harness.state(), "products"));
    harness
        .get_by_label_contains("GET /products/1  200")
        .click_accesskit();
    harness.step();
    harness.step();
    for id in ["gateway", "products", "config"] {
        assert!(in_view(harness.state(), id), "{id} is in view");
    }
    let trace = harness
        .state()
        .run_state()
        .selected()
        .cloned()
        .expect("selected");
    assert!(trace.hops.iter().any(|h| h.node == "products"));
    assert!(
        !harness
            .state()
            .run_state()
            .highlighted_wires(&harness.state().document().design)
            .is_empty()
    );

    // Editing the design while it runs offers a restart.
    harness
        .state_mut()
        .push(edgewire::ui::commands::Command::AddNode {
            kind: edgewire_engine::Kind::Note,
            pos: None,
        });
    harness.step();
    harness.step();
    harness.get_by_label("Restart to apply");

    // A small load run finishes and reports percentiles.
    harness.state_mut().run_state_mut().load_count = 24;
    harness.get_by_label("Send load").click_accesskit();
    wait_for(&mut harness, "the load run", |app| {
        app.run_state()
            .load
            .as_ref()
            .is_some_and(|l| l.done() == 24)
    });
    harness.get_by_label_contains("req/s");

    // The whole scenario: every request gets a verdict.
    harness.get_by_label("Run scenario").click_accesskit();
    wait_for(&mut harness, "the scenario", |app| {
        app.run_state().scenario_pending == 0 && !app.run_state().scenario.is_empty()
    });
    let outcomes = &harness.state().run_state().scenario;
    assert!(
        outcomes
            .iter()
            .any(|o| o.name == "get product" && o.passed())
    );
    harness.get_by_label_contains("Scenario: ");

    harness.get_by_label("■ Stop engine").click_accesskit();
    wait_for(&mut harness, "the engine to stop", |app| {
        !app.run_state().is_running() && !app.run_state().is_busy()
    });
}

#[test]
fn load_follows_the_scenario_weights() {
    let design = edgewire_engine::format::parse(edgewire::ui::examples::reference().text)
        .expect("reference example");
    let plan = edgewire::ui::run::load_plan(&design, 100);
    assert_eq!(plan.len(), 100);
    let lists = plan
        .iter()
        .filter(|(r, _)| r.path == "/products" && r.method == "GET")
        .count();
    let gets = plan.iter().filter(|(r, _)| r.path == "/products/1").count();
    // "list products" weighs 3; the two "/products/1" requests weigh 10 each.
    assert!(lists > 0 && gets > 5 * lists, "{lists} list vs {gets} get");
}

#[test]
fn a_design_with_errors_does_not_start() {
    let runtime = runtime();
    let mut harness = app_on(&runtime);
    let mut design = harness.state().document().design.clone();
    // A wire to a node that does not exist is an error.
    design
        .wires
        .push(edgewire_engine::Wire::new("gateway", "nowhere", "NOWHERE"));
    harness.state_mut().set_design(design);
    harness.step();
    harness.get_by_label("▶ Run").click();
    harness.step();
    harness.step();
    assert!(harness.state().run_state().refused);
    assert!(!harness.state().run_state().is_running());
    assert!(harness.query_all_by_label_contains("Problem ").count() > 0);
}

/// "Clients in" and the layout make the running engine wait what the simulator says a request
/// from there waits; the trace keeps that network time apart from the work.
#[test]
fn clients_in_another_region_wait_the_simulated_network_time() {
    let runtime = runtime();
    let state = tempfile::tempdir().expect("temp dir");
    let mut harness = app_on(&runtime);
    let design = edgewire_engine::format::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/kv-only.ron"
    )))
    .expect("example");
    harness.state_mut().set_design(design);
    let run = harness.state_mut().run_state_mut();
    run.clients_in = Some("ap-southeast".into());
    run.layout = edgewire_engine::simulate::Layout::SingleRegion("us-east".into());
    start_engine(&mut harness, state.path());
    harness.get_by_label("Clients in");
    harness.get_by_label("Layout");
    harness.state_mut().run_state_mut().console.path = "/notes/1".into();
    harness.get_by_label("Send request").click_accesskit();
    wait_for(&mut harness, "the trace", |app| {
        !app.run_state().traces.is_empty()
    });
    let trace = harness.state().run_state().traces[0].clone();
    let network: f64 = trace.hops.iter().filter_map(|h| h.network_ms).sum();
    // ap-southeast to us-east and back is about 200 ms in the simulator's data.
    assert!(network > 100.0, "network time {network} ms: {trace:?}");

    // Another choice while it runs: the panel offers to restart.
    harness.state_mut().run_state_mut().clients_in = None;
    harness.step();
    harness.get_by_label("Restart to apply");
}
