//! The Run tab's right column: the traces (and the waterfall of the selected one) or the
//! engine's log.

use std::fmt::Write as _;

use edgewire_engine::runtime::{CacheOutcome, Hop, Trace};
use eframe::egui::{self, Color32, RichText};

use super::RunState;
use super::faults::FAULT_COLOUR;
use super::panel::status_colour;

pub(super) fn traces_ui(ui: &mut egui::Ui, run: &mut RunState) {
    ui.horizontal(|ui| {
        if ui
            .selectable_label(!run.show_log, format!("Traces ({})", run.traces.len()))
            .clicked()
        {
            run.show_log = false;
        }
        if ui
            .selectable_label(run.show_log, format!("Log ({})", run.log.len()))
            .clicked()
        {
            run.show_log = true;
        }
    });
    if run.show_log {
        log_ui(ui, run);
        return;
    }
    let selected = run.selected().cloned();
    // With a trace selected, the list takes what its rows need, at most 45%, and the
    // waterfall below it the rest.
    let list_height = if selected.is_some() {
        let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
        #[allow(clippy::cast_precision_loss)] // a row count
        let rows = run.traces.len().max(1) as f32 * row;
        rows.min(ui.available_height() * 0.45)
    } else {
        ui.available_height()
    };
    egui::ScrollArea::vertical()
        .id_salt("run_traces")
        .max_height(list_height)
        .min_scrolled_height(list_height)
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            if run.traces.is_empty() {
                ui.weak("Requests to the engine appear here (console, curl, anything).");
            }
            let mut clicked = None;
            for trace in &run.traces {
                let is_selected = run.selected_trace.as_deref() == Some(trace.id.as_str());
                let text = RichText::new(format!(
                    "{} {}  {}  {:.1} ms",
                    trace.method, trace.path, trace.status, trace.duration_ms
                ))
                .monospace()
                .color(status_colour(trace.status));
                if ui
                    .selectable_label(is_selected, text)
                    .on_hover_text("Show this request's hops")
                    .clicked()
                {
                    clicked = Some(trace.id.clone());
                }
            }
            if let Some(id) = clicked {
                if run.selected_trace.as_ref() == Some(&id) {
                    run.selected_trace = None;
                } else {
                    run.selected_trace = Some(id);
                }
            }
        });
    if let Some(trace) = selected {
        ui.separator();
        waterfall_ui(ui, &trace);
    }
}

/// The engine's log, filtered by a text.
fn log_ui(ui: &mut egui::Ui, run: &mut RunState) {
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut run.log_filter)
                .hint_text("text in the line")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    let filter = run.log_filter.to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt("run_log")
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            for line in run
                .log
                .iter()
                .filter(|l| filter.is_empty() || l.text.to_lowercase().contains(&filter))
            {
                let text = RichText::new(&line.text).monospace().small();
                if line.warning {
                    ui.label(text.color(Color32::from_rgb(220, 160, 40)));
                } else {
                    ui.label(text);
                }
            }
        });
}

/// The hops of a trace as bars on a shared time axis.
fn waterfall_ui(ui: &mut egui::Ui, trace: &Trace) {
    ui.label(format!(
        "{} {} → {} in {:.2} ms",
        trace.method, trace.path, trace.status, trace.duration_ms
    ));
    let total = trace.duration_ms.max(0.001);
    egui::ScrollArea::vertical()
        .id_salt("run_waterfall")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for hop in &trace.hops {
                ui.horizontal(|ui| {
                    let width = 120.0;
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(width, 12.0), egui::Sense::hover());
                    ui.painter()
                        .rect_filled(rect, 2.0, ui.visuals().faint_bg_color);
                    // Screen fractions: f32 is all a painter needs.
                    #[allow(clippy::cast_possible_truncation)]
                    let (start, length) = (
                        (hop.start_ms / total) as f32,
                        (hop.duration_ms / total) as f32,
                    );
                    let x0 = rect.left() + rect.width() * start;
                    let w = (rect.width() * length).max(2.0);
                    let colour = if hop.fault.is_some() {
                        FAULT_COLOUR
                    } else if hop.error.is_some() {
                        Color32::from_rgb(220, 70, 70)
                    } else {
                        Color32::from_rgb(90, 150, 220)
                    };
                    let bar = egui::Rect::from_min_size(
                        egui::pos2(x0.min(rect.right() - 2.0), rect.top()),
                        egui::vec2(w, rect.height()),
                    );
                    ui.painter().rect_filled(bar, 2.0, colour);
                    // The emulated network time (`--from`), in a light shade before the work.
                    if let Some(network_ms) = hop.network_ms {
                        #[allow(clippy::cast_possible_truncation)]
                        let share = (network_ms / hop.duration_ms.max(0.001)).min(1.0) as f32;
                        let mut light = bar;
                        light.set_width(bar.width() * share);
                        ui.painter()
                            .rect_filled(light, 2.0, colour.gamma_multiply(0.4));
                    }
                    let mut text = format!(
                        "{:.2} ms  {}  {}  {}",
                        hop.duration_ms, hop.node, hop.kind, hop.detail
                    );
                    for fact in hop_facts(hop) {
                        let _ = write!(text, "  {fact}");
                    }
                    if let Some(network_ms) = hop.network_ms {
                        let _ = write!(text, "  ({network_ms:.1} ms network)");
                    }
                    if let Some(fault) = &hop.fault {
                        let _ = write!(text, "  fault: {fault}");
                    }
                    if let Some(err) = &hop.error {
                        let _ = write!(text, "  error: {err}");
                    }
                    let mut text = RichText::new(text).monospace().small();
                    if hop.fault.is_some() {
                        text = text.color(FAULT_COLOUR);
                    }
                    ui.add(egui::Label::new(text).truncate());
                });
            }
        });
}

/// What a hop found besides its time: the cache's answer, the rows, the status
/// (`[cache miss]`, `1 rows`, `→ 200`).
pub fn hop_facts(hop: &Hop) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(cache) = hop.cache {
        facts.push(
            match cache {
                CacheOutcome::Hit => "[cache hit]",
                CacheOutcome::Stale => "[cache stale]",
                CacheOutcome::Miss => "[cache miss]",
                CacheOutcome::Bypass => "[cache bypass]",
            }
            .to_owned(),
        );
    }
    if let Some(rows) = hop.rows {
        facts.push(format!("{rows} rows"));
    }
    if let Some(status) = hop.status {
        facts.push(format!("→ {status}"));
    }
    facts
}
