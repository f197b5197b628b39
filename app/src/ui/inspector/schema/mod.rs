//! The schema editor: a JSON Schema (in Edgewire's subset, see the engine's `model::contract`
//! docs) as a table of fields (type, required, constraints, nested objects and arrays) or as
//! raw JSON Schema text with live errors. Both views edit the same value; keywords the table
//! does not show stay untouched and are named under it.

use edgewire_engine::contract::subset::problems;
use edgewire_engine::model::{NamedSchemas, Schema};
use eframe::egui::{self, RichText};
use serde_json::{Map, Value, json};

mod constraints;
mod properties;

use super::fields::named;
use crate::ui::theme::Palette;
use constraints::constraints_ui;
use properties::properties_ui;

/// What the editor needs besides the schema.
pub struct SchemaContext<'a> {
    /// The design's named schemas, for `$ref`s and their problems.
    pub schemas: &'a NamedSchemas,
    pub palette: &'a Palette,
}

/// Which view of a schema is shown.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum View {
    #[default]
    Fields,
    Json,
}

/// How deep nested objects and arrays are drawn as tables before the JSON view takes over.
const MAX_DEPTH: usize = 6;

/// The keywords the table edits; any other is named under it and kept as it is.
const TABLE_KEYWORDS: [&str; 16] = [
    "type",
    "$ref",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "enum",
    "minimum",
    "maximum",
    "description",
];

/// A schema with a Fields / JSON switch. `id_salt` must be unique in the form.
pub fn schema_ui(
    ui: &mut egui::Ui,
    id_salt: impl egui::AsIdSalt,
    schema: &mut Schema,
    cx: &SchemaContext<'_>,
) {
    let id = ui.make_persistent_id(id_salt);
    let mut view: View = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    ui.horizontal(|ui| {
        let fields = ui
            .selectable_value(&mut view, View::Fields, "Fields")
            .accessible_name("Fields view");
        let raw = ui
            .selectable_value(&mut view, View::Json, "JSON Schema")
            .accessible_name("JSON Schema view");
        if fields.changed() || raw.changed() {
            ui.data_mut(|d| d.insert_temp(id, view));
        }
    });
    ui.push_id(id, |ui| match view {
        View::Fields => node_ui(ui, schema, cx, 0),
        View::Json => json_ui(ui, schema, cx),
    });
}

/// The schema as pretty JSON text. What is typed is applied as soon as it is JSON; until
/// then it stays in the field with the parse error (line and column) under it. Problems of
/// the subset are listed under valid JSON, as validation will report them.
pub fn json_ui(ui: &mut egui::Ui, schema: &mut Schema, cx: &SchemaContext<'_>) {
    let id = ui.next_auto_id();
    let canonical = serde_json::to_string_pretty(schema).unwrap_or_default();
    let mut buffer: String = ui
        .data(|d| d.get_temp::<(String, String)>(id))
        .filter(|(original, _)| *original == canonical)
        .map_or_else(|| canonical.clone(), |(_, text)| text);
    let rows = buffer.lines().count().clamp(3, 16);
    let response = ui
        .add(
            egui::TextEdit::multiline(&mut buffer)
                .code_editor()
                .desired_rows(rows)
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Schema JSON");
    let parsed = serde_json::from_str::<Value>(&buffer);
    if response.changed() {
        if let Ok(value) = &parsed {
            value.clone_into(schema);
        }
        let now = serde_json::to_string_pretty(schema).unwrap_or_default();
        ui.data_mut(|d| d.insert_temp(id, (now, buffer.clone())));
    }
    match parsed {
        Err(err) => {
            ui.colored_label(
                cx.palette.invalid,
                format!(
                    "Not JSON at line {}, column {}: {} (the schema keeps its last valid text)",
                    err.line(),
                    err.column(),
                    describe(&err)
                ),
            );
        }
        Ok(value) => {
            for problem in problems(&value, cx.schemas) {
                let at = if problem.pointer.is_empty() {
                    "the schema".to_owned()
                } else {
                    format!("`{}`", problem.pointer)
                };
                ui.colored_label(cx.palette.invalid, format!("{at}: {}", problem.message));
            }
        }
    }
}

/// `serde_json`'s message without its own " at line L column C" (shown once, in our words).
fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// The type a schema node shows in its type box.
#[derive(Clone, PartialEq, Eq)]
pub(super) enum Shape {
    Any,
    Type(&'static str),
    Named(String),
}

const SHOWN_TYPES: [&str; 6] = ["string", "integer", "number", "boolean", "object", "array"];

impl Shape {
    pub(super) fn of(schema: &Value) -> Self {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            return Shape::Named(name.to_owned());
        }
        let named = |t: &str| SHOWN_TYPES.into_iter().find(|s| *s == t);
        match schema.get("type") {
            Some(Value::String(t)) => named(t).map_or(Shape::Any, Shape::Type),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .find_map(named)
                .map_or(Shape::Any, Shape::Type),
            _ => Shape::Any,
        }
    }

    fn label(&self) -> String {
        match self {
            Shape::Any => "any".to_owned(),
            Shape::Type(t) => (*t).to_owned(),
            Shape::Named(name) => format!("→ {name}"),
        }
    }

    /// A fresh schema of this shape, keeping the description and nullability.
    fn schema(&self, old: &Value) -> Value {
        let mut out = Map::new();
        if let Some(description) = old.get("description") {
            out.insert("description".into(), description.clone());
        }
        match self {
            Shape::Any => {}
            Shape::Named(name) => {
                out.insert("$ref".into(), json!(format!("#/$defs/{name}")));
            }
            Shape::Type(t) => {
                out.insert(
                    "type".into(),
                    if nullable(old) {
                        json!([t, "null"])
                    } else {
                        json!(t)
                    },
                );
                match *t {
                    "object" => {
                        out.insert("properties".into(), json!({}));
                    }
                    "array" => {
                        out.insert("items".into(), json!({"type": "string"}));
                    }
                    _ => {}
                }
            }
        }
        Value::Object(out)
    }
}

fn nullable(schema: &Value) -> bool {
    schema
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == "null"))
}

