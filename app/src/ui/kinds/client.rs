//! Client: a person icon; the card shows where traffic comes from and the scenario; the
//! form edits traffic, regions and the scenario requests.

use edgewire_engine::NodeKind;
use edgewire_engine::model::{Client, HttpMethod, RequestBody, SampleRequest};
use eframe::egui::{self, DragValue, RichText};

use super::{KindUi, plural};
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{
    self, FormContext, apply_action, item_buttons, method_combo, section,
};

pub struct ClientUi;

impl KindUi for ClientUi {
    fn icon(&self, pen: &Pen<'_>) {
        // A person: head and shoulders.
        pen.circle(pen.p(0.0, -0.38), 0.32);
        let shoulders: Vec<_> = (0..=16)
            .map(|i| {
                let a = std::f32::consts::PI * (i as f32 / 16.0);
                pen.p(-0.72 * a.cos(), 0.85 - 0.62 * a.sin())
            })
            .collect();
        pen.line(shoulders);
        pen.segment(pen.p(-0.72, 0.85), pen.p(0.72, 0.85));
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        let NodeKind::Client(client) = kind else {
            return Vec::new();
        };
        let mut regions: Vec<(&String, &f64)> = client.regions.iter().collect();
        regions.sort_by(|a, b| b.1.total_cmp(a.1));
        let top: Vec<String> = regions
            .iter()
            .take(2)
            .map(|(name, share)| format!("{name} {:.0}%", *share * 100.0))
            .collect();
        let more = regions.len().saturating_sub(2);
        let mut first = top.join(", ");
        if more > 0 {
            first = format!("{first} +{more}");
        }
        let mut lines = vec![format!("{first} · {} req/s", client.requests_per_second)];
        if !client.scenario.is_empty() {
            lines.push(plural(
                client.scenario.len(),
                "scenario request",
                "scenario requests",
            ));
        }
        lines
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, cx: &FormContext<'_>) {
        if let NodeKind::Client(client) = kind {
            client_ui(ui, client, cx);
        }
    }
}

fn client_ui(ui: &mut egui::Ui, client: &mut Client, cx: &FormContext<'_>) {
    section(ui, "Traffic");
    fields::form_grid("client_grid").show(ui, |ui| {
        ui.label("Requests per second");
        ui.add(
            DragValue::new(&mut client.requests_per_second)
                .range(0.0..=1_000_000.0)
                .speed(1.0),
        )
        .accessible_name("Requests per second");
        ui.end_row();
    });
    section(ui, "Regions (traffic shares)");
    let mut regions: Vec<(String, f64)> = client
        .regions
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    fields::rows_ui(
        ui,
        &mut regions,
        ("region", "Region"),
        |ui, _, (name, share)| {
            ui.add(egui::TextEdit::singleline(name).desired_width(110.0))
                .accessible_name("Name");
            ui.add(
                DragValue::new(share)
                    .range(0.0..=1.0)
                    .speed(0.01)
                    .fixed_decimals(2),
            )
            .accessible_name("Share");
        },
        |regions| {
            let name = ["us-east", "eu-west", "ap-southeast", "us-west", "sa-east"]
                .into_iter()
                .find(|n| !regions.iter().any(|(r, _)| r == n))
                .unwrap_or("region");
            (name.to_owned(), 0.0)
        },
    );
    // A new region's share is 0, so the total is the same before and after it.
    let total: f64 = regions.iter().map(|(_, s)| s).sum();
    if (total - 1.0).abs() > 1e-6 && !regions.is_empty() {
        ui.colored_label(
            cx.palette
                .severity(edgewire_engine::validate::Severity::Warning),
            format!("Shares add up to {total:.2}; they should add up to 1."),
        );
    }
    client.regions = regions.into_iter().collect();

    section(ui, "Scenario requests");
    let len = client.scenario.len();
    let mut action = (0, None);
    for (index, request) in client.scenario.iter_mut().enumerate() {
        ui.push_id(("request", index), |ui| {
            egui::CollapsingHeader::new(format!(
                "{} {} — {}",
                request.method, request.path, request.name
            ))
            .id_salt(("request_header", index))
            .show(ui, |ui| {
                if let Some(a) = item_buttons(ui, index, len, "request") {
                    action = (index, Some(a));
                }
                request_ui(ui, request);
            });
            for diagnostic in cx.request_problems(index) {
                fields::diagnostic_line(ui, diagnostic, cx.palette);
            }
        });
    }
    apply_action(&mut client.scenario, action.0, action.1);
    if ui.small_button("+ Request").clicked() {
        client.scenario.push(SampleRequest {
            name: format!("request {}", len + 1),
            method: HttpMethod::Get,
            path: "/".into(),
            headers: std::collections::BTreeMap::new(),
            body: None,
            weight: 1.0,
            expect_status: 200,
            expect_body: None,
        });
    }
}

fn request_ui(ui: &mut egui::Ui, request: &mut SampleRequest) {
    fields::form_grid("request_grid").show(ui, |ui| {
        ui.label("Name");
        fields::text(ui, &mut request.name, "Name");
        ui.end_row();
        ui.label("Method");
        method_combo(ui, "method", &mut request.method);
        ui.end_row();
        ui.label("Path");
        fields::code_line(ui, &mut request.path, "Path");
        ui.end_row();
        ui.label("Expected status");
        ui.add(DragValue::new(&mut request.expect_status).range(100..=599))
            .accessible_name("Expect status");
        ui.end_row();
        ui.label("Weight");
        ui.add(
            DragValue::new(&mut request.weight)
                .range(0.0..=1000.0)
                .speed(0.1),
        )
        .accessible_name("Weight");
        ui.end_row();
    });
    ui.label("Headers");
    headers_ui(ui, &mut request.headers);
    ui.label("Body (JSON)");
    let mut text = request
        .body
        .as_ref()
        .map(RequestBody::to_text)
        .unwrap_or_default();
    if ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .code_editor()
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Request body")
        .changed()
    {
        request.body = if text.trim().is_empty() {
            None
        } else {
            Some(serde_json::from_str(&text).map_or(RequestBody::Text(text), RequestBody::Json))
        };
    }
    if matches!(request.body, Some(RequestBody::Text(_))) {
        ui.label(
            RichText::new("Not JSON: sent as raw text (to test malformed bodies).")
                .small()
                .italics(),
        );
    }
    let mut expects = request.expect_body.is_some();
    if ui
        .checkbox(&mut expects, "Expected body contains")
        .on_hover_text(
            "JSON the answer must contain: objects may have more fields, arrays match item by item",
        )
        .changed()
    {
        request.expect_body = expects.then(|| serde_json::json!({}));
    }
    if let Some(expected) = &mut request.expect_body {
        fields::json(ui, expected);
    }
}

fn headers_ui(ui: &mut egui::Ui, headers: &mut std::collections::BTreeMap<String, String>) {
    let mut rows: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fields::rows_ui(
        ui,
        &mut rows,
        ("header", "Header"),
        |ui, _, (name, value)| {
            fields::code_field(ui, name, 100.0, "Name");
            fields::code_field(ui, value, 130.0, "Value");
        },
        |rows| {
            let name = (1..=10_000)
                .map(|n| format!("x-header-{n}"))
                .find(|n| !rows.iter().any(|(r, _)| r == n))
                .unwrap_or_default();
            (name, String::new())
        },
    );
    *headers = rows.into_iter().collect();
}
