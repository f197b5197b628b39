//! A route's contract in the inspector: typed path parameters, query parameters, the JSON
//! body's schema and the responses. The route owns `request: None` until something is
//! declared, and goes back to `None` when everything is cleared, so a design without
//! contracts keeps saving as format version 1.

use edgewire_engine::contract::convert;
use edgewire_engine::model::{
    ParamType, QueryParam, RequestContract, ResponseContract, Route, path_params,
};
use eframe::egui::{self, RichText};
use serde_json::{Value, json};

use super::fields::{self, apply_action, item_buttons};
use super::schema::{SchemaContext, schema_ui};

/// The contract section of one route.
pub fn contract_ui(ui: &mut egui::Ui, route: &mut Route, cx: &SchemaContext<'_>) {
    let title = if route.has_contract() {
        "Contract"
    } else {
        "Contract (none: requests are not checked)"
    };
    egui::CollapsingHeader::new(RichText::new(title).strong())
        .id_salt("contract")
        .default_open(route.has_contract())
        .show(ui, |ui| {
            let mut request = route.request.clone().unwrap_or_default();
            params_ui(ui, &mut request, &route.path, cx);
            query_ui(ui, &mut request.query, cx);
            body_ui(ui, &mut request.body, cx);
            let request = (!request.is_empty()).then_some(request);
            if request != route.request {
                route.request = request;
            }
            responses_ui(ui, route, cx);
        });
}

/// The type of each `:name` segment, and typed names the path no longer has.
fn params_ui(ui: &mut egui::Ui, request: &mut RequestContract, path: &str, cx: &SchemaContext<'_>) {
    let in_path: Vec<String> = path_params(path).map(str::to_owned).collect();
    ui.label(RichText::new("Path parameters").small().strong());
    if in_path.is_empty() && request.params.is_empty() {
        ui.weak("none (a :name segment in the path adds one)");
    }
    egui::Grid::new("contract_params")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            for name in &in_path {
                ui.monospace(format!(":{name}"));
                let mut ty = request.params.get(name).copied().unwrap_or_default();
                param_type(
                    ui,
                    ("param_type", name),
                    &mut ty,
                    &format!("Type of :{name}"),
                );
                if ty == ParamType::String {
                    request.params.remove(name);
                } else {
                    request.params.insert(name.clone(), ty);
                }
                ui.end_row();
            }
            let stale: Vec<String> = request
                .params_not_in(path)
                .into_iter()
                .map(str::to_owned)
                .collect();
            for name in stale {
                ui.colored_label(cx.palette.invalid, format!(":{name} not in the path"));
                if ui
                    .small_button("×")
                    .on_hover_text(format!("Remove the type of :{name}"))
                    .clicked()
                {
                    request.params.remove(&name);
                }
                ui.end_row();
            }
        });
}

fn param_type(ui: &mut egui::Ui, id: impl egui::AsIdSalt, ty: &mut ParamType, name: &str) {
    fields::combo(ui, id, ty, &ParamType::ALL, ParamType::name, name);
}

/// Query parameters: name, type, required, default.
fn query_ui(ui: &mut egui::Ui, query: &mut Vec<QueryParam>, cx: &SchemaContext<'_>) {
    ui.add_space(4.0);
    ui.label(RichText::new("Query parameters").small().strong());
    let len = query.len();
    let mut action = (0, None);
    for (index, param) in query.iter_mut().enumerate() {
        ui.push_id(("query", index), |ui| {
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut param.name)
                        .font(egui::TextStyle::Monospace)
                        .hint_text("name")
                        .desired_width(80.0),
                )
                .accessible_name("Query parameter name");
                let before = param.ty;
                param_type(ui, "query_type", &mut param.ty, "Query parameter type");
                if param.ty != before {
                    // A default of the old type would no longer be one.
                    param.default = param
                        .default
                        .as_ref()
                        .and_then(|d| convert(&text_of(d), param.ty).ok());
                }
                let _ = ui
                    .checkbox(&mut param.required, "required")
                    .on_hover_text("A request without it is invalid");
                if let Some(a) = item_buttons(ui, index, len, "query parameter") {
                    action = (index, Some(a));
                }
            });
            if !param.required {
                ui.horizontal(|ui| {
                    ui.add_space(12.0);
                    ui.weak("default");
                    default_ui(ui, param, cx);
                });
            }
        });
    }
    apply_action(query, action.0, action.1);
    if ui.small_button("+ Query parameter").clicked() {
        let name = fields::fresh_name("q", |name| query.iter().any(|p| p.name == name));
        query.push(QueryParam {
            name,
            ty: ParamType::String,
            required: false,
            default: None,
        });
    }
}

