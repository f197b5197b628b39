//! Showing it live: faults on demand from the Run tab and the canvas, presentation mode
//! replaying a request hop by hop, and the bottom panel at 1280x800.

mod support;

use edgewire::ui::commands::UiCommand;
use edgewire_engine::runtime::Fault;
use eframe::egui;
use egui_kittest::kittest::Queryable as _;
use support::live::{app_on, app_on_sized, right_click_node, runtime, send, start_engine};

/// The fault a hop of the newest trace recorded at `node`.
fn fault_at(app: &edgewire::ui::EdgewireApp, node: &str) -> Option<String> {
    let trace = app.run_state().traces.last()?;
    trace
        .hops
        .iter()
        .find(|h| h.node == node)
        .and_then(|h| h.fault.clone())
}

/// Open Faults ▾ in the Run tab (it stays open while choosing).
fn open_faults(harness: &mut egui_kittest::Harness<'_, edgewire::ui::EdgewireApp>) {
    if harness.query_by_label("Clear all faults").is_none() {
        harness.get_by_label("Faults").click();
        harness.run_ok();
    }
}

#[test]
fn a_store_down_from_the_run_tab_fails_requests_until_cleared() {
    let runtime = runtime();
    let state = tempfile::tempdir().expect("temp dir");
    let mut harness = app_on(&runtime);
    start_engine(&mut harness, state.path());
    assert_eq!(send(&mut harness, "/users/1"), 200);

    // Faults ▾ > the database's row > down.
    open_faults(&mut harness);
    harness.get_by_label("app-db: down").click();
    harness.run_ok();
    assert_eq!(
        harness.state().run_state().faults().get("app-db"),
        Some(&Fault::Down)
    );
    // The running engine has it at once, and the card shows it in red.
    let running = harness.state().run_state().engine_faults();
    assert_eq!(running.get("app-db"), Some(&Fault::Down), "{running:?}");
    assert!(
        harness
            .state()
            .canvas()
            .overlay
            .faults
            .contains(&("app-db".to_owned(), "down".to_owned()))
    );

    // A database that is down: the 502 an unreachable store gives; the trace says why.
    assert_eq!(send(&mut harness, "/users/1"), 502);
    assert_eq!(fault_at(harness.state(), "app-db").as_deref(), Some("down"));

    // A database that fails: the query fails its step and the Worker answers its usual 500.
    open_faults(&mut harness);
    harness.get_by_label("app-db: failing (error)").click();
    harness.run_ok();
    assert_eq!(send(&mut harness, "/users/1"), 500);
    assert_eq!(
        fault_at(harness.state(), "app-db").as_deref(),
        Some("error")
    );

    // Clear all: normal service at the next request.
    open_faults(&mut harness);
    harness.get_by_label("Clear all faults").click();
    harness.run_ok();
    assert!(harness.state().run_state().faults().is_empty());
    assert!(harness.state().run_state().engine_faults().is_empty());
    assert_eq!(send(&mut harness, "/users/1"), 200);
    assert!(harness.state().canvas().overlay.faults.is_empty());

    // A script's fault (`POST /__edgewire/faults`, sent here from the console) shows too.
    let run = harness.state_mut().run_state_mut();
    run.console.method = "POST".into();
    run.console.path = "/__edgewire/faults".into();
    run.console.body = r#"{"node": "config", "fault": "down"}"#.into();
    harness.step();
    harness.get_by_label("Send request").click_accesskit();
    support::live::wait_for(&mut harness, "the script's fault", |app| {
        app.run_state().faults().get("config") == Some(&Fault::Down)
    });
    assert!(
        harness
            .state()
            .canvas()
            .overlay
            .faults
            .contains(&("config".to_owned(), "down".to_owned()))
    );
}

#[test]
fn a_slow_cache_from_the_canvas_menu_slows_the_request_and_a_fault_set_before_start_applies() {
    let runtime = runtime();
    let state = tempfile::tempdir().expect("temp dir");
    let mut harness = app_on(&runtime);
    // Set while stopped: applied when the engine starts.
    harness.state_mut().canvas_mut().request_fit();
    harness.run_ok();
    right_click_node(&mut harness, "config");
    harness.get_by_label("Fault").hover();
    harness.run_ok();
    harness.get_by_label("slow (+500 ms)").click();
    harness.run_ok();
    assert_eq!(
        harness.state().run_state().faults().get("config"),
        Some(&Fault::Slow { ms: 500.0 })
    );
    start_engine(&mut harness, state.path());
    assert_eq!(
        harness.state().run_state().engine_faults().get("config"),
        Some(&Fault::Slow { ms: 500.0 })
    );
    assert_eq!(send(&mut harness, "/products/1"), 200);
    let trace = harness
        .state()
        .run_state()
        .traces
        .last()
        .cloned()
        .expect("trace");
    assert!(
        trace.duration_ms >= 500.0,
        "a KV read 500 ms slower makes the request at least that slow: {trace:?}"
    );
    assert_eq!(
        fault_at(harness.state(), "config").as_deref(),
        Some("slow 500 ms")
    );

    // The same menu clears it.
    right_click_node(&mut harness, "config");
    harness.get_by_label("Fault (slow 500 ms)").hover();
    harness.run_ok();
    harness.get_by_label("working").click();
    harness.run_ok();
    assert!(harness.state().run_state().engine_faults().is_empty());
}

