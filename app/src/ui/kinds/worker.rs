//! Worker: a code icon; the card shows its routes and the bindings its handlers use; the
//! form edits routes with their steps, and deployment.

use std::collections::BTreeSet;

use edgewire_engine::NodeKind;
use edgewire_engine::model::{HttpMethod, Route, Worker, WorkerPlacement, walk_steps};
use eframe::egui::{self, RichText};

use super::KindUi;
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{
    self, FormContext, apply_action, deployment_ui, item_buttons, method_combo, section,
};
use crate::ui::inspector::schema::SchemaContext;
use crate::ui::inspector::{contract, steps};
use crate::ui::theme::size;

pub struct WorkerUi;

impl KindUi for WorkerUi {
    fn icon(&self, pen: &Pen<'_>) {
        // Code brackets: a Worker runs code.
        pen.line(vec![
            pen.p(-0.25, -0.7),
            pen.p(-0.8, 0.0),
            pen.p(-0.25, 0.7),
        ]);
        pen.line(vec![pen.p(0.25, -0.7), pen.p(0.8, 0.0), pen.p(0.25, 0.7)]);
        pen.segment(pen.p(0.12, -0.8), pen.p(-0.12, 0.8));
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        let NodeKind::Worker(worker) = kind else {
            return Vec::new();
        };
        if let Some(code) = &worker.code {
            return super::code::summary(code);
        }
        let mut lines: Vec<String> = worker
            .routes
            .iter()
            .map(|route| format!("{} {}", route.method, route.path))
            .collect();
        if lines.is_empty() {
            lines.push("no routes yet".into());
        }
        let bindings = step_bindings(worker);
        if !bindings.is_empty() {
            let names: Vec<&str> = bindings.into_iter().collect();
            // Keep the bindings line last, even when routes are cut.
            let uses = format!("uses {}", names.join(", "));
            if lines.len() >= size::CARD_MAX_LINES {
                lines.truncate(size::CARD_MAX_LINES - 1);
            }
            lines.push(uses);
        }
        lines
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, cx: &FormContext<'_>) {
        if let NodeKind::Worker(worker) = kind {
            worker_ui(ui, worker, cx);
        }
    }
}

/// The bindings a Worker's handlers use, sorted.
fn step_bindings(worker: &Worker) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for route in &worker.routes {
        walk_steps(&route.steps, &mut |_, step| {
            if let Some(binding) = step.binding() {
                out.insert(binding);
            }
        });
    }
    out
}

fn worker_ui(ui: &mut egui::Ui, worker: &mut Worker, cx: &FormContext<'_>) {
    if let Some(code) = worker.code.as_mut() {
        super::code::code_ui(ui, code, cx);
        // Its routes and domains are its configuration's, copied unchanged on export; where
        // it runs is a what-if for the simulator.
        if !code.external {
            placement_ui(ui, &mut worker.placement);
        }
        return;
    }
    section(ui, "Routes");
    let len = worker.routes.len();
    let mut action = (0, None);
    for (index, route) in worker.routes.iter_mut().enumerate() {
        ui.push_id(("route", index), |ui| {
            egui::CollapsingHeader::new(
                RichText::new(format!("{} {}", route.method, route.path)).monospace(),
            )
            .id_salt(("route_header", index))
            .default_open(len <= 2)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    method_combo(ui, "route_method", &mut route.method);
                    ui.add(
                        egui::TextEdit::singleline(&mut route.path)
                            .font(egui::TextStyle::Monospace)
                            .desired_width((ui.available_width() - 110.0).clamp(60.0, 200.0)),
                    )
                    .accessible_name("Path");
                    if let Some(a) = item_buttons(ui, index, len, "route") {
                        action = (index, Some(a));
                    }
                });
                for diagnostic in cx.route_problems(index) {
                    fields::diagnostic_line(ui, diagnostic, cx.palette);
                }
                contract::contract_ui(
                    ui,
                    route,
                    &SchemaContext {
                        schemas: cx.schemas,
                        palette: cx.palette,
                    },
                );
                steps::steps_ui(
                    ui,
                    &mut route.steps,
                    &steps::StepContext {
                        form: cx,
                        route: index,
                    },
                    "",
                    0,
                );
            });
        });
    }
    apply_action(&mut worker.routes, action.0, action.1);
    if ui.small_button("+ Route").clicked() {
        worker.routes.push(Route::new(
            HttpMethod::Get,
            "/",
            vec![edgewire_engine::model::Step::Respond {
                status: 200,
                body: Some(edgewire_engine::model::Expr::Json(
                    serde_json::json!({"ok": true}),
                )),
                headers: std::collections::BTreeMap::new(),
            }],
        ));
    }

    deployment_ui(ui, &mut worker.custom_domain, cx);
    placement_ui(ui, &mut worker.placement);
}

/// Default (next to the client) or Smart Placement (near the database it waits on most).
fn placement_ui(ui: &mut egui::Ui, placement: &mut WorkerPlacement) {
    ui.horizontal(|ui| {
        ui.label("Placement");
        fields::named(
            egui::ComboBox::from_id_salt("worker_placement")
                .selected_text(match placement {
                    WorkerPlacement::Default => "next to the client",
                    WorkerPlacement::Smart => "Smart",
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(placement, WorkerPlacement::Default, "next to the client");
                    ui.selectable_value(placement, WorkerPlacement::Smart, "Smart");
                }),
            "Placement",
        );
    });
    if *placement == WorkerPlacement::Smart {
        ui.label(
            RichText::new(
                "Smart Placement: the platform may run this Worker near its D1 primary or \
                 Hyperdrive origin, so a request crosses the distance once and each query is a \
                 short hop. The simulator models it.",
            )
            .small()
            .italics(),
        );
    }
}
