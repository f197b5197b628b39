//! The desktop app, driven through its accessibility tree with `egui_kittest`.

mod support;

use std::path::PathBuf;

use edgewire::ui::commands::{Command, UiCommand};
use edgewire::ui::files::{Recovery, ScriptedDialogs};
use edgewire::ui::{AppOptions, EdgewireApp, StopSignal};
use edgewire_engine::format;
use edgewire_engine::validate::validate;
use eframe::egui::{self, Modifiers, Pos2, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

fn harness() -> Harness<'static, EdgewireApp> {
    support::app()
}

fn harness_with(theme: egui::Theme) -> Harness<'static, EdgewireApp> {
    support::app_with(AppOptions::headless(), theme)
}

/// Move the pointer in small steps so egui sees a drag.
fn drag(harness: &mut Harness<'_, EdgewireApp>, from: Pos2, to: Pos2) {
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    for i in 1..=10 {
        let t = i as f32 / 10.0;
        harness.hover_at(from + (to - from) * t);
        harness.step();
    }
    harness.drop_at(to);
    harness.step();
    harness.run_ok();
}

/// Drag from node `from`'s output port onto the middle of node `to`'s card, as drawing a
/// wire does.
fn draw_wire(harness: &mut Harness<'_, EdgewireApp>, from: &str, to: &str) {
    let app = harness.state();
    let port = app
        .canvas()
        .output_port_screen(app.document(), from)
        .unwrap_or_else(|| panic!("{from} has a port"));
    let target = app
        .canvas()
        .node_screen_rect(app.document(), to)
        .unwrap_or_else(|| panic!("{to} is on the canvas"))
        .center();
    drag(harness, port, target);
}

fn problem_labels(harness: &Harness<'_, EdgewireApp>) -> Vec<String> {
    harness
        .query_all_by_label_contains("Problem ")
        .filter_map(|n| n.accesskit_node().label())
        .collect()
}

/// The Problems list shows what validation reports, in order (the rows in view of its
/// scrolled list), and is empty exactly when validation finds nothing.
fn assert_lists(shown: &[String], expected: &[String]) {
    assert_eq!(
        shown.is_empty(),
        expected.is_empty(),
        "{shown:?} vs {expected:?}"
    );
    assert!(expected.starts_with(shown), "{shown:?} vs {expected:?}");
}

#[test]
fn opens_on_the_reference_example() {
    let harness = harness();
    for id in [
        "web",
        "gateway",
        "products",
        "users",
        "orders",
        "app-db",
        "config",
        "orders-db",
    ] {
        harness.get_by_label(&format!("Node {id}"));
    }
    harness.get_by_label("Wire gateway → products: PRODUCTS");
    harness.get_by_label("Wire products → config: CONFIG");
    assert_eq!(harness.state().document().design.name, "Global API");
    assert!(!harness.state().document().is_dirty());
}

#[test]
fn palette_adds_a_kv_node_and_wiring_a_worker_to_it_names_the_binding() {
    let mut harness = harness();
    harness.get_by_label("Add KV namespace").click();
    harness.run_ok();
    let design = &harness.state().document().design;
    assert!(design.contains("kv"), "the palette added a KV node");
    assert_eq!(
        harness.state().selection().single().map(String::as_str),
        Some("kv")
    );

    // What validation says about the new, unwired KV node is listed in Problems.
    let expected: Vec<_> = validate(design)
        .iter()
        .map(|d| format!("Problem {}: {}", d.code, d.message))
        .collect();
    assert_lists(&problem_labels(&harness), &expected);
    let about_kv_before = validate(design)
        .iter()
        .filter(|d| d.target.node() == Some("kv"))
        .count();

    // Wire the orders Worker to it by dragging from its port onto the KV card.
    draw_wire(&mut harness, "orders", "kv");

    let design = &harness.state().document().design;
    let wire = design
        .wires
        .iter()
        .find(|w| w.from == "orders" && w.to == "kv")
        .expect("wired");
    assert_eq!(wire.binding, "CACHE");
    harness.get_by_label("Wire orders → kv: CACHE");

    // Problems about the KV node being unused go away once it is wired (with or without
    // validation rules in this build, the list follows validation exactly).
    let after: Vec<_> = validate(design)
        .iter()
        .map(|d| format!("Problem {}: {}", d.code, d.message))
        .collect();
    assert_lists(&problem_labels(&harness), &after);
    let about_kv_after = validate(design)
        .iter()
        .filter(|d| d.target.node() == Some("kv") && d.message.contains("unreachable"))
        .count();
    assert!(about_kv_after <= about_kv_before);
}