#[test]
fn presentation_mode_replays_a_request_hop_by_hop() {
    let runtime = runtime();
    let state = tempfile::tempdir().expect("temp dir");
    let mut harness = app_on(&runtime);
    start_engine(&mut harness, state.path());
    assert_eq!(send(&mut harness, "/products/1"), 200);
    let trace = harness
        .state()
        .run_state()
        .traces
        .last()
        .cloned()
        .expect("trace");

    // F11: the side and bottom panels go, the caption strip comes.
    harness.key_press(egui::Key::F11);
    harness.run_ok();
    assert!(harness.state().is_presenting());
    assert!(
        harness.query_by_label("Client").is_none(),
        "the palette is hidden"
    );
    assert!(
        harness.query_by_label("Send request").is_none(),
        "the Run tab is hidden"
    );
    harness.get_by_label("Global API");
    harness.get_by_label_contains("Space or → starts the replay");

    // Space: the newest request's first hop, arriving at the gateway from the Client.
    harness.key_press(egui::Key::Space);
    harness.run_ok();
    let count = trace.hops.len();
    harness.get_by_label(&format!("Hop 1 of {count}"));
    let hop = harness.state().presented_hop().expect("a hop");
    assert_eq!(hop.node, "gateway");
    assert_eq!(hop.wire, Some(("web".to_owned(), "gateway".to_owned())));
    assert!(hop.times.ends_with("ms work"), "{}", hop.times);

    // →: the gateway calls the products Worker along its wire; the caption says so.
    harness.key_press(egui::Key::ArrowRight);
    harness.run_ok();
    harness.get_by_label(&format!("Hop 2 of {count}"));
    let hop = harness.state().presented_hop().expect("a hop");
    assert_eq!(
        hop.wire,
        Some(("gateway".to_owned(), "products".to_owned()))
    );
    assert!(
        hop.caption.contains("The Worker products"),
        "{}",
        hop.caption
    );
    let replay = harness
        .state()
        .canvas()
        .overlay
        .replay
        .clone()
        .expect("the canvas replays the hop");
    assert_eq!(replay.node, "products");

    // ←: back one hop. Esc: the panels return.
    harness.key_press(egui::Key::ArrowLeft);
    harness.run_ok();
    harness.get_by_label(&format!("Hop 1 of {count}"));
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    assert!(!harness.state().is_presenting());
    harness.get_by_label("Client");
    harness.get_by_label("Send request");
    assert!(harness.state().canvas().overlay.replay.is_none());

    // View > Present enters too.
    harness.state_mut().push(UiCommand::Present);
    harness.run_ok();
    assert!(harness.state().is_presenting());
}

/// A card of 200x80 at the node's position.
fn card(design: &edgewire_engine::Design, node: &edgewire_engine::model::Node) -> egui::Rect {
    let pos = design.layout.get(&node.id).copied().unwrap_or_default();
    egui::Rect::from_min_size(egui::pos2(pos.x, pos.y), egui::vec2(200.0, 80.0))
}

#[test]
fn a_note_touching_a_card_is_its_caption() {
    let design = edgewire_engine::format::parse(include_str!("../../examples/global-api.ron"))
        .expect("reference example");
    // The reference example's note stands apart from every card.
    for node in ["web", "gateway", "products"] {
        assert_eq!(
            edgewire::ui::present::note_beside(&design, node, &|n| card(&design, n)),
            None
        );
    }
    let mut design = design;
    let gateway = design.layout["gateway"];
    let about = design
        .nodes
        .iter()
        .find(|n| n.kind.kind() == edgewire_engine::Kind::Note)
        .map(|n| n.id.clone())
        .expect("a note");
    design.layout.insert(
        about.clone(),
        edgewire_engine::Pos {
            x: gateway.x,
            y: gateway.y + 90.0,
        },
    );
    let text = edgewire::ui::present::note_beside(&design, "gateway", &|n| card(&design, n))
        .expect("the note under the gateway is its caption");
    assert!(text.starts_with("Reference architecture"), "{text}");
}

fn in_view(screen: egui::Rect, what: &str, rect: egui::Rect) {
    assert!(
        screen.contains_rect(rect),
        "`{what}` at {rect:?} is outside the {:?} window",
        screen.size()
    );
}

#[test]
fn the_run_and_simulation_tabs_fit_at_1280_by_800() {
    let runtime = runtime();
    let state = tempfile::tempdir().expect("temp dir");
    let mut harness = app_on_sized(&runtime, [1280.0, 800.0]);
    harness.run_ok();
    harness.get_by_label("Run").click();
    harness.run_ok();
    start_engine(&mut harness, state.path());
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
    for label in [
        "■ Stop engine",
        "Send request",
        "Run scenario",
        "Scenario",
        "Path",
        "Faults",
        "Clients in",
        "Layout",
    ] {
        in_view(screen, label, harness.get_by_label(label).rect());
    }

    // The Simulation tab scrolls at the panel's own height; ⬆ gives it the window, and the
    // map, the latency chart and the cost are all in view.
    harness.get_by_label("Simulation").click();
    harness.run_ok();
    harness.get_by_label("Expand panel").click();
    harness.run_ok();
    for part in [
        "World map, global design",
        "Latency per client region",
        "Monthly cost at",
    ] {
        in_view(screen, part, harness.get_by_label_contains(part).rect());
    }
    harness.get_by_label("Restore panel").click();
    harness.run_ok();
    harness.get_by_label("Expand panel");
}
