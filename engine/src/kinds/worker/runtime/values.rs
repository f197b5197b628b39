//! Values: evaluating expressions, rendering templates, JSON equality. JSON text with
//! JavaScript's number forms is [`crate::runtime::json`].

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::model::{Expr, Template, TemplatePart};

use super::scope::{Scope, Slot, lookup, lookup_ref};
use crate::runtime::json::{
    js_json, push_value_text, write_js_json, write_json_key, write_json_text,
};

/// Render a template against the scope.
pub fn render(template: &Template, scope: &Scope) -> Result<String, String> {
    let text = template.as_str();
    if !text.contains(['{', '}']) {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len() + 16);
    template
        .for_each_part(|part| match part {
            TemplatePart::Literal(text) => out.push_str(&text),
            TemplatePart::Path(path) => {
                if let Some(value) = lookup_ref(scope, path) {
                    push_value_text(value, &mut out);
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Append the compact JSON of `expr` with JavaScript's number forms: the bytes of
/// [`js_json`] of [`eval`], without building the value.
pub fn write_expr_json(expr: &Expr, scope: &Scope, out: &mut Vec<u8>) -> Result<(), String> {
    match expr {
        // A whole value read from KV: its JSON text is written once and kept.
        Expr::Ref(path)
            if !path.contains('.')
                && let Some(Slot::Shared(parsed)) = scope.slot(path.trim()) =>
        {
            out.extend_from_slice(parsed.js_json());
        }
        Expr::Ref(path) => match lookup_ref(scope, path) {
            Some(value) => write_js_json(value, out),
            None => out.extend_from_slice(b"null"),
        },
        Expr::Text(template) => write_json_text(&render(template, scope)?, out),
        Expr::Json(value) => write_js_json(value, out),
        Expr::Object(fields) => {
            out.push(b'{');
            for (i, (name, field)) in fields.iter().enumerate() {
                write_json_key(i, name, out);
                write_expr_json(field, scope, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// [`eval`], borrowing what the scope or the design already holds.
pub fn eval_ref<'v>(expr: &'v Expr, scope: &'v Scope) -> Result<Cow<'v, Value>, String> {
    Ok(match expr {
        Expr::Ref(path) => lookup_ref(scope, path).map_or(Cow::Owned(Value::Null), Cow::Borrowed),
        Expr::Json(value) => Cow::Borrowed(value),
        Expr::Text(_) | Expr::Object(_) => Cow::Owned(eval(expr, scope)?),
    })
}

/// Evaluate an expression.
pub fn eval(expr: &Expr, scope: &Scope) -> Result<Value, String> {
    Ok(match expr {
        Expr::Ref(path) => lookup(scope, path),
        Expr::Text(template) => Value::String(render(template, scope)?),
        Expr::Json(value) => value.clone(),
        Expr::Object(fields) => {
            let mut object = Map::with_capacity(fields.len());
            for (name, field) in fields {
                object.insert(name.clone(), eval(field, scope)?);
            }
            Value::Object(object)
        }
    })
}

/// JSON equality where numbers compare by value (`1 == 1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// The stored text of a KV value: a string as is, anything else as compact JSON.
pub(super) fn stored_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => js_json(other),
    }
}
