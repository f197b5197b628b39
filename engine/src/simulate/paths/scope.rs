//! What a handler knows statically of a sample request: its inputs, and the conditions and
//! templates it can decide from them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::model::{Condition, Expr, RequestBody, Template, TemplatePart};

/// What a handler knows statically: the request's inputs (`None` = unknown).
#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    pub(super) params: BTreeMap<String, String>,
    pub(super) query: BTreeMap<String, String>,
    pub(super) headers: Option<BTreeMap<String, String>>,
    pub(super) body: Option<Value>,
    /// Names set by a `KvGet` in this handler: testing them is a cache lookup.
    pub(super) kv_results: BTreeSet<String>,
    /// Chance that such a lookup finds its key.
    pub(super) kv_hit_ratio: f64,
}

impl Scope {
    /// The value at a dotted path, when the path starts at a request input we know.
    pub(super) fn lookup(&self, path: &str) -> Option<Value> {
        let mut segments = path.split('.');
        let root = segments.next()?;
        let mut value = match root {
            "params" => to_object(&self.params),
            "query" => to_object(&self.query),
            "headers" => to_object(self.headers.as_ref()?),
            "body" => self.body.clone()?,
            _ => return None,
        };
        for segment in segments {
            value = match &value {
                Value::Object(map) => map.get(segment).cloned().unwrap_or(Value::Null),
                Value::Array(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned())
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            };
        }
        Some(value)
    }

    pub(super) fn eval(&self, expr: &Expr) -> Option<Value> {
        match expr {
            Expr::Ref(path) => self.lookup(path),
            Expr::Json(value) => Some(value.clone()),
            Expr::Text(template) => self.render(template).map(Value::String),
            Expr::Object(fields) => fields
                .iter()
                .map(|(k, e)| self.eval(e).map(|v| (k.clone(), v)))
                .collect::<Option<serde_json::Map<_, _>>>()
                .map(Value::Object),
        }
    }

    pub(super) fn render(&self, template: &Template) -> Option<String> {
        let mut text = String::new();
        for part in template.parts().ok()? {
            match part {
                TemplatePart::Literal(literal) => text.push_str(&literal),
                TemplatePart::Path(path) => match self.lookup(path)? {
                    Value::String(s) => text.push_str(&s),
                    Value::Null => {}
                    other => text.push_str(&other.to_string()),
                },
            }
        }
        Some(text)
    }

    /// A template rendered with unknown values as `x` (enough to match `:name` segments).
    pub(super) fn render_path(&self, template: &Template) -> String {
        let mut text = String::new();
        for part in template.parts().unwrap_or_default() {
            match part {
                TemplatePart::Literal(literal) => text.push_str(&literal),
                TemplatePart::Path(path) => match self.lookup(path) {
                    Some(Value::String(s)) => text.push_str(&s),
                    Some(Value::Null) => {}
                    Some(other) => text.push_str(&other.to_string()),
                    None => text.push('x'),
                },
            }
        }
        text
    }

    /// The chance that the condition holds: 1 or 0 when the sample decides it, the KV hit
    /// ratio for a cache lookup, else 1/2.
    pub(super) fn chance(&self, cond: &Condition) -> f64 {
        let known = |holds: Option<bool>| holds.map_or(0.5, |h| if h { 1.0 } else { 0.0 });
        let is_kv = |path: &str| {
            self.kv_results
                .contains(path.split('.').next().unwrap_or_default())
        };
        match cond {
            Condition::Exists(path) if is_kv(path) => self.kv_hit_ratio,
            Condition::Missing(path) if is_kv(path) => 1.0 - self.kv_hit_ratio,
            Condition::Exists(path) => known(self.lookup(path).map(|v| !v.is_null())),
            Condition::Missing(path) => known(self.lookup(path).map(|v| v.is_null())),
            Condition::Equals(a, b) => known(
                self.eval(a)
                    .zip(self.eval(b))
                    .map(|(a, b)| json_equal(&a, &b)),
            ),
        }
    }
}

fn to_object(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// What a Worker knows of the request body.
pub(super) enum Body {
    Known(Value),
    Unknown,
    /// A body that is not JSON: the Worker answers 400 before any step.
    Invalid,
}

pub(super) fn sample_body(body: Option<&RequestBody>) -> Body {
    match body {
        None => Body::Known(Value::Null),
        Some(RequestBody::Json(value)) => Body::Known(value.clone()),
        Some(RequestBody::Text(text)) if text.trim().is_empty() => Body::Known(Value::Null),
        Some(RequestBody::Text(text)) => {
            serde_json::from_str(text).map_or(Body::Invalid, Body::Known)
        }
    }
}

pub(super) fn lower_headers(headers: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}
