//! Service Workers: route matching and the handler-language interpreter, exactly as the
//! docs of [`crate::model::handler`] say.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{self, HeaderName, HeaderValue, header};
use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use crate::model::{Condition, Expr, KvFormat, Route, Step, Template, TemplatePart, Worker};
use crate::semantics::{AUTH_HEADER, KV_LIST_LIMIT, errors};

use super::bindings::{Binding, BindingError, ParsedJson};
use super::engine::{RequestCtx, Shared};
use super::http::{Req, Resp, decode_segment, error_response, headers_object, json_response};

/// Characters a URL parser percent-encodes in a path or query.
const URL_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Answer a request to Worker `node`.
pub async fn handle(
    shared: &Shared,
    ctx: &RequestCtx,
    node: &str,
    worker: &Worker,
    public: bool,
    request: Req,
) -> Resp {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let Some((index, route, params)) = match_route(&worker.routes, method, path) else {
        return error_response(404, &errors::no_route(method, path));
    };
    let body = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(value) => value,
            Err(_) => return error_response(400, errors::INVALID_JSON),
        }
    };
    let inputs = shared.route_inputs(node, index);
    let mut scope = Scope::default();
    scope.insert("params", Value::Object(params));
    scope.insert("body", body);
    // Building `query`, `headers` and `auth` costs allocations; leave them out when no step
    // reads them (nothing can tell the difference).
    if inputs.query {
        scope.insert(
            "query",
            Value::Object(super::http::query_object(parts.uri.query())),
        );
    }
    if inputs.headers {
        scope.insert("headers", Value::Object(headers_object(&parts.headers)));
    }
    if inputs.auth {
        let auth = if public {
            None
        } else {
            parts
                .headers
                .get(AUTH_HEADER)
                .and_then(|v| serde_json::from_slice::<Value>(v.as_bytes()).ok())
                .filter(Value::is_object)
        };
        scope.insert("auth", auth.unwrap_or_else(|| json!({ "method": "none" })));
    }
    let run = Run {
        shared,
        ctx,
        worker: node,
    };
    match run.steps(&route.steps, None, &mut scope).await {
        Ok(Some(response)) => response,
        Ok(None) => json_response(500, &json!({ "error": errors::NO_RESPONSE, "node": node })),
        Err(failure) => {
            tracing::error!(
                node,
                step = %failure.step,
                "{} failed: {}",
                failure.kind,
                failure.cause
            );
            let mut body = json!({
                "error": errors::step_failed(failure.kind),
                "node": node,
                "step": failure.step,
            });
            if let Some(help) = failure.help {
                body["help"] = Value::String(help);
            }
            json_response(failure.status, &body)
        }
    }
}

/// Which request inputs a route's steps read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteInputs {
    pub query: bool,
    pub headers: bool,
    /// Reads `auth`, or calls a service (which passes `auth` on).
    pub auth: bool,
}

/// Which inputs each route of a Worker reads (computed once when the engine starts).
pub fn route_inputs(worker: &Worker) -> Vec<RouteInputs> {
    worker
        .routes
        .iter()
        .map(|route| {
            let mut inputs = RouteInputs::default();
            crate::model::walk_steps(&route.steps, &mut |_, step| {
                inputs.auth |= matches!(step, Step::Call { .. });
                step.for_each_read(&mut |path| {
                    let root = path.split('.').next().unwrap_or_default().trim();
                    inputs.query |= root == "query";
                    inputs.headers |= root == "headers";
                    inputs.auth |= root == "auth";
                });
            });
            inputs
        })
        .collect()
}

