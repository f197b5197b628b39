//! The exact numbers behind the charts, in collapsible tables: latency per client region and
//! the cost lines with each price's source and date.

use edgewire_engine::simulate::SimulationReport;
use eframe::egui::{self, RichText};

/// Latency per client region: p50/p95/p99 of both designs, the p95 gain, and the failing
/// share with a failure what-if.
pub fn latency_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    let failing = report.failing.is_some();
    egui::CollapsingHeader::new("Latency table (ms)")
        .id_salt("simulation_latency_table")
        .show(ui, |ui| {
            egui::Grid::new("latency_table")
                .striped(true)
                .num_columns(if failing { 11 } else { 9 })
                .show(ui, |ui| {
                    let mut headers = vec![
                        "Region",
                        "Share",
                        "Global p50",
                        "p95",
                        "p99",
                        "Single p50",
                        "p95",
                        "p99",
                        "Gain p95",
                    ];
                    if failing {
                        headers.extend(["Failing global", "Failing single"]);
                    }
                    for header in headers {
                        ui.strong(header);
                    }
                    ui.end_row();
                    for region in &report.regions {
                        let l = &region.latency;
                        ui.label(&region.region);
                        ui.label(format!("{:.0}%", region.traffic_share * 100.0));
                        for value in [
                            l.global.p50_ms,
                            l.global.p95_ms,
                            l.global.p99_ms,
                            l.single_region.p50_ms,
                            l.single_region.p95_ms,
                            l.single_region.p99_ms,
                        ] {
                            ui.label(format!("{value:.1}"));
                        }
                        ui.label(format!("{:+.1}", l.gain.p95_ms));
                        if let Some(f) = region.failing {
                            ui.label(format!("{:.1}%", f.global * 100.0));
                            ui.label(format!("{:.1}%", f.single_region * 100.0));
                        }
                        ui.end_row();
                    }
                });
        });
}

/// Each side's priced lines with their source (linked) and its date.
pub fn cost_ui(ui: &mut egui::Ui, report: &SimulationReport) {
    egui::CollapsingHeader::new("Cost lines and sources")
        .id_salt("simulation_cost_table")
        .show(ui, |ui| {
            for side in [&report.cost.cloudflare, &report.cost.aws] {
                ui.add_space(4.0);
                ui.label(
                    RichText::new(format!("{}: ${:.2} / month", side.name, side.total_usd))
                        .strong(),
                );
                egui::Grid::new(("cost", &side.name))
                    .striped(true)
                    .num_columns(4)
                    .show(ui, |ui| {
                        for line in &side.lines {
                            ui.label(&line.item);
                            ui.label(format!("${:.2}", line.usd));
                            ui.weak(format!("${}/M", line.usd_per_million));
                            source_ui(ui, report, &line.source, line.verified);
                            ui.end_row();
                        }
                    });
            }
        });
}

fn source_ui(ui: &mut egui::Ui, report: &SimulationReport, id: &str, verified: bool) {
    let source = report.sources.iter().find(|s| s.id == id);
    let text = source.map_or_else(
        || id.to_owned(),
        |s| {
            if s.as_of.is_empty() {
                s.id.clone()
            } else {
                format!("{} ({})", s.id, s.as_of)
            }
        },
    );
    let text = if verified {
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
}
