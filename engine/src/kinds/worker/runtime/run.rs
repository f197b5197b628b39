//! Running a route's steps: each step kind as the handler language docs say, failures with
//! the step's position, and the response.

use std::collections::BTreeMap;

use axum::http::{self, HeaderName, HeaderValue, header};
use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use crate::model::{Condition, Expr, KvFormat, Step, Template};
use crate::semantics::{AUTH_HEADER, KV_LIST_LIMIT};

use super::scope::{Scope, Slot, exists};
use super::values::{eval, eval_ref, json_equal, render, stored_text, write_expr_json};
use crate::runtime::bindings::{Binding, BindingError, QueryOutput};
use crate::runtime::context::RequestCtx;
use crate::runtime::dispatch::Shared;
use crate::runtime::http::Resp;
use crate::runtime::trace::CacheOutcome;

/// Characters a URL parser percent-encodes in a path or query.
const URL_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A failing step.
pub(super) struct Failure {
    pub(super) kind: &'static str,
    pub(super) step: String,
    pub(super) status: u16,
    pub(super) cause: String,
    pub(super) help: Option<String>,
}

/// The steps of one request to one Worker.
pub(super) struct Run<'a> {
    pub(super) shared: &'a Shared,
    pub(super) ctx: &'a RequestCtx,
    pub(super) worker: &'a str,
}

/// Where a step is, for error messages: `2`, `3.then.0`. Formatted only when a step fails.
#[derive(Clone, Copy)]
pub(super) struct At<'p> {
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

impl<'a> Run<'a> {
    pub(super) fn steps<'s>(
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

    /// `KvGet`: the value under the key, as text or JSON.
    async fn kv_get(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
        let recorder = &self.ctx.recorder;
        let Step::KvGet {
            binding,
            key,
            format,
            into,
        } = step
        else {
            return Ok(());
        };
        let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
            return Err(Self::fail(
                step,
                path,
                format!("`{binding}` is not a KV binding"),
            ));
        };
        let key = render(key, scope).map_err(|e| Self::fail(step, path, e))?;
        let mut timer = recorder.start(node, "kv get", key.clone());
        if let Err(err) = self.shared.faults.apply(node, &mut timer).await {
            timer.hop.error = Some(err.to_string());
            recorder.push(timer);
            return Err(Self::binding_failure(step, path, err));
        }
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
        Ok(())
    }

    /// `KvPut`: store a value, with an optional expiration.
    async fn kv_put(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
        let recorder = &self.ctx.recorder;
        let Step::KvPut {
            binding,
            key,
            value,
            ttl_secs,
        } = step
        else {
            return Ok(());
        };
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
        let result = match self.shared.faults.apply(node, &mut timer).await {
            Ok(()) => kv.put(key, text, *ttl_secs).await,
            Err(err) => Err(err),
        };
        if let Err(err) = &result {
            timer.hop.error = Some(err.to_string());
        }
        recorder.push(timer);
        result.map_err(|e| Self::binding_failure(step, path, e))?;
        Ok(())
    }

    /// `KvDelete`: remove a key.
    async fn kv_delete(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
        let recorder = &self.ctx.recorder;
        let Step::KvDelete { binding, key } = step else {
            return Ok(());
        };
        let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
            return Err(Self::fail(
                step,
                path,
                format!("`{binding}` is not a KV binding"),
            ));
        };
        let key = render(key, scope).map_err(|e| Self::fail(step, path, e))?;
        let mut timer = recorder.start(node, "kv delete", key.clone());
        let result = match self.shared.faults.apply(node, &mut timer).await {
            Ok(()) => kv.delete(key).await,
            Err(err) => Err(err),
        };
        if let Err(err) = &result {
            timer.hop.error = Some(err.to_string());
        }
        recorder.push(timer);
        result.map_err(|e| Self::binding_failure(step, path, e))?;
        Ok(())
    }

    /// `KvList`: the keys starting with a prefix, at most [`KV_LIST_LIMIT`].
    async fn kv_list(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
        let recorder = &self.ctx.recorder;
        let Step::KvList {
            binding,
            prefix,
            into,
        } = step
        else {
            return Ok(());
        };
        let Binding::Kv { node, kv } = self.binding(step, path, binding)? else {
            return Err(Self::fail(
                step,
                path,
                format!("`{binding}` is not a KV binding"),
            ));
        };
        let prefix = render(prefix, scope).map_err(|e| Self::fail(step, path, e))?;
        let mut timer = recorder.start(node, "kv list", prefix.clone());
        let result = match self.shared.faults.apply(node, &mut timer).await {
            Ok(()) => kv.list(prefix, KV_LIST_LIMIT + 1).await,
            Err(err) => Err(err),
        };
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
        Ok(())
    }

    /// `D1` and `Hyperdrive`: run the SQL with its parameters.
    async fn query(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
        let recorder = &self.ctx.recorder;
        let (Step::D1 {
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
        }) = step
        else {
            return Ok(());
        };
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
        let result = match self.shared.faults.apply(node, &mut timer).await {
            Ok(()) => db.query(sql.clone(), values, *mode).await,
            Err(err) => Err(err),
        };
        if let Some(geography) = &self.shared.geography {
            let hit = matches!(
                &result,
                Ok(QueryOutput {
                    cache: Some(CacheOutcome::Hit | CacheOutcome::Stale),
                    ..
                })
            );
            let hyperdrive = matches!(step, Step::Hyperdrive { .. });
            // The round trip comes before the work in the waterfall; the answer waits for it.
            let ms = geography.query_ms(node, self.worker, hyperdrive, sql, hit);
            timer.network(ms).await;
        }
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
        Ok(())
    }

    /// `Call`: a request to the Worker behind a service binding.
    async fn call(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
        let Step::Call {
            binding,
            method,
            path: target_path,
            body,
            into,
        } = step
        else {
            return Ok(());
        };
        let Binding::Service(service) = self.binding(step, path, binding)? else {
            return Err(Self::fail(
                step,
                path,
                format!("`{binding}` is not a service binding"),
            ));
        };
        let target_path = render(target_path, scope).map_err(|e| Self::fail(step, path, e))?;
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
                write_expr_json(expr, scope, &mut json).map_err(|e| Self::fail(step, path, e))?;
                Bytes::from(json)
            }
            None => Bytes::new(),
        };
        let request = builder
            .body(body)
            .map_err(|e| Self::fail(step, path, format!("cannot build the request: {e}")))?;
        let response = service
            .fetch(self.ctx, request)
            .await
            .map_err(|e| Self::binding_failure(step, path, e))?;
        let status = response.status().as_u16();
        let body = response.into_body();
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
        };
        scope.insert(into, json!({ "status": status, "body": body }));
        Ok(())
    }

    async fn step(
        &self,
        step: &'a Step,
        path: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<Option<Resp>, Failure> {
        match step {
            Step::KvGet { .. } => self.kv_get(step, path, scope).await?,
            Step::KvPut { .. } => self.kv_put(step, path, scope).await?,
            Step::KvDelete { .. } => self.kv_delete(step, path, scope).await?,
            Step::KvList { .. } => self.kv_list(step, path, scope).await?,
            Step::D1 { .. } | Step::Hyperdrive { .. } => self.query(step, path, scope).await?,
            Step::Call { .. } => self.call(step, path, scope).await?,
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