/// A value as the text a client would send for it (`"x"` as x).
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The default as text of the parameter's type: empty is none; text that does not convert
/// stays in the field with the reason and leaves the default as it was.
fn default_ui(ui: &mut egui::Ui, param: &mut QueryParam, cx: &SchemaContext<'_>) {
    let id = ui.make_persistent_id("query_default");
    let canonical = param.default.as_ref().map(text_of).unwrap_or_default();
    let mut buffer: String = ui
        .data(|d| d.get_temp::<(String, String)>(id))
        .filter(|(original, _)| *original == canonical)
        .map_or_else(|| canonical.clone(), |(_, text)| text);
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut buffer)
                .font(egui::TextStyle::Monospace)
                .hint_text("none")
                .desired_width(90.0),
        )
        .accessible_name("Query parameter default");
    let converted = (!buffer.is_empty()).then(|| convert(&buffer, param.ty));
    if response.changed() {
        match &converted {
            None => param.default = None,
            Some(Ok(value)) => param.default = Some(value.clone()),
            Some(Err(_)) => {}
        }
        let now = param.default.as_ref().map(text_of).unwrap_or_default();
        ui.data_mut(|d| d.insert_temp(id, (now, buffer.clone())));
    }
    if let Some(Err((_, message))) = converted {
        ui.colored_label(cx.palette.invalid, message);
    }
}

/// Whether the JSON body is checked, and its schema.
fn body_ui(ui: &mut egui::Ui, body: &mut Option<Value>, cx: &SchemaContext<'_>) {
    ui.add_space(4.0);
    let mut on = body.is_some();
    if ui
        .checkbox(&mut on, RichText::new("JSON body schema").small().strong())
        .on_hover_text("Check the request's JSON body against a schema before the first step")
        .changed()
    {
        *body = on.then(|| json!({"type": "object", "properties": {}}));
    }
    if let Some(schema) = body {
        ui.push_id("body", |ui| schema_ui(ui, "body_schema", schema, cx));
    }
}

/// The responses by status: description, example, and an optional schema.
fn responses_ui(ui: &mut egui::Ui, route: &mut Route, cx: &SchemaContext<'_>) {
    ui.add_space(4.0);
    ui.label(RichText::new("Responses").small().strong());
    let statuses: Vec<u16> = route.responses.keys().copied().collect();
    let mut moved = None;
    let mut removed = None;
    for status in statuses {
        let Some(response) = route.responses.get_mut(&status) else {
            continue;
        };
        ui.push_id(("response", status), |ui| {
            ui.horizontal(|ui| {
                let mut edited = status;
                ui.add(egui::DragValue::new(&mut edited).range(100..=599))
                    .accessible_name("Response status");
                if edited != status {
                    moved = Some((status, edited));
                }
                ui.add(
                    egui::TextEdit::singleline(&mut response.description)
                        .hint_text("description")
                        .desired_width((fields::fill_width(ui) - 30.0).max(60.0)),
                )
                .accessible_name("Response description");
                if ui
                    .small_button("×")
                    .on_hover_text(format!("Remove response {status}"))
                    .clicked()
                {
                    removed = Some(status);
                }
            });
            response_body_ui(ui, response, cx);
        });
    }
    if let Some((from, to)) = moved
        && !route.responses.contains_key(&to)
        && let Some(response) = route.responses.remove(&from)
    {
        route.responses.insert(to, response);
    }
    if let Some(status) = removed {
        route.responses.remove(&status);
    }
    if ui.small_button("+ Response").clicked() {
        let status = [200, 201, 204, 400, 404, 409, 500]
            .into_iter()
            .find(|s| !route.responses.contains_key(s))
            .unwrap_or(299);
        route.responses.insert(status, ResponseContract::default());
    }
}

fn response_body_ui(ui: &mut egui::Ui, response: &mut ResponseContract, cx: &SchemaContext<'_>) {
    ui.horizontal(|ui| {
        ui.add_space(12.0);
        let mut has = response.example.is_some();
        if ui.checkbox(&mut has, "example").changed() {
            response.example = has.then(|| json!({}));
        }
        if let Some(example) = &mut response.example {
            fields::json(ui, example);
        }
    });
    ui.horizontal(|ui| {
        ui.add_space(12.0);
        ui.vertical(|ui| {
            let mut has = response.schema.is_some();
            if ui.checkbox(&mut has, "schema").changed() {
                response.schema = has.then(|| json!({"type": "object", "properties": {}}));
            }
            if let Some(schema) = &mut response.schema {
                schema_ui(ui, "response_schema", schema, cx);
            }
        });
    });
}