#[test]
fn a_forbidden_wire_is_refused() {
    let mut harness = harness();
    let wires = harness.state().document().design.wires.len();
    // A Client cannot call a D1 database directly.
    draw_wire(&mut harness, "web", "app-db");
    assert_eq!(harness.state().document().design.wires.len(), wires);
}

#[test]
fn renaming_a_binding_in_the_inspector_relabels_the_wire_and_undo_redo_follow() {
    let mut harness = harness();
    harness
        .get_by_label("Wire products → config: CONFIG")
        .click_accesskit();
    harness.run_ok();
    let field = harness.get_by_label("Binding name");
    assert_eq!(field.value().as_deref(), Some("CONFIG"));
    field.focus();
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Binding name").type_text("CATALOG");
    harness.run_ok();
    harness.key_press(egui::Key::Enter);
    harness.run_ok();

    harness.get_by_label("Wire products → config: CATALOG");
    let design = &harness.state().document().design;
    assert!(design.binding("products", "CATALOG").is_some());
    assert!(design.binding("products", "CONFIG").is_none());
    assert!(harness.state().document().is_dirty());

    // Undo brings the old name back everywhere; redo renames again.
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    harness.get_by_label("Wire products → config: CONFIG");
    assert!(!harness.state().document().is_dirty());
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::Z);
    harness.run_ok();
    harness.get_by_label("Wire products → config: CATALOG");
}

#[test]
fn moving_a_node_is_one_undo_step() {
    let mut harness = harness();
    let app = harness.state();
    let rect = app
        .canvas()
        .node_screen_rect(app.document(), "users")
        .expect("users");
    let before = app.document().design.layout["users"];
    let from = rect.center();
    drag(&mut harness, from, from + egui::vec2(0.0, 60.0));
    let after = harness.state().document().design.layout["users"];
    assert!(after.y > before.y, "the node moved down");
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert_eq!(harness.state().document().design.layout["users"], before);
}

#[test]
fn save_then_reopen_gives_the_same_design() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("saved.ron");
    let mut harness = harness();
    harness.get_by_label("Add D1 database").click();
    harness.run_ok();
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        save: vec![path.clone()],
        ..ScriptedDialogs::default()
    }));
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::S);
    harness.run_ok();
    assert!(path.exists(), "saved through the dialog");
    assert!(!harness.state().document().is_dirty());
    let mut saved = harness.state().document().design.clone();
    saved.canonicalize();
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        format::to_string(&saved)
    );

    let mut reopened = harness_with(egui::Theme::Light);
    reopened.state_mut().push(Command::OpenPath(path.clone()));
    reopened.run_ok();
    let mut design = reopened.state().document().design.clone();
    design.canonicalize();
    assert_eq!(design, saved);
    assert_eq!(
        reopened.state().document().path.as_deref(),
        Some(path.as_path())
    );
}

#[test]
fn a_file_that_fails_to_load_shows_where_and_keeps_the_design() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("broken.ron");
    std::fs::write(
        &path,
        "(\n    version: 1,\n    name: \"Broken\",\n    nodez: [],\n)\n",
    )
    .expect("write");
    let mut harness = harness();
    let before = harness.state().document().design.clone();
    harness.state_mut().push(Command::OpenPath(path));
    harness.run_ok();
    harness.get_by_label("This file could not be opened");
    harness.get_by_label_contains("line 4");
    harness.get_by_label_contains("nodez");
    assert_eq!(harness.state().document().design, before);
    harness.get_by_role_and_label(Role::Button, "OK").click();
    harness.run_ok();
    assert!(
        harness
            .query_by_label("This file could not be opened")
            .is_none()
    );
}

