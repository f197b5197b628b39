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
    let mut harness = simulation_harness();
    let before = overall(&harness);
    harness.get_by_label("Single region").click();
    harness.step();
    harness.step();
    // The list's item (the latency table, which has the name too, is collapsed).
    let choices = harness.get_all_by_label("ap-southeast").count();
    assert!(choices >= 1, "the list did not open ({choices})");
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

/// The app on the reference example with the Simulation tab open.
fn simulation_harness() -> Harness<'static, EdgewireApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_theme(egui::Theme::Dark)
        .build_eframe(|cc| EdgewireApp::new(cc, AppOptions::headless()));
    harness.step();
    harness.state_mut().push(UiCommand::ShowSimulation);
    harness.step();
    harness.step();
    harness
}

fn label_of(harness: &Harness<'_, EdgewireApp>, part: &str) -> String {
    let node = harness.get_by_label_contains(part);
    let node = node.accesskit_node();
    node.label().or_else(|| node.value()).expect("text")
}

/// Picks `choice` in the combo box labelled `combo` (the list item, not a label with the
/// same text).
fn choose(harness: &mut Harness<'_, EdgewireApp>, combo: &str, choice: &str) {
    harness.get_by_label(combo).click_accesskit();
    for _ in 0..3 {
        harness.step();
    }
    harness
        .get_all_by_label(choice)
        .find(|n| n.accesskit_node().role() != Role::Label)
        .unwrap_or_else(|| panic!("{choice} in the list of {combo}"))
        .click();
    harness.step();
    harness.step();
}

#[test]
fn the_map_shows_the_client_regions_and_switches_to_one_region() {
    let mut harness = simulation_harness();
    let map = label_of(&harness, "World map, global design");
    assert!(map.contains("3 client region(s)"), "{map}");
    // London has 40% of the traffic; its marker says so with its p50.
    let london = label_of(&harness, "eu-west: 40% of requests");
    assert!(london.contains("p50"), "{london}");
    harness
        .get_by_label("Single region (us-east)")
        .click_accesskit();
    harness.step();
    harness.step();
    let map = label_of(&harness, "World map, all in us-east");
    // Everyone but us-east travels to us-east.
    assert!(map.contains("2 trip(s)"), "{map}");
    // The single-region p50 from Singapore crosses the Pacific: over 200 ms.
    let singapore = label_of(&harness, "ap-southeast: 25% of requests");
    let ms: f64 = singapore
        .split("p50 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a p50");
    assert!(ms > 200.0, "{singapore}");
}

#[test]
fn a_failing_node_shows_the_share_of_requests_that_fail() {
    let mut harness = simulation_harness();
    choose(&mut harness, "Failing node", "app-db (D1 database)");
    choose(&mut harness, "Fails in", "eu-west");
    let summary = label_of(&harness, "of requests fail");
    assert!(
        summary.contains("app-db failing in eu-west: 13.9% of requests fail"),
        "{summary}"
    );
    let london = label_of(&harness, "eu-west: 40% of requests");
    assert!(london.ends_with("23.9% fail"), "{london}");
    let map = label_of(&harness, "World map, global design");
    assert!(map.contains("failing in eu-west"), "{map}");
    // Everywhere: every write and every read of app-db fails.
    choose(&mut harness, "Fails in", "everywhere");
    let summary = label_of(&harness, "of requests fail");
    assert!(summary.contains("app-db failing everywhere"), "{summary}");
    assert_eq!(
        harness.state().document().design.name,
        "Global API",
        "the design is unchanged"
    );
}

#[test]
fn simulation_tab_snapshot() {
    use edgewire::ui::simulation::SimulationState;
    let design = edgewire_engine::format::parse(include_str!("../../examples/global-api.ron"))
        .expect("the reference example parses");
    let mut installed = false;
    let mut harness = Harness::builder()
        .with_size([1280.0, 640.0])
        .with_theme(egui::Theme::Dark)
        .build_ui_state(
            move |ui, state: &mut SimulationState| {
                if !installed {
                    edgewire::ui::theme::install(ui.ctx());
                    installed = true;
                }
                state.ui(ui, &design, 0);
            },
            SimulationState::default(),
        );
    harness.run_ok();
    harness.snapshot("simulation_dark");
}