/// The first route whose method and path match, with its path parameters.
pub fn match_route<'a>(
    routes: &'a [Route],
    method: &str,
    path: &str,
) -> Option<(usize, &'a Route, Map<String, Value>)> {
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let request = super::http::segment_iter(path);
    routes.iter().enumerate().find_map(|(index, route)| {
        if route.method.as_str() != method {
            return None;
        }
        // Check every segment before building the parameters.
        let mut pattern = super::http::segment_iter(&route.path);
        let mut got = request.clone();
        loop {
            match (pattern.next(), got.next()) {
                (None, None) => break,
                (Some(want), Some(got)) => {
                    let matches = if want.starts_with(':') {
                        !got.is_empty()
                    } else {
                        want == got
                    };
                    if !matches {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        let mut params = Map::new();
        for (want, got) in super::http::segment_iter(&route.path).zip(request.clone()) {
            if let Some(name) = want.strip_prefix(':') {
                params.insert(name.to_owned(), Value::String(decode_segment(got)));
            }
        }
        Some((index, route, params))
    })
}

/// A failing step.
struct Failure {
    kind: &'static str,
    step: String,
    status: u16,
    cause: String,
    help: Option<String>,
}

struct Run<'a> {
    shared: &'a Shared,
    ctx: &'a RequestCtx,
    worker: &'a str,
}

/// A value in scope: the step's own, or shared with a store's cache (a KV JSON value is not
/// copied for every request that reads it).
#[derive(Debug)]
pub enum Slot {
    Owned(Value),
    Shared(Arc<ParsedJson>),
}

impl Slot {
    pub fn value(&self) -> &Value {
        match self {
            Self::Owned(value) => value,
            Self::Shared(parsed) => parsed.value(),
        }
    }
}

/// The names a route's steps read: `params`, `query`, `headers`, `body`, `auth`, and what
/// earlier steps stored (`into`, `set`). The names are the design's own text, and a route has
/// few of them, so this is a short list searched in order.
#[derive(Debug, Default)]
pub struct Scope<'a> {
    entries: Vec<(&'a str, Slot)>,
}

impl<'a> Scope<'a> {
    /// Set `name`, replacing what it held.
    pub fn insert(&mut self, name: &'a str, value: impl Into<Slot>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(held, _)| *held == name) {
            Some((_, slot)) => *slot = value,
            None => self.entries.push((name, value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.slot(name).map(Slot::value)
    }

    fn slot(&self, name: &str) -> Option<&Slot> {
        self.entries
            .iter()
            .find(|(held, _)| *held == name)
            .map(|(_, slot)| slot)
    }
}

impl From<Value> for Slot {
    fn from(value: Value) -> Self {
        Self::Owned(value)
    }
}

impl From<Arc<ParsedJson>> for Slot {
    fn from(parsed: Arc<ParsedJson>) -> Self {
        Self::Shared(parsed)
    }
}

/// Where a step is, for error messages: `2`, `3.then.0`. Formatted only when a step fails.
#[derive(Clone, Copy)]
struct At<'p> {
    /// The `If` step and branch this step's list belongs to.
    parent: Option<(&'p At<'p>, &'static str)>,
    index: usize,
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((parent, branch)) = self.parent {
            write!(f, "{parent}.{branch}.")?;
        }
        write!(f, "{}", self.index)
    }
}

/// Look up a dotted path; anything missing on the way gives `null`.
pub fn lookup(scope: &Scope, path: &str) -> Value {
    lookup_ref(scope, path).cloned().unwrap_or(Value::Null)
}

/// [`lookup`] without the copy: `None` where `lookup` gives `null` for a missing value.
pub fn lookup_ref<'s>(scope: &'s Scope, path: &str) -> Option<&'s Value> {
    let mut segments = path.split('.');
    let mut current = scope.get(segments.next()?.trim())?;
    for segment in segments {
        current = match current {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }?;
    }
    Some(current)
}

/// Whether a dotted path holds something other than `null`.
fn exists(scope: &Scope, path: &str) -> bool {
    lookup_ref(scope, path).is_some_and(|value| !value.is_null())
}

/// The text of a value inside a template.
pub fn value_text(value: &Value) -> String {
    let mut out = String::new();
    push_value_text(value, &mut out);
    out
}

fn push_value_text(value: &Value, out: &mut String) {
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
                if i > 0 {
                    out.push(b',');
                }
                write_json_text(name, out);
                out.push(b':');
                write_js_json(field, out);
            }
            out.push(b'}');
        }
        Value::Null | Value::Bool(_) | Value::String(_) => write_json_text(value, out),
    }
}