#[test]
fn delete_copy_and_paste_go_through_design_text() {
    let mut harness = harness();
    harness.get_by_label("Node config").click_accesskit();
    harness.run_ok();
    harness.event(egui::Event::Copy);
    harness.run_ok();
    let copied = support::copied(&harness).into_iter().next();
    // The copy may have been reported in an earlier step; the design text is what matters.
    let text = copied.unwrap_or_else(|| {
        let design = &harness.state().document().design;
        edgewire::ui::ops::selection_text(design, &["config".to_owned()].into())
    });
    assert!(
        format::parse(&text).is_ok(),
        "the clipboard holds design text"
    );
    harness.event(egui::Event::Paste(text));
    harness.run_ok();
    assert!(harness.state().document().design.contains("config-2"));
    harness.key_press(egui::Key::Delete);
    harness.run_ok();
    assert!(!harness.state().document().design.contains("config-2"));
}

#[test]
fn the_command_palette_finds_commands_and_nodes() {
    let mut harness = harness();
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::K);
    harness.run_ok();
    harness.event(egui::Event::Text("orders-db".into()));
    harness.run_ok();
    harness.get_by_label("Go to orders-db (Hyperdrive)").click();
    harness.run_ok();
    assert_eq!(
        harness.state().selection().single().map(String::as_str),
        Some("orders-db")
    );
    let _ = UiCommand::TidyUp;
}

#[test]
fn reference_example_snapshot_dark() {
    let mut harness = harness_with(egui::Theme::Dark);
    harness.snapshot("reference_dark");
}

#[test]
fn reference_example_snapshot_light() {
    let mut harness = harness_with(egui::Theme::Light);
    harness.snapshot("reference_light");
}

#[test]
fn the_inspector_has_a_form_for_every_node_kind() {
    let mut harness = harness();
    for (node, field) in [
        ("web", "Requests per second"),
        ("gateway", "Authentication"),
        ("products", "Query SQL"),
        ("config", "Seed value"),
        ("app-db", "Migration SQL"),
        ("orders-db", "Origin region"),
        ("about", "Note"),
    ] {
        support::reveal(&mut harness, node);
        assert_eq!(
            harness.state().selection().single().map(String::as_str),
            Some(node)
        );
        assert!(
            harness.query_all_by_label(field).next().is_some(),
            "the {node} form has a {field} field"
        );
        assert_eq!(
            harness.get_by_label("Node name").value().as_deref(),
            Some(node)
        );
    }
}

/// A Respond step whose body is an object lays its fields out above the Headers row, not
/// across it (the body row once grew upwards and the buttons overlapped).
#[test]
fn a_respond_body_with_fields_stays_clear_of_its_headers_row() {
    let mut harness = harness();
    support::reveal(&mut harness, "products");
    let add_field: Vec<egui::Rect> = harness
        .query_all_by_label("+ field")
        .map(|n| n.rect())
        .collect();
    let add_header: Vec<egui::Rect> = harness
        .query_all_by_label("+ Header")
        .map(|n| n.rect())
        .collect();
    assert!(!add_field.is_empty() && !add_header.is_empty());
    for field in &add_field {
        for header in &add_header {
            assert!(
                !field.intersects(*header),
                "+ field {field:?} overlaps + Header {header:?}"
            );
        }
    }
    // The first route's Respond: its one field, then `+ field`, then the Headers row.
    let first_field = harness
        .get_all_by_label("Field name")
        .next()
        .expect("a field")
        .rect();
    assert!(first_field.max.y <= add_field[0].min.y);
    assert!(add_field[0].max.y <= add_header[0].min.y);
}

#[test]
fn renaming_a_node_in_the_inspector_renames_its_wires() {
    let mut harness = harness();
    support::reveal(&mut harness, "config");
    let field = harness.get_by_label("Node name");
    field.focus();
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Node name").type_text("settings");
    harness.run_ok();
    harness.key_press(egui::Key::Enter);
    harness.run_ok();
    let design = &harness.state().document().design;
    assert!(design.contains("settings") && !design.contains("config"));
    assert!(
        design
            .binding("products", "CONFIG")
            .is_some_and(|w| w.to == "settings")
    );
    harness.get_by_label("Node settings");
}

