//! The step editor: a handler's steps, each with its own small form; add, remove, reorder.

use std::collections::BTreeMap;

use edgewire_engine::Kind;
use edgewire_engine::model::{Condition, Expr, HttpMethod, KvFormat, QueryMode, Step, Template};
use edgewire_engine::validate::Target;
use eframe::egui::{self, DragValue, RichText};

use super::fields::{self, FormContext, apply_action, item_buttons};

pub struct StepContext<'a, 'b> {
    pub form: &'a FormContext<'b>,
    pub route: usize,
}

/// Every step kind with a fresh step of it.
fn templates(cx: &StepContext<'_, '_>) -> Vec<(&'static str, Step)> {
    let first = |kinds: &[Kind], fallback: &str| {
        cx.form
            .bindings_to(kinds)
            .first()
            .cloned()
            .unwrap_or_else(|| fallback.to_owned())
    };
    let kv = first(&[Kind::Kv], "CACHE");
    vec![
        (
            "KV get",
            Step::KvGet {
                binding: kv.clone(),
                key: Template::new("item:{params.id}"),
                format: KvFormat::Json,
                into: "item".into(),
            },
        ),
        (
            "KV put",
            Step::KvPut {
                binding: kv.clone(),
                key: Template::new("item:{params.id}"),
                value: Expr::Ref("body".into()),
                ttl_secs: None,
            },
        ),
        (
            "KV delete",
            Step::KvDelete {
                binding: kv.clone(),
                key: Template::new("item:{params.id}"),
            },
        ),
        (
            "KV list",
            Step::KvList {
                binding: kv,
                prefix: Template::new("item:"),
                into: "keys".into(),
            },
        ),
        (
            "D1 query",
            Step::D1 {
                binding: first(&[Kind::D1], "DB"),
                sql: "SELECT * FROM items WHERE id = ?1".into(),
                params: vec![Expr::Ref("params.id".into())],
                mode: QueryMode::First,
                into: Some("row".into()),
            },
        ),
        (
            "Hyperdrive query",
            Step::Hyperdrive {
                binding: first(&[Kind::Hyperdrive], "HYPERDRIVE"),
                sql: "SELECT * FROM items WHERE id = $1::int".into(),
                params: vec![Expr::Ref("params.id".into())],
                mode: QueryMode::First,
                into: Some("row".into()),
            },
        ),
        (
            "Call a service",
            Step::Call {
                binding: first(&[Kind::Worker], "SERVICE"),
                method: HttpMethod::Get,
                path: Template::new("/"),
                body: None,
                into: "response".into(),
            },
        ),
        (
            "Set a value",
            Step::Set {
                name: "value".into(),
                value: Expr::Json(serde_json::Value::Null),
            },
        ),
        (
            "If",
            Step::If {
                cond: Condition::Missing("item".into()),
                then: vec![],
                otherwise: vec![],
            },
        ),
        (
            "Respond",
            Step::Respond {
                status: 200,
                body: Some(Expr::Object(BTreeMap::from([(
                    "ok".to_owned(),
                    Expr::Json(serde_json::json!(true)),
                )]))),
                headers: BTreeMap::new(),
            },
        ),
    ]
}

/// Edit a list of steps. `prefix` is the position path of the list (`""`, `"3.then"`).
pub fn steps_ui(
    ui: &mut egui::Ui,
    steps: &mut Vec<Step>,
    cx: &StepContext<'_, '_>,
    prefix: &str,
    depth: usize,
) {
    let len = steps.len();
    let mut action = (0, None);
    for (index, step) in steps.iter_mut().enumerate() {
        let path = if prefix.is_empty() {
            index.to_string()
        } else {
            format!("{prefix}.{index}")
        };
        ui.push_id(("step", &path), |ui| {
            egui::Frame::group(ui.style())
                .inner_margin(egui::Margin::same(6))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(format!("{}. {}", index + 1, step.kind_name())).strong());
                        if let Some(a) = item_buttons(ui, index, len, "step") {
                            action = (index, Some(a));
                        }
                    });
                    step_ui(ui, step, cx, &path, depth);
                    for diagnostic in cx.form.diagnostics.iter().filter(|d| {
                        matches!(&d.target, Target::Step { route, step, .. } if *route == cx.route && *step == path)
                    }) {
                        fields::diagnostic_line(ui, diagnostic, cx.form.palette);
                    }
                });
        });
    }
    apply_action(steps, action.0, action.1);
    ui.menu_button("+ Step", |ui| {
        for (name, step) in templates(cx) {
            if ui.button(name).clicked() {
                steps.push(step);
            }
        }
    });
}

