//! The constraints a schema node's type takes, each a small field that is empty when the
//! keyword is absent.

use edgewire_engine::contract::subset::FORMATS;
use eframe::egui;
use serde_json::{Map, Value, json};

use super::Shape;
use crate::ui::inspector::fields::{self, named};
use crate::ui::theme::Palette;

/// The constraints that fit the node's type, each empty when absent.
pub(super) fn constraints_ui(ui: &mut egui::Ui, schema: &mut Value) {
    let shape = Shape::of(schema);
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    match shape {
        Shape::Type("string") => {
            range(ui, map, ["minLength", "maxLength"], "length", Bound::Count);
            pattern(ui, map);
            format_box(ui, map);
            enum_list(ui, map);
        }
        Shape::Type("integer") => {
            range(ui, map, ["minimum", "maximum"], "range", Bound::Integer);
        }
        Shape::Type("number") => range(ui, map, ["minimum", "maximum"], "range", Bound::Number),
        Shape::Type("array") => range(ui, map, ["minItems", "maxItems"], "items", Bound::Count),
        _ => {}
    }
}

/// A lower and an upper bound after a small label: `length [1] – [100]`.
fn range(
    ui: &mut egui::Ui,
    map: &mut Map<String, Value>,
    keys: [&str; 2],
    label: &str,
    kind: Bound,
) {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        ui.weak(label);
        bound(ui, map, keys[0], "min", kind);
        ui.weak("–");
        bound(ui, map, keys[1], "max", kind);
    });
}

#[derive(Clone, Copy)]
enum Bound {
    Count,
    Integer,
    Number,
}

impl Bound {
    fn parse(self, text: &str) -> Option<Value> {
        match self {
            Bound::Count => text.parse::<u64>().ok().map(Value::from),
            Bound::Integer => text.parse::<i64>().ok().map(Value::from),
            Bound::Number => text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
        }
    }
}

/// A numeric keyword as a small text field: empty removes it; text that is not a number of
/// the right kind stays in the field, marked, and leaves the schema as it was.
fn bound(ui: &mut egui::Ui, map: &mut Map<String, Value>, key: &str, hint: &str, kind: Bound) {
    let id = ui.make_persistent_id(("bound", key));
    let canonical = map.get(key).map(Value::to_string).unwrap_or_default();
    let mut buffer: String = ui
        .data(|d| d.get_temp::<(String, String)>(id))
        .filter(|(original, _)| *original == canonical)
        .map_or_else(|| canonical.clone(), |(_, text)| text);
    let parsed = kind.parse(buffer.trim());
    let invalid = !buffer.trim().is_empty() && parsed.is_none();
    let mut edit = egui::TextEdit::singleline(&mut buffer)
        .hint_text(hint)
        .desired_width(44.0);
    if invalid {
        edit = edit.text_color(Palette::of(ui.visuals()).invalid);
    }
    let response = ui.add(edit).accessible_name(key);
    if response.changed() {
        let text = buffer.trim();
        if text.is_empty() {
            map.remove(key);
        } else if let Some(value) = kind.parse(text) {
            map.insert(key.to_owned(), value);
        }
        let now = map.get(key).map(Value::to_string).unwrap_or_default();
        ui.data_mut(|d| d.insert_temp(id, (now, buffer.clone())));
    }
    if invalid {
        response.on_hover_text(match kind {
            Bound::Count => "a whole number, 0 or more",
            Bound::Integer => "a whole number",
            Bound::Number => "a number",
        });
    }
}

fn pattern(ui: &mut egui::Ui, map: &mut Map<String, Value>) {
    let mut text = map
        .get("pattern")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("pattern")
                .font(egui::TextStyle::Monospace)
                .desired_width(100.0),
        )
        .accessible_name("pattern");
    if response.changed() {
        if text.is_empty() {
            map.remove("pattern");
        } else {
            map.insert("pattern".into(), Value::String(text));
        }
    }
}

fn format_box(ui: &mut egui::Ui, map: &mut Map<String, Value>) {
    let current = map
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut chosen = current.clone();
    named(
        egui::ComboBox::from_id_salt("schema_format")
            .width(80.0)
            .selected_text(if current.is_empty() {
                "any format"
            } else {
                current.as_str()
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, String::new(), "any format");
                for format in FORMATS {
                    ui.selectable_value(&mut chosen, format.to_owned(), format);
                }
            }),
        "format",
    );
    if chosen != current {
        if chosen.is_empty() {
            map.remove("format");
        } else {
            map.insert("format".into(), Value::String(chosen));
        }
    }
}

/// A string `enum` as a comma-separated list (an enum of other values stays in JSON).
fn enum_list(ui: &mut egui::Ui, map: &mut Map<String, Value>) {
    let strings: Option<Vec<String>> = match map.get("enum") {
        None => Some(Vec::new()),
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => None,
    };
    let Some(mut values) = strings else {
        return;
    };
    let before = values.clone();
    ui.scope(|ui| {
        ui.set_max_width(160.0);
        fields::list(ui, &mut values, "one of a, b, …", "one of");
    });
    if values != before {
        if values.is_empty() {
            map.remove("enum");
        } else {
            map.insert("enum".into(), json!(values));
        }
    }
}
