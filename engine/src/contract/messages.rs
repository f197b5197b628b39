//! Issue texts: one per keyword of the schema subset, built from the keyword's value and the
//! offending value, the same words as the exported Workers' `contract.ts`.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::{Issue, Part};

/// The JSON type name of a value as messages say it (`integer` for a whole number).
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON value as messages quote it (`JSON.stringify`).
fn json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Push the issues one library error stands for (one per unexpected property for
/// `additionalProperties`; none for keywords outside the subset, which validation reports).
pub(super) fn push_issues(error: &ValidationError<'_>, part: Part, issues: &mut Vec<Issue>) {
    let path = error.instance_path().as_str().to_owned();
    let instance = error.instance();
    let mut push = |rule: &str, message: String| {
        issues.push(Issue {
            part,
            path: path.clone(),
            rule: rule.to_owned(),
            message,
        });
    };
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            // Sorted, as the exported Workers list them.
            let mut expected: Vec<String> = match kind {
                TypeKind::Single(ty) => vec![ty.to_string()],
                TypeKind::Multiple(types) => types.iter().map(|ty| ty.to_string()).collect(),
            };
            expected.sort();
            let expected = expected.join(" or ");
            push(
                "type",
                format!("expected {expected}, got {}", type_name(instance)),
            );
        }
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| json(property), str::to_owned);
            push("required", format!("missing required field \"{name}\""));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                push(
                    "additionalProperties",
                    format!("field \"{name}\" is not allowed"),
                );
            }
        }
        ValidationErrorKind::Enum { options } => {
            push("enum", format!("must be one of {}", json(options)));
        }
        ValidationErrorKind::Constant { expected_value } => {
            push("const", format!("must be {}", json(expected_value)));
        }
        ValidationErrorKind::Minimum { limit } => {
            push("minimum", format!("must be >= {}", json(limit)));
        }
        ValidationErrorKind::Maximum { limit } => {
            push("maximum", format!("must be <= {}", json(limit)));
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            push("exclusiveMinimum", format!("must be > {}", json(limit)));
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            push("exclusiveMaximum", format!("must be < {}", json(limit)));
        }
        ValidationErrorKind::MinLength { limit } => push(
            "minLength",
            format!("must be at least {limit} character{} long", plural(*limit)),
        ),
        ValidationErrorKind::MaxLength { limit } => push(
            "maxLength",
            format!("must be at most {limit} character{} long", plural(*limit)),
        ),
        ValidationErrorKind::MinItems { limit } => push(
            "minItems",
            format!("must have at least {limit} item{}", plural(*limit)),
        ),
        ValidationErrorKind::MaxItems { limit } => push(
            "maxItems",
            format!("must have at most {limit} item{}", plural(*limit)),
        ),
        ValidationErrorKind::Pattern { pattern } => {
            push("pattern", format!("must match the pattern {pattern}"));
        }
        ValidationErrorKind::Format { format } => {
            push("format", format!("must be a valid {format}"));
        }
        _ => {}
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
