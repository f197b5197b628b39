//! The Run tab: start/stop, the URL, the request console, the scenario runner and traces.

use edgewire_engine::Design;
use eframe::egui::{self, Color32, RichText};

use super::{RunState, RunStatus, faults, scenario_requests};

/// What the Run tab asks the app to do (the app checks the design before starting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunAction {
    Start,
    Stop,
    Restart,
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub(super) fn status_colour(status: u16) -> Color32 {
    match status {
        200..=299 => Color32::from_rgb(60, 170, 100),
        300..=399 => Color32::from_rgb(90, 150, 220),
        400..=499 => Color32::from_rgb(220, 160, 40),
        _ => Color32::from_rgb(220, 70, 70),
    }
}

/// Draw the Run tab.
pub fn ui(
    ui: &mut egui::Ui,
    run: &mut RunState,
    design: &Design,
    revision: u64,
    runtime: Option<&tokio::runtime::Handle>,
) -> Option<RunAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        let (label, next) = if run.is_running() {
            ("■ Stop engine", RunAction::Stop)
        } else {
            ("▶ Start engine", RunAction::Start)
        };
        let button = ui.add_enabled(
            runtime.is_some() && !run.is_busy(),
            egui::Button::new(label),
        );
        if button
            .on_hover_text("Run the design locally (F5)")
            .clicked()
        {
            action = Some(next);
        }
        match &run.status {
            RunStatus::Stopped => {
                ui.weak("Stopped.");
            }
            RunStatus::Starting => {
                ui.spinner();
                ui.label("Starting…");
            }
            RunStatus::Stopping => {
                ui.spinner();
                ui.label("Stopping…");
            }
            RunStatus::Failed(err) => {
                ui.colored_label(Color32::from_rgb(220, 70, 70), format!("Failed: {err}"));
            }
            RunStatus::Running => {
                ui.colored_label(Color32::from_rgb(60, 170, 100), "● Running at");
                if let Some(url) = run.url.clone() {
                    ui.monospace(&url);
                    if ui
                        .button("Copy URL")
                        .on_hover_text("Copy the engine's URL")
                        .clicked()
                    {
                        ui.ctx().copy_text(url);
                    }
                }
                if (run.running_revision != Some(revision) || run.geography_changed())
                    && ui
                        .button("Restart to apply")
                        .on_hover_text("The design changed since the engine started")
                        .clicked()
                {
                    action = Some(RunAction::Restart);
                }
            }
        }
        if runtime.is_none() {
            ui.weak("(no async runtime: Run is unavailable)");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            faults::menu_ui(ui, run, design);
            ui.separator();
            geography_ui(ui, run);
        });
    });
    ui.separator();
    let Some(runtime) = runtime else {
        return action;
    };
    ui.columns(3, |columns| {
        console_ui(&mut columns[0], run, design, runtime);
        response_ui(&mut columns[1], run);
        super::traces::traces_ui(&mut columns[2], run);
    });
    action
}

/// "Clients in" and the layout: the engine then delays each hop as the simulator says a
/// request from that region would wait (applied at the next start).
fn geography_ui(ui: &mut egui::Ui, run: &mut RunState) {
    use edgewire_engine::simulate::{Layout, REGIONS};
    let layout_text = match &run.layout {
        Layout::Global => "global (at the edge)".to_owned(),
        Layout::SingleRegion(region) => format!("one region: {region}"),
    };
    let layout = egui::ComboBox::from_id_salt("run_layout")
        .selected_text(layout_text)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut run.layout, Layout::Global, "global (at the edge)");
            for region in REGIONS {
                let choice = Layout::SingleRegion(region.to_string());
                ui.selectable_value(&mut run.layout, choice, format!("one region: {region}"));
            }
        });
    let _ = layout
        .response
        .accessible_name("Layout")
        .on_hover_text("Where the design runs: next to every client, or all in one region");
    ui.label("laid out");
    let clients = egui::ComboBox::from_id_salt("run_clients_in")
        .selected_text(run.clients_in.clone().unwrap_or_else(|| "no delay".into()))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut run.clients_in, None, "no delay");
            for region in REGIONS {
                ui.selectable_value(
                    &mut run.clients_in,
                    Some(region.to_string()),
                    region.to_string(),
                );
            }
        });
    let _ = clients
        .response
        .accessible_name("Clients in")
        .on_hover_text(
            "Delay each hop by the network time a client in this region would wait, as the \
         simulator computes it (applies at the next start)",
        );
    ui.label("Clients in:");
}