fn binding(ui: &mut egui::Ui, value: &mut String, cx: &StepContext<'_, '_>, kinds: &[Kind]) {
    ui.label("Binding");
    fields::choose(ui, "binding", value, &cx.form.bindings_to(kinds));
    ui.end_row();
}

fn template(ui: &mut egui::Ui, label: &str, value: &mut Template) {
    ui.label(label);
    fields::code_line(ui, &mut value.0, label);
    ui.end_row();
    if let Err(err) = value.parts() {
        ui.label("");
        ui.colored_label(
            crate::ui::theme::Palette::of(ui.visuals()).invalid,
            err.to_string(),
        );
        ui.end_row();
    }
}

fn name(ui: &mut egui::Ui, label: &str, value: &mut String) {
    ui.label(label);
    fields::code_line(ui, value, label);
    ui.end_row();
}

fn mode(ui: &mut egui::Ui, mode: &mut QueryMode) {
    ui.label("Result");
    crate::ui::inspector::fields::named(
        egui::ComboBox::from_id_salt("mode")
            .selected_text(match mode {
                QueryMode::First => "first row",
                QueryMode::All => "all rows",
                QueryMode::Run => "changes",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(mode, QueryMode::First, "first row");
                ui.selectable_value(mode, QueryMode::All, "all rows");
                ui.selectable_value(mode, QueryMode::Run, "changes");
            }),
        "Result",
    );
    ui.end_row();
}

fn optional_into(ui: &mut egui::Ui, into: &mut Option<String>) {
    ui.label("Into");
    let mut text = into.clone().unwrap_or_default();
    if fields::code_line(ui, &mut text, "Into").changed() {
        *into = (!text.is_empty()).then_some(text);
    }
    ui.end_row();
}

fn params(ui: &mut egui::Ui, params: &mut Vec<Expr>, placeholder: &str) {
    ui.label("Parameters");
    ui.vertical(|ui| {
        fields::rows_ui(
            ui,
            params,
            ("param", "Parameter"),
            |ui, index, param| {
                ui.monospace(format!("{placeholder}{}", index + 1));
                fields::expr(ui, param, 2);
            },
            |_| Expr::Ref("params.id".into()),
        );
    });
    ui.end_row();
}

fn kv_format(ui: &mut egui::Ui, format: &mut KvFormat) {
    ui.label("Read as");
    fields::named(
        egui::ComboBox::from_id_salt("format")
            .selected_text(if format.is_text() { "text" } else { "JSON" })
            .show_ui(ui, |ui| {
                ui.selectable_value(format, KvFormat::Text, "text");
                ui.selectable_value(format, KvFormat::Json, "JSON");
            }),
        "Read as",
    );
    ui.end_row();
}

fn expires(ui: &mut egui::Ui, ttl_secs: &mut Option<u32>) {
    ui.label("Expires after (s)");
    ui.horizontal(|ui| {
        let mut on = ttl_secs.is_some();
        if ui
            .checkbox(&mut on, "")
            .accessible_name("Expires")
            .changed()
        {
            *ttl_secs = on.then_some(300);
        }
        if let Some(ttl) = ttl_secs {
            ui.add(DragValue::new(ttl).range(60..=31_536_000))
                .accessible_name("Expires after seconds");
        }
    });
    ui.end_row();
}

fn respond_headers(ui: &mut egui::Ui, headers: &mut BTreeMap<String, Template>) {
    ui.label("Headers");
    ui.vertical(|ui| {
        let mut rows: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        fields::rows_ui(
            ui,
            &mut rows,
            ("respond_header", "Header"),
            |ui, _, (key, value)| {
                fields::code_field(ui, key, 80.0, "Key");
                fields::code_field(ui, value, 120.0, "Value");
            },
            |_| ("x-header".into(), String::new()),
        );
        *headers = rows.into_iter().map(|(k, v)| (k, Template(v))).collect();
    });
    ui.end_row();
}