/// serde_json's compact form of a string, number or scalar.
fn write_json_text<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing a string, number, bool or null into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

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
                if i > 0 {
                    out.push(b',');
                }
                write_json_text(name, out);
                out.push(b':');
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
fn stored_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => js_json(other),
    }
}

impl<'a> Run<'a> {
    fn steps<'s>(
        &'s self,
        steps: &'a [Step],
        parent: Option<(&'s At<'s>, &'static str)>,
        scope: &'s mut Scope<'a>,
    ) -> BoxFuture<'s, Result<Option<Resp>, Failure>> {
        async move {
            for (index, step) in steps.iter().enumerate() {
                let path = At { parent, index };
                if let Some(response) = self.step(step, &path, scope).await? {
                    return Ok(Some(response));
                }
            }
            Ok(None)
        }
        .boxed()
    }

    fn fail(step: &Step, path: &At<'_>, cause: impl Into<String>) -> Failure {
        Failure {
            kind: step.kind_name(),
            step: path.to_string(),
            status: 500,
            cause: cause.into(),
            help: None,
        }
    }

    fn binding_failure(step: &Step, path: &At<'_>, err: BindingError) -> Failure {
        match err {
            BindingError::Failed(cause) => Self::fail(step, path, cause),
            BindingError::Unavailable { message, help } => Failure {
                kind: step.kind_name(),
                step: path.to_string(),
                status: 502,
                cause: message,
                help,
            },
        }
    }

    fn binding(&self, step: &Step, path: &At<'_>, name: &str) -> Result<&'a Binding, Failure> {
        self.shared.registry.get(self.worker, name).ok_or_else(|| {
            Self::fail(
                step,
                path,
                format!("Worker `{}` has no binding named `{name}`", self.worker),
            )
        })
    }

    async fn step(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<Option<Resp>, Failure> {
        let recorder = &self.ctx.recorder;
        match step {
            Step::KvGet {
                binding,
                key,
                format,
                into,
            } => {
                let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
                    return Err(Self::fail(
                        step,
                        path,
                        format!("`{binding}` is not a KV binding"),
                    ));
                };
                let key = render(key, scope).map_err(|e| Self::fail(step, path, e))?;
                let mut timer = recorder.start(node, "kv get", key.clone());
                let value = match format {
                    KvFormat::Text => kv.get(key).await.map(|text| {
                        Ok(Slot::Owned(text.map_or(Value::Null, |text| {
                            timer.hop.bytes = Some(text.len() as u64);
                            Value::String(text.to_string())
                        })))
                    }),
                    KvFormat::Json => kv.get_json(key).await.map(|json| match json {
                        Some(json) => {
                            timer.hop.bytes = Some(json.bytes as u64);
                            json.parsed.map(Slot::Shared)
                        }
                        None => Ok(Slot::Owned(Value::Null)),
                    }),
                };
                let value = match value {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(e)) => Err(format!(
                        "the value under KV key `{}` is not JSON: {e}",
                        timer.hop.detail
                    )),
                    Err(err) => Err(err.to_string()),
                };
                if let Err(err) = &value {
                    timer.hop.error = Some(err.clone());
                }
                recorder.push(timer);
                let value = value.map_err(|e| Self::fail(step, path, e))?;
                scope.insert(into, value);
            }
            Step::KvPut {
                binding,
                key,
                value,
                ttl_secs,
            } => {
                let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
                    return Err(Self::fail(
                        step,
                        path,
                        format!("`{binding}` is not a KV binding"),
                    ));
                };
                let key = render(key, scope).map_err(|e| Self::fail(step, path, e))?;
                let value = eval_ref(value, scope).map_err(|e| Self::fail(step, path, e))?;
                let text = stored_text(&value);
                let mut timer = recorder.start(node, "kv put", key.clone());
                timer.hop.bytes = Some(text.len() as u64);
                let result = kv.put(key, text, *ttl_secs).await;
                if let Err(err) = &result {
                    timer.hop.error = Some(err.to_string());
                }
                recorder.push(timer);
                result.map_err(|e| Self::binding_failure(step, path, e))?;
            }
            Step::KvDelete { binding, key } => {
                let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
                    return Err(Self::fail(
                        step,
                        path,
                        format!("`{binding}` is not a KV binding"),
                    ));
                };
                let key = render(key, scope).map_err(|e| Self::fail(step, path, e))?;
                let mut timer = recorder.start(node, "kv delete", key.clone());
                let result = kv.delete(key).await;
                if let Err(err) = &result {
                    timer.hop.error = Some(err.to_string());
                }
                recorder.push(timer);
                result.map_err(|e| Self::binding_failure(step, path, e))?;
            }
            Step::KvList {
                binding,
                prefix,
                into,
            } => {
                let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
                    return Err(Self::fail(
                        step,
                        path,
                        format!("`{binding}` is not a KV binding"),
                    ));
                };
                let prefix = render(prefix, scope).map_err(|e| Self::fail(step, path, e))?;
                let mut timer = recorder.start(node, "kv list", prefix.clone());
                let result = kv.list(prefix, KV_LIST_LIMIT + 1).await;
                match &result {
                    Ok(keys) => timer.hop.rows = Some(keys.len().min(KV_LIST_LIMIT) as u64),
                    Err(err) => timer.hop.error = Some(err.to_string()),
                }
                recorder.push(timer);
                let mut keys = result.map_err(|e| Self::binding_failure(step, path, e))?;
                let complete = keys.len() <= KV_LIST_LIMIT;
                keys.truncate(KV_LIST_LIMIT);
                let keys: Vec<Value> = keys
                    .into_iter()
                    .map(|name| json!({ "name": name }))
                    .collect();
                scope.insert(into, json!({ "keys": keys, "list_complete": complete }));
            }
            Step::D1 {
                binding,
                sql,
                params,
                mode,
                into,
            }
            | Step::Hyperdrive {
                binding,
                sql,
                params,
                mode,
                into,
            } => {
                let (node, db, kind) = match (self.binding(step, path, binding)?, step) {
                    (Binding::D1 { node, db }, Step::D1 { .. }) => (node, db, "d1 query"),
                    (Binding::Hyperdrive { node, db }, Step::Hyperdrive { .. }) => {
                        (node, db, "hyperdrive query")
                    }
                    _ => {
                        return Err(Self::fail(
                            step,
                            path,
                            format!("`{binding}` is not a {} binding", step.kind_name()),
                        ));
                    }
                };
                let values = params
                    .iter()
                    .map(|p| eval(p, scope))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Self::fail(step, path, e))?;
                let mut timer = recorder.start(node, kind, sql.clone());
                let result = db.query(sql.clone(), values, *mode).await;
                match &result {
                    Ok(output) => {
                        timer.hop.rows = Some(output.rows);
                        timer.hop.cache = output.cache;
                        timer.hop.meta.clone_from(&output.meta);
                    }
                    Err(err) => timer.hop.error = Some(err.to_string()),
                }
                recorder.push(timer);
                let output = result.map_err(|e| Self::binding_failure(step, path, e))?;
                if let Some(into) = into {
                    scope.insert(into, output.value);
                }
            }
            Step::Call {
                binding,
                method,
                path: target_path,
                body,
                into,
            } => {
                let Binding::Service(service) = self.binding(step, path, binding)? else {
                    return Err(Self::fail(
                        step,
                        path,
                        format!("`{binding}` is not a service binding"),
                    ));
                };
                let target_path =
                    render(target_path, scope).map_err(|e| Self::fail(step, path, e))?;
                // Like `new URL()`: characters not allowed in a URL are percent-encoded.
                let target_path =
                    percent_encoding::utf8_percent_encode(&target_path, URL_UNSAFE).to_string();
                let target_path = if target_path.starts_with('/') {
                    target_path
                } else {
                    format!("/{target_path}")
                };
                let mut builder = http::Request::builder()
                    .method(method.as_str())
                    .uri(&target_path);
                let auth = scope
                    .get("auth")
                    .map_or_else(|| "null".to_owned(), Value::to_string);
                builder = builder.header(AUTH_HEADER, auth);
                let body = match body {
                    Some(expr) => {
                        builder = builder.header(header::CONTENT_TYPE, "application/json");
                        let mut json = Vec::new();
                        write_expr_json(expr, scope, &mut json)
                            .map_err(|e| Self::fail(step, path, e))?;
                        Bytes::from(json)
                    }
                    None => Bytes::new(),
                };
                let request = builder.body(body).map_err(|e| {
                    Self::fail(step, path, format!("cannot build the request: {e}"))
                })?;
                let response = service
                    .fetch(self.ctx, request)
                    .await
                    .map_err(|e| Self::binding_failure(step, path, e))?;
                let status = response.status().as_u16();
                let body = response.into_body();
                let body = if body.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&body).unwrap_or_else(|_| {
                        Value::String(String::from_utf8_lossy(&body).into_owned())
                    })
                };
                scope.insert(into, json!({ "status": status, "body": body }));
            }
            Step::Set { name, value } => {
                let value = eval(value, scope).map_err(|e| Self::fail(step, path, e))?;
                scope.insert(name, value);
            }
            Step::If {
                cond,
                then,
                otherwise,
            } => {
                let holds = match cond {
                    Condition::Exists(p) => exists(scope, p),
                    Condition::Missing(p) => !exists(scope, p),
                    Condition::Equals(a, b) => {
                        let a = eval_ref(a, scope).map_err(|e| Self::fail(step, path, e))?;
                        let b = eval_ref(b, scope).map_err(|e| Self::fail(step, path, e))?;
                        json_equal(&a, &b)
                    }
                };
                let (branch, name) = if holds {
                    (then, "then")
                } else {
                    (otherwise, "otherwise")
                };
                return self.steps(branch, Some((path, name)), scope).await;
            }
            Step::Respond {
                status,
                body,
                headers,
            } => {
                return respond(*status, body.as_ref(), headers, scope)
                    .map(Some)
                    .map_err(|e| Self::fail(step, path, e));
            }
        }
        Ok(None)
    }
}

