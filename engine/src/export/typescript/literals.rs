//! TypeScript literals (strings, object keys, JSON values) and the text of the comments the
//! compiled steps carry.

use serde_json::Value;

use crate::model::{Condition, Expr, Template};

/// A string as a TypeScript (and JSON) string literal.
pub fn string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// An object key: bare when it is an identifier, quoted otherwise; `__proto__` is computed
/// so that it names a field instead of setting the prototype.
pub(super) fn object_key(key: &str) -> String {
    if key == "__proto__" {
        format!("[{}]", string_literal(key))
    } else if crate::model::is_js_identifier(key) {
        key.to_owned()
    } else {
        string_literal(key)
    }
}

/// A JSON value as a TypeScript literal.
pub fn json_literal(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            if map.is_empty() {
                return "{}".to_owned();
            }
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", object_key(k), json_literal(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(json_literal).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// A template as shown in comments: in backquotes, on one line.
pub(super) fn display_template(template: &Template) -> String {
    format!("`{}`", one_line(template.as_str()))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn display_expr(expr: &Expr) -> String {
    match expr {
        Expr::Ref(path) => path.clone(),
        Expr::Text(template) => display_template(template),
        Expr::Json(value) => one_line(&value.to_string()),
        Expr::Object(_) => "an object".to_owned(),
    }
}

pub(super) fn display_condition(cond: &Condition) -> String {
    match cond {
        Condition::Exists(path) => format!("{path} exists"),
        Condition::Missing(path) => format!("{path} is missing"),
        Condition::Equals(a, b) => format!("{} equals {}", display_expr(a), display_expr(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_literals_are_valid_typescript() {
        let value = serde_json::json!({"a": [1, "x"], "b-c": null, "__proto__": true});
        assert_eq!(
            json_literal(&value),
            r#"{ a: [1, "x"], "b-c": null, ["__proto__"]: true }"#
        );
    }
}