fn step_ui(ui: &mut egui::Ui, step: &mut Step, cx: &StepContext<'_, '_>, path: &str, depth: usize) {
    if let Step::If {
        cond,
        then,
        otherwise,
    } = step
    {
        condition_ui(ui, cond);
        ui.label(RichText::new("then").italics());
        ui.indent("then", |ui| {
            steps_ui(ui, then, cx, &format!("{path}.then"), depth + 1);
        });
        ui.label(RichText::new("otherwise").italics());
        ui.indent("otherwise", |ui| {
            steps_ui(ui, otherwise, cx, &format!("{path}.otherwise"), depth + 1);
        });
        return;
    }
    let mut sql_text: Option<&mut String> = None;
    let d1 = matches!(step, Step::D1 { .. });
    egui::Grid::new("step_grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| match step {
            Step::KvGet {
                binding: b,
                key,
                format,
                into,
            } => {
                binding(ui, b, cx, &[Kind::Kv]);
                template(ui, "Key", key);
                kv_format(ui, format);
                name(ui, "Into", into);
            }
            Step::KvPut {
                binding: b,
                key,
                value,
                ttl_secs,
            } => {
                binding(ui, b, cx, &[Kind::Kv]);
                template(ui, "Key", key);
                ui.label("Value");
                fields::expr(ui, value, 1);
                ui.end_row();
                expires(ui, ttl_secs);
            }
            Step::KvDelete { binding: b, key } => {
                binding(ui, b, cx, &[Kind::Kv]);
                template(ui, "Key", key);
            }
            Step::KvList {
                binding: b,
                prefix,
                into,
            } => {
                binding(ui, b, cx, &[Kind::Kv]);
                template(ui, "Prefix", prefix);
                name(ui, "Into", into);
            }
            Step::D1 {
                binding: b,
                sql,
                params: p,
                mode: m,
                into,
            }
            | Step::Hyperdrive {
                binding: b,
                sql,
                params: p,
                mode: m,
                into,
            } => {
                // D1 numbers its placeholders `?1`, PostgreSQL `$1`.
                let (store, placeholder) = if d1 {
                    (Kind::D1, "?")
                } else {
                    (Kind::Hyperdrive, "$")
                };
                binding(ui, b, cx, &[store]);
                params(ui, p, placeholder);
                mode(ui, m);
                optional_into(ui, into);
                sql_text = Some(sql);
            }
            Step::Call {
                binding: b,
                method,
                path: call_path,
                body,
                into,
            } => {
                binding(ui, b, cx, &[Kind::Worker]);
                ui.label("Method");
                crate::ui::inspector::fields::named(
                    egui::ComboBox::from_id_salt("call_method")
                        .selected_text(method.as_str())
                        .show_ui(ui, |ui| {
                            for m in HttpMethod::ALL {
                                ui.selectable_value(method, m, m.as_str());
                            }
                        }),
                    "Call method",
                );
                ui.end_row();
                template(ui, "Path", call_path);
                ui.label("Body");
                optional_expr(ui, body, "Send a body", || Expr::Ref("body".into()));
                ui.end_row();
                name(ui, "Into", into);
            }
            Step::Set { name: n, value } => {
                name(ui, "Name", n);
                ui.label("Value");
                fields::expr(ui, value, 1);
                ui.end_row();
            }
            Step::Respond {
                status,
                body,
                headers,
            } => {
                ui.label("Status");
                ui.add(DragValue::new(status).range(100..=599))
                    .accessible_name("Status");
                ui.end_row();
                ui.label("Body");
                optional_expr(ui, body, "Respond with a body", || {
                    Expr::Object(BTreeMap::new())
                });
                ui.end_row();
                respond_headers(ui, headers);
            }
            Step::If { .. } => {}
        });
    if let Some(sql) = sql_text {
        fields::sql(ui, sql, 2, "Query SQL");
    }
}

/// A checkbox that turns an optional expression on (with `default`) or off, then the
/// expression. Top-aligned: a centred row grows upwards as object fields are added, over the
/// grid rows above and below it.
fn optional_expr(
    ui: &mut egui::Ui,
    value: &mut Option<Expr>,
    switch: &str,
    default: impl FnOnce() -> Expr,
) {
    ui.horizontal_top(|ui| {
        let mut on = value.is_some();
        if ui.checkbox(&mut on, "").accessible_name(switch).changed() {
            *value = on.then(default);
        }
        if let Some(value) = value {
            fields::expr(ui, value, 1);
        }
    });
}

fn condition_ui(ui: &mut egui::Ui, cond: &mut Condition) {
    let current = match cond {
        Condition::Exists(_) => 0,
        Condition::Missing(_) => 1,
        Condition::Equals(..) => 2,
    };
    let names = ["exists", "is missing", "equals"];
    let mut choice = current;
    ui.horizontal(|ui| {
        ui.label("When");
        match cond {
            Condition::Exists(path) | Condition::Missing(path) => {
                fields::code_field(ui, path, 120.0, "Path");
            }
            Condition::Equals(..) => {}
        }
        choice = fields::pick(ui, "cond", current, &names, "Condition");
    });
    if let Condition::Equals(a, b) = cond {
        fields::expr(ui, a, 2);
        ui.label("equals");
        fields::expr(ui, b, 2);
    }
    if choice != current {
        let path = match cond {
            Condition::Exists(p) | Condition::Missing(p) => p.clone(),
            Condition::Equals(..) => "value".into(),
        };
        *cond = match choice {
            0 => Condition::Exists(path),
            1 => Condition::Missing(path),
            _ => Condition::Equals(Expr::Ref(path), Expr::Json(serde_json::json!(0))),
        };
    }
}