fn set_nullable(schema: &mut Map<String, Value>, on: bool) {
    let Some(base) = (match schema.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_owned),
        _ => None,
    }) else {
        return;
    };
    let ty = if on {
        json!([base, "null"])
    } else {
        json!(base)
    };
    schema.insert("type".into(), ty);
}

/// One schema node: its type box, its constraints, and its fields or items below.
pub(super) fn node_ui(ui: &mut egui::Ui, schema: &mut Value, cx: &SchemaContext<'_>, depth: usize) {
    if !schema.is_object() {
        ui.colored_label(
            cx.palette.invalid,
            "Not a schema object: edit it in the JSON Schema view.",
        );
        return;
    }
    ui.horizontal_wrapped(|ui| {
        type_box(ui, schema, cx);
        constraints_ui(ui, schema);
    });
    let shape = Shape::of(schema);
    if let Shape::Named(name) = &shape
        && !cx.schemas.contains_key(name)
    {
        ui.colored_label(
            cx.palette.invalid,
            format!("No schema named `{name}`: add it under Schemas on the Design page."),
        );
    }
    if depth >= MAX_DEPTH {
        ui.weak("Nested deeper: edit in the JSON Schema view.");
        return;
    }
    match shape {
        Shape::Type("object") => properties_ui(ui, schema, cx, depth),
        Shape::Type("array") => {
            ui.horizontal(|ui| {
                ui.add_space(12.0);
                ui.vertical(|ui| {
                    ui.weak("each item:");
                    match schema.get_mut("items") {
                        Some(items) => {
                            ui.push_id("items", |ui| node_ui(ui, items, cx, depth + 1));
                        }
                        None => {
                            if ui.small_button("+ Item schema").clicked() {
                                schema["items"] = json!({"type": "string"});
                            }
                        }
                    }
                });
            });
        }
        _ => {}
    }
    let others: Vec<&str> = schema
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .map(String::as_str)
        .filter(|k| !TABLE_KEYWORDS.contains(k))
        .collect();
    if !others.is_empty() {
        ui.label(
            RichText::new(format!("also: {} (JSON Schema view)", others.join(", ")))
                .small()
                .color(cx.palette.text_weak),
        );
    }
}

fn type_box(ui: &mut egui::Ui, schema: &mut Value, cx: &SchemaContext<'_>) {
    let current = Shape::of(schema);
    let mut chosen = current.clone();
    named(
        egui::ComboBox::from_id_salt("schema_type")
            .width(90.0)
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                for t in SHOWN_TYPES {
                    ui.selectable_value(&mut chosen, Shape::Type(t), t);
                }
                ui.selectable_value(&mut chosen, Shape::Any, "any");
                for name in cx.schemas.keys() {
                    let shape = Shape::Named(name.clone());
                    let label = shape.label();
                    ui.selectable_value(&mut chosen, shape, label);
                }
            }),
        "Schema type",
    );
    if chosen != current {
        *schema = chosen.schema(schema);
    }
    if let (Shape::Type(_), Some(map)) = (&chosen, schema.as_object_mut()) {
        let mut on = nullable(&Value::Object(map.clone()));
        if ui
            .checkbox(&mut on, "or null")
            .on_hover_text("The value may also be null")
            .changed()
        {
            set_nullable(map, on);
        }
    }
}
