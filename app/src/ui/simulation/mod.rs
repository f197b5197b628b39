//! The Simulation tab: latency per client region (global design vs one region), the monthly
//! cost on both sides with every price's source and date, and what-if toggles. The
//! simulator is fast, so it reruns whenever the design or a toggle changes.

use edgewire_engine::Design;
use edgewire_engine::model::D1_LOCATION_HINTS;
use edgewire_engine::simulate::{REGIONS, SimulationReport, WhatIf, simulate};
use eframe::egui::{self, Color32, RichText};

const GLOBAL_COLOUR: Color32 = Color32::from_rgb(90, 150, 220);
const SINGLE_COLOUR: Color32 = Color32::from_rgb(220, 140, 60);

/// The toggles and the last report.
#[derive(Default)]
pub struct SimulationState {
    pub what_if: WhatIf,
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
        toggles_ui(ui, &mut self.what_if);
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
        egui::ScrollArea::vertical()
            .id_salt("simulation")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.columns(2, |columns| {
                    latency_ui(&mut columns[0], report);
                    cost_ui(&mut columns[1], report);
                });
                for warning in &report.warnings {
                    ui.colored_label(
                        Color32::from_rgb(220, 160, 40),
                        format!("Warning: {warning}"),
                    );
                }
            });
    }
}

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

fn toggles_ui(ui: &mut egui::Ui, what_if: &mut WhatIf) {
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
        if ui
            .button("Reset")
            .on_hover_text("Back to the design as drawn")
            .clicked()
        {
            *what_if = WhatIf::default();
        }
    });
}

fn latency_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let single = &report.placement.single_region;
    ui.strong(format!(
        "Latency per client region (ms): global vs all in {single}"
    ));
    let overall = &report.overall;
    ui.label(format!(
        "Overall p50 {:.1} vs {:.1} ms  (gain {:+.1} ms, ×{:.2})",
        overall.global.p50_ms,
        overall.single_region.p50_ms,
        overall.gain.p50_ms,
        overall.gain.p50_ratio
    ));
    egui::Grid::new("latency_table")
        .striped(true)
        .num_columns(9)
        .show(ui, |ui| {
            for header in [
                "Region",
                "Share",
                "Global p50",
                "p95",
                "p99",
                "Single p50",
                "p95",
                "p99",
                "Gain p95",
            ] {
                ui.strong(header);
            }
            ui.end_row();
            for region in &report.regions {
                let l = &region.latency;
                ui.label(&region.region);
                ui.label(format!("{:.0}%", region.traffic_share * 100.0));
                ui.label(format!("{:.1}", l.global.p50_ms));
                ui.label(format!("{:.1}", l.global.p95_ms));
                ui.label(format!("{:.1}", l.global.p99_ms));
                ui.label(format!("{:.1}", l.single_region.p50_ms));
                ui.label(format!("{:.1}", l.single_region.p95_ms));
                ui.label(format!("{:.1}", l.single_region.p99_ms));
                ui.label(format!("{:+.1}", l.gain.p95_ms));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    bars_ui(ui, report);
}

/// Grouped bars: p95 per region, global beside single-region.
fn bars_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    ui.horizontal(|ui| {
        ui.colored_label(GLOBAL_COLOUR, "■ global p95");
        ui.colored_label(SINGLE_COLOUR, "■ single-region p95");
    });
    let max = report
        .regions
        .iter()
        .map(|r| r.latency.global.p95_ms.max(r.latency.single_region.p95_ms))
        .fold(1.0_f64, f64::max);
    let height = 110.0;
    let width = ui.available_width().min(520.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height + 18.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let groups = report.regions.len().max(1) as f32;
    let group_w = rect.width() / groups;
    let bar_w = (group_w * 0.35).min(24.0);
    let text = ui.visuals().text_color();
    for (i, region) in report.regions.iter().enumerate() {
        let x = rect.left() + group_w * (i as f32 + 0.5);
        for (offset, value, colour) in [
            (-bar_w, region.latency.global.p95_ms, GLOBAL_COLOUR),
            (0.0, region.latency.single_region.p95_ms, SINGLE_COLOUR),
        ] {
            // A bar height on screen: f32 is all a painter needs.
            #[allow(clippy::cast_possible_truncation)]
            let h = (value / max) as f32 * height;
            let bar = egui::Rect::from_min_max(
                egui::pos2(x + offset, rect.top() + height - h),
                egui::pos2(x + offset + bar_w - 2.0, rect.top() + height),
            );
            painter.rect_filled(bar, 2.0, colour);
        }
        painter.text(
            egui::pos2(x, rect.top() + height + 2.0),
            egui::Align2::CENTER_TOP,
            &region.region,
            egui::FontId::proportional(10.0),
            text,
        );
    }
}

fn cost_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let cost = &report.cost;
    ui.strong(format!(
        "Monthly cost at {:.0} requests/s ({:.1} M requests)",
        cost.requests_per_second,
        cost.monthly_requests / 1e6
    ));
    if cost.fits_free_plan {
        ui.label("Fits Cloudflare's free plan.");
    }
    for side in [&cost.cloudflare, &cost.aws] {
        ui.add_space(4.0);
        ui.label(RichText::new(format!("{}: ${:.2} / month", side.name, side.total_usd)).strong());
        egui::Grid::new(("cost", &side.name))
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for line in &side.lines {
                    ui.label(&line.item);
                    ui.label(format!("${:.2}", line.usd));
                    ui.weak(format!("${}/M", line.usd_per_million));
                    let source = report.sources.iter().find(|s| s.id == line.source);
                    let text = source.map_or_else(
                        || line.source.clone(),
                        |s| {
                            if s.as_of.is_empty() {
                                s.id.clone()
                            } else {
                                format!("{} ({})", s.id, s.as_of)
                            }
                        },
                    );
                    let text = if line.verified {
                        text
                    } else {
                        format!("{text}, unverified")
                    };
                    match source {
                        Some(s) if !s.url.is_empty() => {
                            ui.hyperlink_to(RichText::new(text).small(), &s.url);
                        }
                        _ => {
                            ui.weak(text);
                        }
                    }
                    ui.end_row();
                }
            });
    }
}
