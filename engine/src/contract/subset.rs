//! Whether a schema stays inside the subset of JSON Schema that Edgewire understands (see
//! [`crate::model`]'s contract docs), and where it leaves it.

use serde_json::Value;

use crate::model::{NamedSchemas, Schema};

/// What is wrong with a schema, and where (a JSON Pointer into it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaProblem {
    pub pointer: String,
    pub kind: ProblemKind,
    pub message: String,
}

/// The kinds of problem, each with its own validation code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A keyword outside the subset, or a keyword's value of the wrong shape.
    Unsupported,
    /// A `$ref` that names no schema of the design.
    MissingRef,
}

/// The type names `type` may use.
pub const TYPES: [&str; 7] = [
    "string", "integer", "number", "boolean", "object", "array", "null",
];

/// The formats that are checked.
pub const FORMATS: [&str; 4] = ["email", "uuid", "date-time", "uri"];

/// Every problem of `schema`, whose `$ref`s name `schemas`.
pub fn problems(schema: &Schema, schemas: &NamedSchemas) -> Vec<SchemaProblem> {
    let mut out = Vec::new();
    walk(schema, String::new(), schemas, &mut out);
    out
}

fn unsupported(out: &mut Vec<SchemaProblem>, pointer: String, message: String) {
    out.push(SchemaProblem {
        pointer,
        kind: ProblemKind::Unsupported,
        message,
    });
}

fn walk(schema: &Value, at: String, schemas: &NamedSchemas, out: &mut Vec<SchemaProblem>) {
    let Value::Object(map) = schema else {
        unsupported(
            out,
            at,
            "a schema must be a JSON object (`true` and `false` schemas are not supported)"
                .to_owned(),
        );
        return;
    };
    for (keyword, value) in map {
        let here = format!("{at}/{}", keyword.replace('~', "~0").replace('/', "~1"));
        match keyword.as_str() {
            "type" => check_type(value, here, out),
            "properties" | "$defs" => match value {
                Value::Object(fields) => {
                    for (name, field) in fields {
                        let pointer =
                            format!("{here}/{}", name.replace('~', "~0").replace('/', "~1"));
                        walk(field, pointer, schemas, out);
                    }
                }
                _ => unsupported(out, here, format!("`{keyword}` must map names to schemas")),
            },
            "required" => {
                let names = value
                    .as_array()
                    .is_some_and(|items| items.iter().all(Value::is_string));
                if !names {
                    unsupported(
                        out,
                        here,
                        "`required` must be a list of field names".to_owned(),
                    );
                }
            }
            "additionalProperties" => {
                if !value.is_boolean() {
                    walk(value, here, schemas, out);
                }
            }
            "items" => walk(value, here, schemas, out),
            "enum" => {
                if value.as_array().is_none_or(Vec::is_empty) {
                    unsupported(
                        out,
                        here,
                        "`enum` must be a non-empty list of values".to_owned(),
                    );
                }
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                if !value.is_number() {
                    unsupported(out, here, format!("`{keyword}` must be a number"));
                }
            }
            "minLength" | "maxLength" | "minItems" | "maxItems" => {
                if value.as_u64().is_none() {
                    unsupported(
                        out,
                        here,
                        format!("`{keyword}` must be a whole number >= 0"),
                    );
                }
            }
            "pattern" => check_pattern(value, here, out),
            "format" => {
                if !value.as_str().is_some_and(|f| FORMATS.contains(&f)) {
                    unsupported(
                        out,
                        here,
                        format!("`format` must be one of {}", FORMATS.join(", ")),
                    );
                }
            }
            "$ref" => check_ref(value, here, schemas, out),
            "const" | "title" | "description" | "examples" | "default" => {}
            other => unsupported(
                out,
                here,
                format!(
                    "`{other}` is outside the schema subset Edgewire checks (type, properties, \
                     required, additionalProperties, items, enum, const, bounds, lengths, \
                     pattern, format, $ref)"
                ),
            ),
        }
    }
}

fn check_type(value: &Value, here: String, out: &mut Vec<SchemaProblem>) {
    let known = |v: &Value| v.as_str().is_some_and(|t| TYPES.contains(&t));
    let ok = match value {
        Value::String(_) => known(value),
        Value::Array(items) => !items.is_empty() && items.iter().all(known),
        _ => false,
    };
    if !ok {
        unsupported(
            out,
            here,
            format!(
                "`type` must be one of {} or a list of them",
                TYPES.join(", ")
            ),
        );
    }
}

fn check_pattern(value: &Value, here: String, out: &mut Vec<SchemaProblem>) {
    match value.as_str() {
        Some(pattern) => {
            let probe = serde_json::json!({ "pattern": pattern });
            if let Err(err) = jsonschema::validator_for(&probe) {
                unsupported(
                    out,
                    here,
                    format!("`pattern` is not a valid regular expression: {err}"),
                );
            }
        }
        None => unsupported(out, here, "`pattern` must be a string".to_owned()),
    }
}

fn check_ref(value: &Value, here: String, schemas: &NamedSchemas, out: &mut Vec<SchemaProblem>) {
    let Some(name) = value.as_str().and_then(|r| r.strip_prefix("#/$defs/")) else {
        unsupported(
            out,
            here,
            "`$ref` must name a schema of the design as \"#/$defs/Name\"".to_owned(),
        );
        return;
    };
    if !schemas.contains_key(name) {
        out.push(SchemaProblem {
            pointer: here,
            kind: ProblemKind::MissingRef,
            message: format!("`$ref` names the schema `{name}`, which the design does not have"),
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_schema_inside_the_subset_has_no_problems() {
        let schemas = NamedSchemas::from([("Tag".to_owned(), json!({"type": "string"}))]);
        let schema = json!({
            "type": "object",
            "title": "User",
            "required": ["email"],
            "additionalProperties": false,
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 200},
                "age": {"type": ["integer", "null"], "minimum": 0, "exclusiveMaximum": 200},
                "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}, "maxItems": 5},
                "kind": {"enum": ["a", "b"]},
                "code": {"type": "string", "pattern": "^[A-Z]{3}$"}
            }
        });
        assert_eq!(problems(&schema, &schemas), []);
    }

    #[test]
    fn keywords_outside_the_subset_and_bad_values_are_found_where_they_are() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": {"oneOf": [{"type": "string"}]},
                "b": {"type": "text"},
                "c": {"format": "hostname"},
                "d": {"pattern": "("},
                "e": {"$ref": "#/$defs/Missing"},
                "f": true
            }
        });
        let found: Vec<(String, ProblemKind)> = problems(&schema, &NamedSchemas::new())
            .into_iter()
            .map(|p| (p.pointer, p.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("/properties/a/oneOf".to_owned(), ProblemKind::Unsupported),
                ("/properties/b/type".to_owned(), ProblemKind::Unsupported),
                ("/properties/c/format".to_owned(), ProblemKind::Unsupported),
                ("/properties/d/pattern".to_owned(), ProblemKind::Unsupported),
                ("/properties/e/$ref".to_owned(), ProblemKind::MissingRef),
                ("/properties/f".to_owned(), ProblemKind::Unsupported),
            ]
        );
    }
}
