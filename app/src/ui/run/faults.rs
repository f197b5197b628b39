//! Faults on demand from the Run tab and the canvas: a store that is slow, fails or is down,
//! a Worker that throws. A fault set while the engine runs takes effect at the next request;
//! one set while it is stopped is applied when it starts. A script's `POST
//! /__edgewire/faults` shows here too: while the engine runs, its faults are the truth.

use std::collections::BTreeMap;

use edgewire_engine::Design;
use edgewire_engine::runtime::Fault;
use eframe::egui::{self, Color32, RichText};

use super::RunState;

/// The red of a fault, on the cards, the waterfall and here.
pub const FAULT_COLOUR: Color32 = Color32::from_rgb(225, 65, 65);

/// The delay a new "slow" fault starts with.
pub const DEFAULT_SLOW_MS: f64 = 500.0;

/// The faults a node can be given, in menu order, with their labels.
pub fn choices(slow_ms: f64) -> [(Option<Fault>, String); 4] {
    [
        (None, "working".to_owned()),
        (
            Some(Fault::Slow { ms: slow_ms }),
            format!("slow (+{slow_ms:.0} ms)"),
        ),
        (Some(Fault::Error), "failing (error)".to_owned()),
        (Some(Fault::Down), "down".to_owned()),
    ]
}

/// The word a choice shows in the faults list.
fn short(fault: Option<Fault>) -> &'static str {
    match fault {
        None => "working",
        Some(Fault::Slow { .. }) => "slow",
        Some(Fault::Error) => "error",
        Some(Fault::Down) => "down",
    }
}

/// Whether a node can be given a fault: the Workers and stores the engine runs, as the kind
/// registry's roles say (not Clients or Notes).
pub fn can_fail(design: &Design, node: &str) -> bool {
    design.node(node).is_some_and(|n| {
        let kind = n.kind.kind();
        kind.is_worker() || kind.is_store()
    })
}

impl RunState {
    /// The faults in force (running) or to apply at the next start (stopped).
    pub fn faults(&self) -> &BTreeMap<String, Fault> {
        &self.faults
    }

    /// The faults the running engine applies (none when stopped).
    pub fn engine_faults(&self) -> BTreeMap<String, Fault> {
        self.engine
            .as_ref()
            .map(|engine| engine.engine().faults().snapshot())
            .unwrap_or_default()
    }

    /// Give a node a fault, or clear it (`None`); a running engine changes at once.
    pub fn set_fault(&mut self, node: &str, fault: Option<Fault>) {
        match fault {
            Some(fault) => {
                self.faults.insert(node.to_owned(), fault);
            }
            None => {
                self.faults.remove(node);
            }
        }
        if let Some(engine) = &self.engine {
            engine.engine().faults().set(node, fault);
        }
    }

    /// Clear every fault.
    pub fn clear_faults(&mut self) {
        self.faults.clear();
        if let Some(engine) = &self.engine {
            engine.engine().faults().clear();
        }
    }

    /// Take the running engine's faults (a script may have changed them) and forget faults
    /// on nodes the design no longer has.
    pub(super) fn sync_faults(&mut self, design: &Design) {
        if let Some(engine) = &self.engine {
            let live = engine.engine().faults().snapshot();
            if live != self.faults {
                self.faults = live;
            }
        }
        self.faults.retain(|node, _| design.node(node).is_some());
    }
}

/// `Faults (N) ▾`: a menu with every node that can fail and what is wrong with it.
pub fn menu_ui(ui: &mut egui::Ui, run: &mut RunState, design: &Design) {
    let count = run.faults.len();
    let title = if count == 0 {
        RichText::new("Faults ▾")
    } else {
        RichText::new(format!("Faults ({count}) ▾")).color(FAULT_COLOUR)
    };
    // Stays open while choosing: each row's choice is a combo box inside it.
    let config = egui::containers::menu::MenuConfig::new()
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    let (response, _) = egui::containers::menu::MenuButton::new(title)
        .config(config)
        .ui(ui, |ui| list_ui(ui, run, design));
    let _ = response.accessible_name("Faults").on_hover_text(
        "Make a store slow, failing or down, or a Worker throw, to see what users would get",
    );
}

fn list_ui(ui: &mut egui::Ui, run: &mut RunState, design: &Design) {
    ui.set_min_width(320.0);
    if !run.is_running() {
        ui.weak("Faults apply when the engine starts.");
    }
    let nodes: Vec<String> = design
        .nodes
        .iter()
        .filter(|n| can_fail(design, &n.id))
        .map(|n| n.id.clone())
        .collect();
    egui::Grid::new("run_faults")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for node in &nodes {
                ui.label(node);
                let current = run.faults.get(node).copied();
                let slow_ms = match current {
                    Some(Fault::Slow { ms }) => ms,
                    _ => DEFAULT_SLOW_MS,
                };
                let mut chosen = current;
                // One click per choice: working, slow, failing, down.
                ui.horizontal(|ui| {
                    for (fault, label) in choices(slow_ms) {
                        let on = short(current) == short(fault);
                        let text = if on && fault.is_some() {
                            RichText::new(short(fault)).color(FAULT_COLOUR)
                        } else {
                            RichText::new(short(fault))
                        };
                        if ui
                            .selectable_label(on, text)
                            .accessible_name(format!("{node}: {label}"))
                            .on_hover_text(label)
                            .clicked()
                        {
                            chosen = fault;
                        }
                    }
                });
                ui.horizontal(|ui| {
                    if let Some(Fault::Slow { .. }) = chosen {
                        let mut ms = slow_ms;
                        ui.add(
                            egui::DragValue::new(&mut ms)
                                .range(0.0..=60_000.0)
                                .speed(10.0)
                                .suffix(" ms"),
                        )
                        .accessible_name(format!("Delay of {node}"));
                        chosen = Some(Fault::Slow { ms });
                    }
                });
                if chosen != current {
                    run.set_fault(node, chosen);
                }
                ui.end_row();
            }
        });
    if nodes.is_empty() {
        ui.weak("No node the engine runs.");
    }
    ui.separator();
    if ui
        .add_enabled(
            !run.faults.is_empty(),
            egui::Button::new("Clear all faults"),
        )
        .clicked()
    {
        run.clear_faults();
        ui.close();
    }
}
