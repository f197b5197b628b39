//! The Simulation tab: a world map of where each client region's requests go, latency per
//! client region (global design vs one region) and the monthly cost of both as charts, the
//! exact numbers in collapsible tables with every price's source and date, and what-if
//! toggles (including a node that fails). The simulator is fast, so it reruns whenever the
//! design or a toggle changes.
//!
//! Layout: `whatif.rs` (the toggles), `map.rs` (the map; `land.rs` its land, `marks.rs` its symbols and legend), `charts.rs`
//! (`egui_plot` charts), `tables.rs` (the tables).

mod charts;
mod land;
mod map;
mod marks;
mod tables;
mod whatif;

use edgewire_engine::Design;
use edgewire_engine::simulate::{SimulationReport, WhatIf, simulate};
use eframe::egui::{self, Color32};

use crate::ui::theme::SimulationPalette;

/// Below this width the map and the charts go one under the other.
const TWO_COLUMNS_WIDTH: f32 = 900.0;

/// The toggles, the map's switch and the last report.
#[derive(Default)]
pub struct SimulationState {
    pub what_if: WhatIf,
    map: map::MapState,
    report: Option<Result<SimulationReport, String>>,
    /// `(document revision, what-if)` the report was computed for.
    computed_for: Option<(u64, WhatIf)>,
}

impl SimulationState {
    /// The current report (computed on demand).
    pub fn report(&mut self, design: &Design, revision: u64) -> Option<&SimulationReport> {
        self.refresh(design, revision);
        self.report.as_ref().and_then(|r| r.as_ref().ok())
    }

    fn refresh(&mut self, design: &Design, revision: u64) {
        let key = (revision, self.what_if.clone());
        if self.computed_for.as_ref() != Some(&key) {
            self.report = Some(simulate(design, &self.what_if).map_err(|err| err.to_string()));
            self.computed_for = Some(key);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, design: &Design, revision: u64) {
        whatif::ui(ui, &mut self.what_if, design);
        ui.separator();
        self.refresh(design, revision);
        let Some(report) = &self.report else {
            return;
        };
        let report = match report {
            Ok(report) => report,
            Err(err) => {
                ui.colored_label(Color32::from_rgb(220, 70, 70), err);
                return;
            }
        };
        let map = &mut self.map;
        egui::ScrollArea::vertical()
            .id_salt("simulation")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                summary_ui(ui, report);
                if ui.available_width() >= TWO_COLUMNS_WIDTH {
                    ui.columns(2, |columns| {
                        map.ui(&mut columns[0], report);
                        latency_ui(&mut columns[1], report);
                    });
                    ui.add_space(6.0);
                    ui.columns(2, |columns| {
                        cost_ui(&mut columns[0], report);
                        tables::latency_ui(&mut columns[1], report);
                        tables::cost_ui(&mut columns[1], report);
                    });
                } else {
                    map.ui(ui, report);
                    latency_ui(ui, report);
                    cost_ui(ui, report);
                    tables::latency_ui(ui, report);
                    tables::cost_ui(ui, report);
                }
                for warning in &report.warnings {
                    ui.colored_label(
                        Color32::from_rgb(220, 160, 40),
                        format!("Warning: {warning}"),
                    );
                }
            });
    }
}

/// The headline numbers: overall p50 on both sides and, with a failure what-if, the share of
/// requests that fail.
fn summary_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let overall = &report.overall;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Overall p50 {:.1} vs {:.1} ms  (gain {:+.1} ms, ×{:.2})",
            overall.global.p50_ms,
            overall.single_region.p50_ms,
            overall.gain.p50_ms,
            overall.gain.p50_ratio
        ));
        if let (Some(failure), Some(failing)) = (&report.options.failure, report.failing) {
            ui.separator();
            let colours = SimulationPalette::of(ui.visuals());
            ui.colored_label(
                colours.failing,
                format!(
                    "{}: {:.1}% of requests fail (global design) vs {:.1}% (single region {})",
                    failure.describe().replace('`', ""),
                    failing.global * 100.0,
                    failing.single_region * 100.0,
                    report.placement.single_region
                ),
            );
        }
    });
}

fn latency_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    ui.strong(format!(
        "Latency per client region (ms): global vs all in {}",
        report.placement.single_region
    ));
    charts::latency_ui(ui, report);
}

fn cost_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let cost = &report.cost;
    ui.strong(format!(
        "Monthly cost at {:.0} requests/s ({:.1} M requests): ${:.2} vs ${:.2}",
        cost.requests_per_second,
        cost.monthly_requests / 1e6,
        cost.cloudflare.total_usd,
        cost.aws.total_usd
    ));
    if cost.fits_free_plan {
        ui.label("Fits Cloudflare's free plan.");
    }
    charts::cost_ui(ui, report);
}
