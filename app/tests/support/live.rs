//! What the tests of a running design share: a runtime for the app's engine, the app on it,
//! waiting for the engine, and a right-click on a card.

use std::time::Duration;

use edgewire::ui::{AppOptions, EdgewireApp};
use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;

/// A runtime for the app's engine (two threads, as on the CI machines).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The app on the reference example with `runtime` for its engine, in the dark theme, in a
/// window of `size`.
pub fn app_on_sized(
    runtime: &tokio::runtime::Runtime,
    size: [f32; 2],
) -> Harness<'static, EdgewireApp> {
    let mut options = AppOptions::headless();
    options.runtime = Some(runtime.handle().clone());
    Harness::builder()
        .with_size(size)
        .with_theme(egui::Theme::Dark)
        .build_eframe(|cc| EdgewireApp::new(cc, options))
}

/// [`app_on_sized`] at 1400x900.
pub fn app_on(runtime: &tokio::runtime::Runtime) -> Harness<'static, EdgewireApp> {
    app_on_sized(runtime, [1400.0, 900.0])
}

/// Step frames until `done` holds (the engine works on another thread); bounded.
pub fn wait_for(
    harness: &mut Harness<'_, EdgewireApp>,
    what: &str,
    done: impl Fn(&EdgewireApp) -> bool,
) {
    for _ in 0..600 {
        harness.step();
        if done(harness.state()) {
            harness.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = harness.state().run_state();
    panic!(
        "gave up waiting for {what}: {:?}, response {:?}, {} traces",
        run.status,
        run.response,
        run.traces.len()
    );
}

/// Start the engine with its state in `state` (the Run button) and wait until it runs.
pub fn start_engine(harness: &mut Harness<'_, EdgewireApp>, state: &std::path::Path) {
    use egui_kittest::kittest::Queryable as _;
    harness.state_mut().run_state_mut().state_root = Some(state.to_path_buf());
    harness.step();
    harness.get_by_label("▶ Run").click();
    wait_for(harness, "the engine to start", |app| {
        app.run_state().is_running()
            || matches!(
                app.run_state().status,
                edgewire::ui::run::RunStatus::Failed(_)
            )
    });
    assert!(
        harness.state().run_state().is_running(),
        "{:?}",
        harness.state().run_state().status
    );
}

/// Send `path` (GET, with the reference example's API key) from the Run tab's console and
/// wait for its answer; returns its status.
pub fn send(harness: &mut Harness<'_, EdgewireApp>, path: &str) -> u16 {
    use egui_kittest::kittest::Queryable as _;
    let traces = harness.state().run_state().traces.len();
    let run = harness.state_mut().run_state_mut();
    run.console.method = "GET".into();
    run.console.path = path.into();
    run.console.headers = "x-api-key: demo-key-123".into();
    run.response = None;
    harness.step();
    harness.get_by_label("Send request").click_accesskit();
    wait_for(harness, "the response", |app| {
        app.run_state().response.is_some() && app.run_state().traces.len() > traces
    });
    match harness.state().run_state().response.clone() {
        Some(Ok(response)) => response.status,
        other => panic!("no answer to {path}: {other:?}"),
    }
}

/// Right-click the card of node `id` where it is drawn on screen.
pub fn right_click_node(harness: &mut Harness<'_, EdgewireApp>, id: &str) {
    let state = harness.state();
    let rect = state
        .canvas()
        .node_screen_rect(state.document(), id)
        .expect("the node is on the canvas");
    let pos = rect.center();
    harness.hover_at(pos);
    harness.step();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    harness.run_ok();
}
