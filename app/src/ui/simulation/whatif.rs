//! The what-if toggles above the Simulation tab: D1 primary, read replication, Hyperdrive
//! cache, Smart Placement, origin region, the single region, and a node that fails.

use edgewire_engine::Design;
use edgewire_engine::model::D1_LOCATION_HINTS;
use edgewire_engine::simulate::{Failure, REGIONS, WhatIf};
use eframe::egui;

fn option_combo(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    value: &mut Option<String>,
    choices: &[&str],
) {
    ui.separator();
    let text = value.clone().unwrap_or_else(|| "as designed".to_owned());
    egui::ComboBox::new(id, label)
        .selected_text(text)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "as designed");
            for choice in choices {
                ui.selectable_value(value, Some((*choice).to_owned()), *choice);
            }
        });
}

fn tri_state(ui: &mut egui::Ui, id: &str, label: &str, value: &mut Option<bool>) {
    ui.separator();
    let text = match value {
        None => "as designed",
        Some(true) => "on",
        Some(false) => "off",
    };
    egui::ComboBox::new(id, label)
        .selected_text(text)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "as designed");
            ui.selectable_value(value, Some(true), "on");
            ui.selectable_value(value, Some(false), "off");
        });
}

pub fn ui(ui: &mut egui::Ui, what_if: &mut WhatIf, design: &Design) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("What if");
        let hints: Vec<&str> = D1_LOCATION_HINTS.to_vec();
        option_combo(
            ui,
            "whatif_d1",
            "D1 primary",
            &mut what_if.d1_primary,
            &hints,
        );
        tri_state(
            ui,
            "whatif_replication",
            "Read replication",
            &mut what_if.read_replication,
        );
        tri_state(
            ui,
            "whatif_cache",
            "Hyperdrive cache",
            &mut what_if.hyperdrive_cache,
        );
        tri_state(
            ui,
            "whatif_smart",
            "Smart Placement",
            &mut what_if.smart_placement,
        );
        option_combo(
            ui,
            "whatif_origin",
            "Origin region",
            &mut what_if.origin_region,
            &REGIONS,
        );
        ui.separator();
        egui::ComboBox::new("whatif_single", "Single region")
            .selected_text(what_if.single_region.clone())
            .show_ui(ui, |ui| {
                for region in REGIONS {
                    ui.selectable_value(&mut what_if.single_region, region.to_owned(), region);
                }
            });
        failure_ui(ui, what_if, design);
        ui.separator();
        if ui
            .button("Reset")
            .on_hover_text("Back to the design as drawn")
            .clicked()
        {
            *what_if = WhatIf::default();
        }
    });
}

/// "Failing node" (none, or a Gateway, Worker or store of the design) and "Fails in"
/// (everywhere, or a region).
fn failure_ui(ui: &mut egui::Ui, what_if: &mut WhatIf, design: &Design) {
    ui.separator();
    let mut nodes: Vec<(&str, &str)> = design
        .nodes
        .iter()
        .filter(|n| n.kind.kind().is_worker() || n.kind.kind().is_store())
        .map(|n| (n.id.as_str(), n.kind.kind().label()))
        .collect();
    nodes.sort_unstable();
    // A node removed from the design no longer fails.
    if let Some(failure) = &what_if.failure
        && !nodes.iter().any(|(id, _)| *id == failure.node)
    {
        what_if.failure = None;
    }
    let mut node = what_if.failure.as_ref().map(|f| f.node.clone());
    let before = node.clone();
    egui::ComboBox::new("whatif_fail_node", "Failing node")
        .selected_text(node.clone().unwrap_or_else(|| "none".to_owned()))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut node, None, "none");
            for (id, kind) in &nodes {
                ui.selectable_value(&mut node, Some((*id).to_owned()), format!("{id} ({kind})"))
                    .on_hover_text(format!("What if {id} failed?"));
            }
        });
    if node != before {
        let region = what_if.failure.as_ref().and_then(|f| f.region.clone());
        what_if.failure = node.map(|node| Failure { node, region });
    }
    // Where it fails, once a node fails (a child UI to disable it would break the wrapped row).
    let Some(failure) = what_if.failure.as_mut() else {
        return;
    };
    let region = &mut failure.region;
    egui::ComboBox::new("whatif_fail_region", "Fails in")
        .selected_text(region.clone().unwrap_or_else(|| "everywhere".to_owned()))
        .show_ui(ui, |ui| {
            ui.selectable_value(region, None, "everywhere");
            for name in REGIONS {
                ui.selectable_value(region, Some(name.to_owned()), name);
            }
        })
        .response
        .on_hover_text(
            "A region: the hops served there fail (the edge next to its clients, a D1 \
             primary or replica, a Hyperdrive origin there); everywhere: every hop to it",
        );
}
