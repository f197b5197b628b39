//! OpenAPI schemas into the design's schema subset: `#/components/schemas/X` references
//! become `#/$defs/X`, OpenAPI 3.0's `nullable` becomes a type array with `null`, and every
//! keyword outside the subset is dropped with a warning (never silently).

use serde_json::{Map, Value};

use crate::contract::subset::FORMATS;

/// Keywords kept as they are.
const KEPT: [&str; 20] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
    "$ref",
    "title",
    "description",
];

/// `schema` in the subset; what was dropped is pushed to `warnings`, prefixed with `what`.
pub(super) fn convert(schema: &Value, what: &str, warnings: &mut Vec<String>) -> Value {
    let Value::Object(map) = schema else {
        warnings.push(format!(
            "{what}: a boolean schema is outside the supported subset; it became an empty schema"
        ));
        return Value::Object(Map::new());
    };
    let mut out = Map::new();
    let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
    for (keyword, value) in map {
        match keyword.as_str() {
            "$ref" => match value
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                Some(name) => {
                    out.insert("$ref".into(), Value::from(format!("#/$defs/{name}")));
                }
                None => warnings.push(format!(
                    "{what}: the reference {value} is not to a schema of this document (external \
                     references are not followed); it was dropped"
                )),
            },
            "properties" => {
                let mut fields = Map::new();
                if let Value::Object(properties) = value {
                    for (name, field) in properties {
                        fields.insert(
                            name.clone(),
                            convert(field, &format!("{what}.{name}"), warnings),
                        );
                    }
                }
                out.insert("properties".into(), Value::Object(fields));
            }
            "items" | "additionalProperties" if value.is_object() => {
                out.insert(
                    keyword.clone(),
                    convert(value, &format!("{what}[]"), warnings),
                );
            }
            "format" => {
                if value.as_str().is_some_and(|f| FORMATS.contains(&f)) {
                    out.insert("format".into(), value.clone());
                } else {
                    warnings.push(format!(
                        "{what}: format {value} is not checked by Edgewire (only {}); it was dropped",
                        FORMATS.join(", ")
                    ));
                }
            }
            "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => {
                // OpenAPI 3.0: a flag on minimum/maximum.
                let bound = if keyword == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                if value == &Value::Bool(true)
                    && let Some(limit) = map.get(bound)
                {
                    out.insert(keyword.clone(), limit.clone());
                }
            }
            "minimum" | "maximum" => {
                let flag = if keyword == "minimum" {
                    "exclusiveMinimum"
                } else {
                    "exclusiveMaximum"
                };
                if map.get(flag) != Some(&Value::Bool(true)) {
                    out.insert(keyword.clone(), value.clone());
                }
            }
            // Read above (`nullable`), or documentation only.
            "nullable" | "example" | "examples" | "default" | "readOnly" | "writeOnly"
            | "deprecated" | "xml" | "externalDocs" => {}
            keyword if keyword.starts_with("x-") => {}
            keyword if KEPT.contains(&keyword) => {
                out.insert(keyword.to_owned(), value.clone());
            }
            other => warnings.push(format!(
                "{what}: `{other}` is outside the schema subset Edgewire checks; it was dropped"
            )),
        }
    }
    if nullable {
        match out.get("type").cloned() {
            Some(Value::String(ty)) => {
                out.insert("type".into(), Value::from(vec![ty, "null".to_owned()]));
            }
            Some(Value::Array(mut types)) if !types.contains(&Value::from("null")) => {
                types.push(Value::from("null"));
                out.insert("type".into(), Value::Array(types));
            }
            _ => {}
        }
    }
    Value::Object(out)
}