fn console_ui(
    ui: &mut egui::Ui,
    run: &mut RunState,
    design: &Design,
    runtime: &tokio::runtime::Handle,
) {
    let samples = scenario_requests(design);
    egui::ScrollArea::vertical()
        .id_salt("run_console")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("Request");
                egui::ComboBox::new("scenario_pick", "Scenario")
                    .selected_text("Scenario request…")
                    .show_ui(ui, |ui| {
                        for (name, request, _) in &samples {
                            if ui.selectable_label(false, name).clicked() {
                                run.console = request.clone();
                            }
                        }
                    });
                let running = run.is_running();
                if ui
                    .add_enabled(
                        running && run.scenario_pending == 0 && !samples.is_empty(),
                        egui::Button::new("Run scenario"),
                    )
                    .on_hover_text("Send every scenario request and check its expected status")
                    .clicked()
                {
                    run.run_scenario(runtime, ui.ctx(), design);
                }
            });
            ui.horizontal(|ui| {
                egui::ComboBox::new("console_method", "Method")
                    .selected_text(run.console.method.clone())
                    .width(80.0)
                    .show_ui(ui, |ui| {
                        for method in METHODS {
                            ui.selectable_value(&mut run.console.method, method.to_owned(), method);
                        }
                    });
                let label = ui.label("Path");
                let running = run.is_running();
                // Send sits on the path's row so it is in view however low the panel is.
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if run.sending {
                        ui.spinner();
                    }
                    let send = ui
                        .add_enabled(running && !run.sending, egui::Button::new("Send request"))
                        .on_hover_text(
                            "Send this request to the running engine (Enter in the path)",
                        )
                        .on_disabled_hover_text("Start the engine first")
                        .clicked();
                    let path = ui
                        .add(
                            egui::TextEdit::singleline(&mut run.console.path)
                                .hint_text("/path?query")
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    let entered =
                        path.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if (send || entered) && running && !run.sending {
                        run.send_console(runtime, ui.ctx());
                    }
                });
            });
            labelled_code(
                ui,
                "Headers (name: value per line)",
                &mut run.console.headers,
            );
            labelled_code(ui, "JSON body", &mut run.console.body);
            load_ui(ui, run, design, runtime);
            if !run.scenario.is_empty() {
                let passed = run.scenario.iter().filter(|o| o.passed()).count();
                ui.label(format!("Scenario: {passed}/{} passed", run.scenario.len()));
                for outcome in &run.scenario {
                    ui.horizontal(|ui| {
                        let pending = run.scenario_pending > 0
                            && matches!(&outcome.result, Err(e) if e.starts_with("waiting"));
                        if pending {
                            ui.weak("…");
                        } else if outcome.passed() {
                            ui.colored_label(Color32::from_rgb(60, 170, 100), "pass");
                        } else {
                            ui.colored_label(Color32::from_rgb(220, 70, 70), "FAIL");
                        }
                        ui.label(&outcome.name);
                        match &outcome.result {
                            Ok(response) => {
                                ui.colored_label(
                                    status_colour(response.status),
                                    format!("{} (expected {})", response.status, outcome.expected),
                                );
                                ui.weak(format!("{:.1} ms", response.millis));
                            }
                            Err(err) => {
                                ui.weak(err);
                            }
                        }
                    });
                }
            }
        });
}

/// A two-row code editor under its label.
fn labelled_code(ui: &mut egui::Ui, label: &str, text: &mut String) {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::multiline(text)
            .code_editor()
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
}

