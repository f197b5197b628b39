//! An object schema's fields as a table: name, required, remove, and each field's own schema
//! below it.

use eframe::egui;
use serde_json::{Map, Value, json};

use super::{SchemaContext, node_ui};
use crate::ui::inspector::fields::{fill_width, fresh_name};
use crate::ui::theme::Palette;

/// An object's fields: name, required, remove, and each field's own schema indented below.
pub(super) fn properties_ui(
    ui: &mut egui::Ui,
    schema: &mut Value,
    cx: &SchemaContext<'_>,
    depth: usize,
) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let mut properties = match map.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        _ => Map::new(),
    };
    let mut required: Vec<String> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let before = properties.clone();
    let required_before = required.clone();
    let mut remove = None;
    let mut rename = None;
    let names: Vec<String> = properties.keys().cloned().collect();
    ui.horizontal(|ui| {
        ui.add_space(12.0);
        ui.vertical(|ui| {
            for (index, name) in names.iter().enumerate() {
                ui.push_id(("field", index), |ui| {
                    ui.horizontal(|ui| {
                        if let Some(new) = field_name(ui, name, &names) {
                            rename = Some((name.clone(), new));
                        }
                        let mut is_required = required.contains(name);
                        if ui
                            .checkbox(&mut is_required, "required")
                            .accessible_name(format!("{name} is required"))
                            .on_hover_text("A request without this field is invalid")
                            .changed()
                        {
                            required.retain(|r| r != name);
                            if is_required {
                                required.push(name.clone());
                            }
                        }
                        if ui
                            .small_button("×")
                            .on_hover_text(format!("Remove field {name}"))
                            .clicked()
                        {
                            remove = Some(name.clone());
                        }
                    });
                    if let Some(field) = properties.get_mut(name) {
                        node_ui(ui, field, cx, depth + 1);
                    }
                });
            }
            if ui
                .small_button("+ Schema field")
                .on_hover_text("Add a field to this object")
                .clicked()
            {
                let name = fresh_name("field", |n| properties.contains_key(n));
                properties.insert(name, json!({"type": "string"}));
            }
        });
    });
    if let Some(name) = remove {
        properties.shift_remove(&name);
        required.retain(|r| *r != name);
    }
    if let Some((from, to)) = rename {
        properties = properties
            .into_iter()
            .map(|(k, v)| if k == from { (to.clone(), v) } else { (k, v) })
            .collect();
        for r in &mut required {
            if *r == from {
                r.clone_from(&to);
            }
        }
    }
    let was_closed = map.get("additionalProperties") == Some(&Value::Bool(false));
    let mut closed = was_closed;
    ui.horizontal(|ui| {
        ui.add_space(12.0);
        let _ = ui.checkbox(&mut closed, "no other fields").on_hover_text(
            "additionalProperties: false, a request with any other field is invalid",
        );
    });
    if closed != was_closed {
        if closed {
            map.insert("additionalProperties".into(), Value::Bool(false));
        } else {
            map.remove("additionalProperties");
        }
    }
    // Write back only what changed: looking at a schema must not edit it.
    if map.get("properties") != Some(&Value::Object(properties.clone())) && properties != before {
        map.insert("properties".into(), Value::Object(properties));
    }
    if required != required_before {
        if required.is_empty() {
            map.remove("required");
        } else {
            map.insert("required".into(), json!(required));
        }
    }
}

/// A field's name, renamed on Enter or focus loss to a name no other field has.
fn field_name(ui: &mut egui::Ui, name: &str, names: &[String]) -> Option<String> {
    let id = ui.make_persistent_id("field_name");
    let mut buffer: String = ui
        .data(|d| d.get_temp::<(String, String)>(id))
        .filter(|(original, _)| original == name)
        .map_or_else(|| name.to_owned(), |(_, text)| text);
    let taken = buffer != name && names.contains(&buffer);
    let bad = buffer.trim().is_empty() || taken;
    let mut edit = egui::TextEdit::singleline(&mut buffer)
        .font(egui::TextStyle::Monospace)
        .desired_width((fill_width(ui) - 120.0).clamp(60.0, 160.0));
    if bad {
        edit = edit.text_color(Palette::of(ui.visuals()).invalid);
    }
    let response = ui.add(edit).accessible_name("Schema field name");
    ui.data_mut(|d| d.insert_temp(id, (name.to_owned(), buffer.clone())));
    if response.lost_focus() {
        ui.data_mut(|d| d.remove::<(String, String)>(id));
        if !bad && buffer != name {
            return Some(buffer.trim().to_owned());
        }
    }
    if taken {
        response.on_hover_text("another field has this name");
    }
    None
}
