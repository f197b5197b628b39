//! The Simulation tab: what-if toggles change the numbers.

use edgewire::ui::commands::UiCommand;
use edgewire::ui::{AppOptions, EdgewireApp};
use eframe::egui::{self, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

fn overall(harness: &Harness<'_, EdgewireApp>) -> String {
    let node = harness.get_by_label_contains("Overall p50");
    let node = node.accesskit_node();
    node.label().or_else(|| node.value()).expect("text")
}

#[test]
fn a_toggle_changes_the_estimate() {
    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_theme(egui::Theme::Dark)
        .build_eframe(|cc| EdgewireApp::new(cc, AppOptions::headless()));
    harness.step();
    harness.state_mut().push(UiCommand::ShowSimulation);
    harness.step();
    harness.step();
    let before = overall(&harness);
    harness.get_by_label("Single region").click();
    harness.step();
    harness.step();
    let choices = harness.get_all_by_label("ap-southeast").count();
    assert!(choices >= 2, "the list did not open ({choices})");
    harness
        .get_all_by_label("ap-southeast")
        .find(|n| n.accesskit_node().role() != Role::Label)
        .expect("the region in the list")
        .click_accesskit();
    harness.step();
    harness.step();
    let after = overall(&harness);
    assert_ne!(before, after);
    harness.get_by_label_contains("all in ap-southeast");
}
