//! JSON text with JavaScript's number forms: byte for byte what the exported Workers'
//! `JSON.stringify` writes. Used by the Worker interpreter and by the stores that keep or
//! bind values as text.

use serde_json::Value;

/// The text of a value inside a template.
pub fn value_text(value: &Value) -> String {
    let mut out = String::new();
    push_value_text(value, &mut out);
    out
}

/// Append [`value_text`] of `value`.
pub fn push_value_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        other => out.push_str(&js_json(other)),
    }
}

/// Largest integer a JavaScript number holds exactly (2^53).
const JS_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

/// Compact JSON text with JavaScript's number forms.
pub fn js_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_js_json(value, &mut out);
    // Only JSON text is written, which is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Append `value` as compact JSON with JavaScript's number forms: a whole float is written
/// as an integer (`1.0` -> `1`), so that output matches the exported Workers'
/// `JSON.stringify` byte for byte.
pub fn write_js_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) if f.fract() == 0.0 && f.abs() < JS_SAFE_INTEGER => {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "a whole number below 2^53 converts exactly"
                )]
                let whole = f as i64;
                write_json_text(&whole, out);
            }
            _ => write_json_text(n, out),
        },
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_js_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(fields) => {
            out.push(b'{');
            for (i, (name, field)) in fields.iter().enumerate() {
                write_json_key(i, name, out);
                write_js_json(field, out);
            }
            out.push(b'}');
        }
        Value::Null | Value::Bool(_) | Value::String(_) => write_json_text(value, out),
    }
}

/// Append the key of field `index` of an object: `"name":`, after a `,` unless it is the first.
pub fn write_json_key(index: usize, name: &str, out: &mut Vec<u8>) {
    if index > 0 {
        out.push(b',');
    }
    write_json_text(name, out);
    out.push(b':');
}

/// serde_json's compact form of a string, number or scalar.
pub fn write_json_text<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing a string, number, bool or null into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}
