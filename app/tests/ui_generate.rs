//! Designs that write themselves, in the app: "Add CRUD routes…" from a D1 database's
//! context menu, a recipe from a gateway's, and Ctrl+. on a selected wire; each one undo
//! step.

mod support;

use edgewire::ui::commands::{Command, UiCommand};
use edgewire_engine::model::Auth;
use edgewire_engine::{Design, NodeKind, Wire};
use eframe::egui::{self, Modifiers};
use egui_kittest::kittest::Queryable as _;
use support::live::right_click_node;

fn notes_base() -> Design {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../engine/tests/generate/notes-base.ron"
    );
    edgewire_engine::format::load(std::path::Path::new(path)).expect("base design")
}

#[test]
fn crud_routes_come_from_the_database_context_menu_and_undo_in_one_step() {
    let mut harness = support::app();
    let base = notes_base();
    harness.state_mut().set_design(base.clone());
    harness.state_mut().canvas_mut().request_fit();
    harness.run_ok();

    right_click_node(&mut harness, "notes-db");
    harness.run_ok();
    harness.get_by_label("Add CRUD routes…").click();
    harness.run_ok();
    // The window says what it will add before anything changes.
    harness.get_by_label_contains("new Worker `notes-api`");
    assert_eq!(harness.state().document().design, base);

    harness.get_by_label("Add routes").click();
    harness.run_ok();
    let design = &harness.state().document().design;
    assert!(
        design.node("notes-api").is_some(),
        "a Worker answers the routes"
    );
    assert!(!harness.state().document().diagnostics().has_errors());
    assert!(
        harness.query_by_label("Add routes").is_none(),
        "the window closed"
    );

    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert_eq!(harness.state().document().design, base, "one undo step");
}

#[test]
fn a_gateway_switches_to_jwt_and_the_secret_lands_in_dev_vars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.ron");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/global-api.ron");
    std::fs::copy(example, &file).expect("copy");
    std::fs::write(dir.path().join("shop.dev.vars"), "API_KEY=demo-key-123\n").expect("vars");
    let mut harness = support::app();
    harness.state_mut().open(&file);
    harness.run_ok();

    right_click_node(&mut harness, "gateway");
    harness.run_ok();
    harness.get_by_label("Switch to JWT authentication").click();
    harness.run_ok();
    let design = &harness.state().document().design;
    let Some(NodeKind::Gateway(gateway)) = design.node("gateway").map(|n| &n.kind) else {
        panic!("gateway");
    };
    assert!(
        matches!(gateway.auth, Auth::Jwt { .. }),
        "{:?}",
        gateway.auth
    );
    let vars = std::fs::read_to_string(dir.path().join("shop.dev.vars")).expect("vars");
    assert!(
        vars.starts_with("API_KEY=demo-key-123\nJWT_SECRET="),
        "{vars}"
    );
    assert_eq!(vars.lines().count(), 2);
}

#[test]
fn ctrl_period_lists_the_fixes_of_the_selected_wire() {
    let mut harness = support::app();
    let mut design = harness.state().document().design.clone();
    design.wires.push(Wire::new("config", "products", "P"));
    harness.state_mut().set_design(design.clone());
    harness
        .state_mut()
        .push(Command::Select(edgewire::ui::commands::Selection::wire(
            "config", "products",
        )));
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Period);
    harness.run_ok();
    harness
        .get_by_label_contains("Quick fix WIR001:")
        .click_accesskit();
    harness.run_ok();
    assert!(
        !harness
            .state()
            .document()
            .design
            .wires
            .iter()
            .any(|w| w.from == "config"),
        "the wire the platform does not allow is gone"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert_eq!(harness.state().document().design, design);

    // Nothing selected: the status bar says what to do.
    harness
        .state_mut()
        .push(Command::Select(edgewire::ui::commands::Selection::default()));
    harness.state_mut().push(UiCommand::QuickFix);
    harness.run_ok();
    harness.get_by_label_contains("press Ctrl+. for its fixes");
}

#[test]
fn recipes_run_from_the_command_palette_on_the_selection() {
    let mut harness = support::app();
    let before = harness.state().document().design.clone();
    support::run_on(&mut harness, "products", UiCommand::CacheAside);
    let Some(NodeKind::Worker(worker)) = harness
        .state()
        .document()
        .design
        .node("products")
        .map(|n| n.kind.clone())
    else {
        panic!("products");
    };
    // GET /products is cached; GET /products/:id already reads KV first and is left alone.
    assert!(matches!(
        worker.routes[0].steps[0],
        edgewire_engine::model::Step::KvGet { .. }
    ));
    assert!(!harness.state().document().diagnostics().has_errors());
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert_eq!(harness.state().document().design, before, "one undo step");

    // Read replication is already on for the reference's D1: the status bar says so.
    support::run_on(&mut harness, "app-db", UiCommand::ReadReplication);
    harness.get_by_label_contains("its read replicas are already on");
}