#[test]
fn a_stop_signal_keeps_unsaved_changes_for_the_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stop = StopSignal::default();
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .with_max_steps(40)
        .build_eframe(|cc| {
            EdgewireApp::new(
                cc,
                AppOptions {
                    recovery_dir: Some(dir.path().to_owned()),
                    stop: Some(stop.clone()),
                    ..AppOptions::headless()
                },
            )
        });
    harness.run_ok();
    harness.get_by_label("Add D1 database").click();
    harness.run_ok();
    assert!(harness.state().document().is_dirty());
    assert!(!harness.state().is_stopping());

    stop.request();
    harness.run_ok();
    assert!(harness.state().is_stopping(), "the app closes");
    eframe::App::on_exit(harness.state_mut());

    let recovered = Recovery::in_dir(dir.path())
        .read()
        .expect("unsaved changes are in the recovery file");
    let mut unsaved = harness.state().document().design.clone();
    unsaved.canonicalize();
    let mut recovered = recovered.design;
    recovered.canonicalize();
    assert_eq!(recovered, unsaved);
    // The next start offers them back.
    let next = Harness::builder()
        .with_size([1400.0, 860.0])
        .build_eframe(|cc| {
            EdgewireApp::new(
                cc,
                AppOptions {
                    recovery_dir: Some(dir.path().to_owned()),
                    ..AppOptions::headless()
                },
            )
        });
    assert!(
        next.query_all_by_label_contains("Restore unsaved changes")
            .next()
            .is_some()
    );
}

#[test]
fn a_public_gateway_takes_a_custom_domain_and_internal_workers_offer_none() {
    let mut harness = harness();
    harness.get_by_label("Node products").click_accesskit();
    harness.run_ok();
    assert!(
        harness.query_by_label("Custom domain").is_none(),
        "an internal Worker must not offer a public URL"
    );

    harness.get_by_label("Node gateway").click_accesskit();
    harness.run_ok();
    harness.get_by_label("Custom domain").click_accesskit();
    harness.run_ok();
    let domain = |harness: &Harness<'_, EdgewireApp>| {
        harness
            .state()
            .document()
            .design
            .node("gateway")
            .and_then(|n| n.kind.custom_domain().map(str::to_owned))
    };
    assert_eq!(domain(&harness).as_deref(), Some("api.example.com"));
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert_eq!(domain(&harness), None);
}

/// A problem with one remedy has a Fix button in the Problems list: one click fixes it, one
/// Undo brings it back; Design > Fix all safe problems does them all as one undo step.
#[test]
fn problems_with_one_remedy_are_fixed_from_the_problems_list() {
    let mut harness = harness();
    let mut design = harness.state().document().design.clone();
    if let Some(edgewire_engine::NodeKind::Gateway(gateway)) =
        design.node_mut("gateway").map(|n| &mut n.kind)
        && let Some(limit) = gateway.rate_limit.as_mut()
    {
        limit.period_secs = 45;
    }
    design
        .wires
        .push(edgewire_engine::Wire::new("config", "products", "P"));
    harness.state_mut().set_design(design.clone());
    harness.state_mut().push(UiCommand::ShowProblems);
    harness.run_ok();
    let codes = |h: &Harness<'_, EdgewireApp>| -> Vec<&'static str> {
        h.state()
            .document()
            .diagnostics()
            .iter()
            .map(|d| d.code)
            .collect()
    };
    assert!(codes(&harness).contains(&"GWY009") && codes(&harness).contains(&"WIR001"));

    harness
        .get_by_label_contains("Fix GWY009:")
        .click_accesskit();
    harness.run_ok();
    assert!(!codes(&harness).contains(&"GWY009"), "fixed at once");
    assert!(codes(&harness).contains(&"WIR001"), "only that one");
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert!(
        codes(&harness).contains(&"GWY009"),
        "one undo step brings it back"
    );

    harness.state_mut().push(UiCommand::FixAll);
    harness.run_ok();
    assert!(!codes(&harness).contains(&"GWY009") && !codes(&harness).contains(&"WIR001"));
    assert!(!harness.state().document().diagnostics().has_errors());
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
    assert_eq!(
        harness.state().document().design,
        design,
        "all of it in one undo step"
    );
}
