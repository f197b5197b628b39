//! Small translations between OpenAPI and the design: paths, names, parameter types and
//! example values.

use serde_json::Value;

use crate::model::{ParamType, to_upper_snake};

/// Whether an example breaks its schema (a schema that does not compile is reported by
/// validation, not here).
pub(super) fn example_breaks(
    schema: &Value,
    example: &Value,
    schemas: &crate::model::NamedSchemas,
) -> bool {
    crate::contract::compile_schema(schema, schemas)
        .is_ok_and(|validator| !validator.is_valid(example))
}

/// `/users/{id}` as Edgewire writes it: `/users/:id`.
pub fn edgewire_path(path: &str) -> String {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{name}"),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The Worker an operation goes to: its first tag, else its path's first segment; public
/// operations (`security: []`) to a Worker of their own.
pub(super) fn worker_name(op: &Value, path: &str, public: bool) -> String {
    let base = op
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|tags| tags.first())
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            path.split('/')
                .find(|s| !s.is_empty() && !s.starts_with('{'))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "api".to_owned());
    if public {
        format!("{base}-public")
    } else {
        base
    }
}

/// `USERS` for the Worker `users` (a JavaScript identifier).
pub(super) fn binding_name(id: &str) -> String {
    let mut name = to_upper_snake(id);
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        name.insert_str(0, "S_");
    }
    name
}

pub(super) fn param_type(schema: &Value) -> ParamType {
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("integer"), _) => ParamType::Integer,
        (Some("number"), _) => ParamType::Number,
        (Some("boolean"), _) => ParamType::Boolean,
        (Some("string"), Some("uuid")) => ParamType::Uuid,
        _ => ParamType::String,
    }
}

pub(super) fn placeholder(ty: ParamType) -> String {
    match ty {
        ParamType::String => "example",
        ParamType::Integer | ParamType::Number => "1",
        ParamType::Boolean => "true",
        ParamType::Uuid => "00000000-0000-4000-8000-000000000000",
    }
    .to_owned()
}

pub(super) fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A media type's example: `example`, else the first of `examples` (3.0 form with `value`).
pub(super) fn example_of(media: &Value) -> Option<Value> {
    if let Some(example) = media.get("example") {
        return Some(example.clone());
    }
    let examples = media.get("examples")?.as_object()?;
    let (_, first) = examples.iter().next()?;
    first.get("value").cloned()
}