fn respond(
    status: u16,
    body: Option<&Expr>,
    headers: &BTreeMap<String, Template>,
    scope: &Scope,
) -> Result<Resp, String> {
    let status = http::StatusCode::from_u16(status).map_err(|e| format!("status {status}: {e}"))?;
    let mut response = match body {
        Some(expr) => {
            let mut body = Vec::with_capacity(256);
            write_expr_json(expr, scope, &mut body)?;
            let mut response = http::Response::new(Bytes::from(body));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        None => http::Response::new(Bytes::new()),
    };
    *response.status_mut() = status;
    for (name, template) in headers {
        let value = render(template, scope)?;
        let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|e| format!("header name `{name}`: {e}"))?;
        let value =
            HeaderValue::from_str(&value).map_err(|e| format!("header `{name}` value: {e}"))?;
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HttpMethod;

    #[test]
    fn lookup_walks_objects_and_arrays() {
        let mut scope = Scope::default();
        scope.insert("rows", json!([{"id": 7}]));
        assert_eq!(lookup(&scope, "rows.0.id"), json!(7));
        assert_eq!(lookup(&scope, "rows.1.id"), Value::Null);
        assert_eq!(lookup(&scope, "nope.x"), Value::Null);
    }

    #[test]
    fn templates_render_values_as_text() {
        let mut scope = Scope::default();
        scope.insert("a", json!({"n": 1.5, "s": "x", "z": null, "o": {"k": [1]}}));
        let template = Template::new("{a.n}|{a.s}|{a.z}|{a.o}|{{lit}}");
        assert_eq!(
            render(&template, &scope).expect("renders"),
            "1.5|x||{\"k\":[1]}|{lit}"
        );
    }

    #[test]
    fn whole_floats_print_like_javascript() {
        let value = json!({"a": 1.0, "b": [2.5, -0.0], "c": 1e300, "d": 9.007_199_254_740_992e15});
        assert_eq!(
            js_json(&value),
            r#"{"a":1,"b":[2.5,0],"c":1e+300,"d":9007199254740992.0}"#
        );
        assert_eq!(value_text(&json!(3.0)), "3");
    }

    #[test]
    fn response_bodies_are_written_as_their_evaluated_value() {
        let mut scope = Scope::default();
        scope.insert("params", json!({"id": "7"}));
        scope.insert(
            "row",
            json!({"name": "Quote \"q\" \u{e9}\n", "price": 15.0, "tags": [1, 2.5, null, true]}),
        );
        let expr = Expr::Object(BTreeMap::from([
            ("z".to_owned(), Expr::Ref("row".into())),
            ("a".to_owned(), Expr::Ref("row.tags.1".into())),
            ("missing".to_owned(), Expr::Ref("row.nope.deeper".into())),
            (
                "text".to_owned(),
                Expr::Text(Template::new("item {params.id}: {row.price}")),
            ),
            (
                "plain".to_owned(),
                Expr::Text(Template::new("no placeholders")),
            ),
            ("json".to_owned(), Expr::Json(json!({"b": 2.0, "a": [1.0]}))),
        ]));
        let mut written = Vec::new();
        write_expr_json(&expr, &scope, &mut written).expect("writes");
        let expected = js_json(&eval(&expr, &scope).expect("evaluates"));
        assert_eq!(String::from_utf8(written).expect("UTF-8"), expected);
        assert_eq!(
            expected,
            r#"{"a":2.5,"json":{"b":2,"a":[1]},"missing":null,"plain":"no placeholders","text":"item 7: 15","z":{"name":"Quote \"q\" é\n","price":15,"tags":[1,2.5,null,true]}}"#
        );
    }

    #[test]
    fn a_kv_value_shared_between_requests_is_written_like_one_of_its_own() {
        let value = json!({"name": "Quote \"q\" \u{e9}", "price": 15.0, "tags": [1, 2.5]});
        let mut scope = Scope::default();
        scope.insert("cached", Arc::new(ParsedJson::new(value.clone())));
        scope.insert("owned", value);
        let write = |path: &str| {
            let expr = Expr::Object(BTreeMap::from([("p".to_owned(), Expr::Ref(path.into()))]));
            let mut out = Vec::new();
            write_expr_json(&expr, &scope, &mut out).expect("writes");
            String::from_utf8(out).expect("UTF-8")
        };
        let whole = r#"{"p":{"name":"Quote \"q\" é","price":15,"tags":[1,2.5]}}"#;
        assert_eq!(write("owned"), whole);
        // Twice: the first write keeps the text, the second uses it.
        assert_eq!(write("cached"), whole);
        assert_eq!(write(" cached "), whole);
        assert_eq!(write("cached.tags.1"), r#"{"p":2.5}"#);
        assert_eq!(write("cached.nope"), r#"{"p":null}"#);
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_equal(&json!(1), &json!(1.0)));
        assert!(!json_equal(&json!(1), &json!("1")));
        assert!(json_equal(&json!({"a": [1]}), &json!({"a": [1.0]})));
    }

    #[test]
    fn routes_match_segments_and_ignore_a_trailing_slash() {
        let routes = vec![Route {
            method: HttpMethod::Get,
            path: "/users/:id".into(),
            steps: vec![],
        }];
        let (_, _, params) = match_route(&routes, "GET", "/users/a%20b/").expect("matches");
        assert_eq!(params["id"], "a b");
        assert!(match_route(&routes, "GET", "/users").is_none());
        assert!(match_route(&routes, "POST", "/users/1").is_none());
    }
}