fn load_ui(
    ui: &mut egui::Ui,
    run: &mut RunState,
    design: &Design,
    runtime: &tokio::runtime::Handle,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Load: requests");
        ui.add(egui::DragValue::new(&mut run.load_count).range(1..=super::MAX_LOAD))
            .labelled_by(label.id);
        let loading = run.is_loading();
        if ui
            .add_enabled(run.is_running() && !loading, egui::Button::new("Send load"))
            .on_hover_text("Send the scenario requests mixed by weight, 8 at a time")
            .clicked()
        {
            run.run_load(runtime, ui.ctx(), design);
        }
    });
    if let Some(load) = &run.load {
        #[allow(clippy::cast_precision_loss)] // a progress fraction
        let fraction = load.done() as f32 / load.total.max(1) as f32;
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(format!("{}/{}", load.done(), load.total))
                .desired_height(14.0),
        );
        ui.label(format!(
            "{:.0} req/s · p50 {:.1} · p95 {:.1} · p99 {:.1} ms · {} unexpected",
            load.throughput(),
            load.percentile(0.50),
            load.percentile(0.95),
            load.percentile(0.99),
            load.failures
        ));
    }
}

fn response_ui(ui: &mut egui::Ui, run: &RunState) {
    ui.strong("Response");
    match &run.response {
        None => {
            ui.weak("Send a request to see its response.");
        }
        Some(Err(err)) => {
            ui.colored_label(Color32::from_rgb(220, 70, 70), err);
        }
        Some(Ok(response)) => {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!("Status {}", response.status))
                        .strong()
                        .color(status_colour(response.status)),
                );
                ui.weak(format!("{:.1} ms", response.millis));
            });
            egui::ScrollArea::vertical()
                .id_salt("run_response")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    egui::CollapsingHeader::new(format!("Headers ({})", response.headers.len()))
                        .id_salt("response_headers")
                        .show(ui, |ui| {
                            for (name, value) in &response.headers {
                                ui.monospace(format!("{name}: {value}"));
                            }
                        });
                    let issues = issue_lines(&response.body);
                    if !issues.is_empty() {
                        ui.label(
                            RichText::new("The request breaks the route's contract:")
                                .color(status_colour(400)),
                        );
                        for issue in &issues {
                            ui.label(format!("• {issue}"));
                        }
                        ui.add_space(4.0);
                    }
                    // A read-only text box, not a label: a label in this justified column
                    // drops each line's leading spaces, and with them the JSON's indentation.
                    ui.add(
                        egui::TextEdit::multiline(&mut response.body.as_str())
                            .font(egui::TextStyle::Monospace)
                            .frame(egui::Frame::NONE)
                            .desired_width(f32::INFINITY)
                            .desired_rows(1),
                    )
                    .accessible_name("Response body");
                });
        }
    }
}

/// The issues of a 400 answer to a request that breaks its route's contract, one line each
/// (`body /email: expected string, got integer (type)`); none for any other body.
pub fn issue_lines(body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    if value["error"] != edgewire_engine::semantics::errors::INVALID_REQUEST {
        return Vec::new();
    }
    let text =
        |issue: &serde_json::Value, key: &str| issue[key].as_str().unwrap_or_default().to_owned();
    value["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|issue| {
            let path = text(issue, "path");
            let at = if path.is_empty() {
                String::new()
            } else {
                format!(" {path}")
            };
            format!(
                "{}{at}: {} ({})",
                text(issue, "in"),
                text(issue, "message"),
                text(issue, "rule")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::issue_lines;

    #[test]
    fn a_contract_400_reads_as_one_line_per_issue() {
        let body = r#"{"error":"invalid request","issues":[{"in":"body","path":"","rule":"required","message":"missing required field \"email\""},{"in":"path","path":"/id","rule":"type","message":"expected integer, got \"abc\""}]}"#;
        assert_eq!(
            issue_lines(body),
            [
                "body: missing required field \"email\" (required)",
                "path /id: expected integer, got \"abc\" (type)",
            ]
        );
        assert!(issue_lines(r#"{"error":"request body is not valid JSON"}"#).is_empty());
        assert!(issue_lines("not json").is_empty());
    }
}
