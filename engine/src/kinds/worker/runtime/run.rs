//! Running a route's steps: each step kind as the handler language docs say, failures with
//! the step's position, and the response.

use std::collections::BTreeMap;
use std::future::Future;

use axum::http::{self, HeaderName, HeaderValue, header};
use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use crate::model::{Condition, Expr, HttpMethod, KvFormat, Step, Template};
use crate::semantics::{AUTH_HEADER, KV_LIST_LIMIT};

use super::scope::{Scope, Slot, exists};
use super::values::{eval, eval_ref, json_equal, render, stored_text, write_expr_json};
use crate::runtime::bindings::{Binding, BindingError, KvNamespace, QueryOutput};
use crate::runtime::context::RequestCtx;
use crate::runtime::dispatch::Shared;
use crate::runtime::http::Resp;
use crate::runtime::trace::{CacheOutcome, HopTimer};

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

/// Where a step is, for error messages: `2`, `3.then.0`, with its kind. Formatted only when
/// a step fails.
#[derive(Clone, Copy)]
pub(super) struct At<'p> {
    /// The `If` step and branch this step's list belongs to.
    parent: Option<(&'p At<'p>, &'static str)>,
    index: usize,
    kind: &'static str,
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((parent, branch)) = self.parent {
            write!(f, "{parent}.{branch}.")?;
        }
        write!(f, "{}", self.index)
    }
}

impl At<'_> {
    /// The step fails with 500.
    fn fail(&self, cause: impl Into<String>) -> Failure {
        Failure {
            kind: self.kind,
            step: self.to_string(),
            status: 500,
            cause: cause.into(),
            help: None,
        }
    }

    /// The step fails as its binding did: 502 when the store is unavailable.
    fn binding_failure(&self, err: BindingError) -> Failure {
        match err {
            BindingError::Failed(cause) => self.fail(cause),
            BindingError::Unavailable { message, help } => Failure {
                status: 502,
                help,
                ..self.fail(message)
            },
        }
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
                let at = At {
                    parent,
                    index,
                    kind: step.kind_name(),
                };
                if let Some(response) = self.step(step, &at, scope).await? {
                    return Ok(Some(response));
                }
            }
            Ok(None)
        }
        .boxed()
    }

    fn binding(&self, at: &At<'_>, name: &str) -> Result<&'a Binding, Failure> {
        self.shared.registry.get(self.worker, name).ok_or_else(|| {
            at.fail(format!(
                "Worker `{}` has no binding named `{name}`",
                self.worker
            ))
        })
    }

    /// The KV namespace behind `binding`, and its node.
    fn kv(&self, at: &At<'_>, binding: &str) -> Result<(&'a str, &'a dyn KvNamespace), Failure> {
        match self.binding(at, binding)? {
            Binding::Kv { node, kv } => Ok((node, kv.as_ref())),
            _ => Err(at.fail(format!("`{binding}` is not a KV binding"))),
        }
    }

    /// `call` to the store `node`, unless a fault set on it fails first; the hop records the
    /// error either way.
    async fn at_store<T, F>(
        &self,
        node: &str,
        timer: &mut HopTimer,
        call: impl FnOnce() -> F,
    ) -> Result<T, BindingError>
    where
        F: Future<Output = Result<T, BindingError>>,
    {
        let result = match self.shared.faults.apply(node, timer).await {
            Ok(()) => call().await,
            Err(err) => Err(err),
        };
        if let Err(err) = &result {
            timer.hop.error = Some(err.to_string());
        }
        result
    }

    /// `KvGet`: the value under the key, as text or JSON.
    async fn kv_get(
        &self,
        at: &At<'_>,
        scope: &mut Scope<'a>,
        binding: &str,
        key: &Template,
        format: KvFormat,
        into: &'a str,
    ) -> Result<(), Failure> {
        let recorder = &self.ctx.recorder;
        let (node, kv) = self.kv(at, binding)?;
        let key = render(key, scope).map_err(|e| at.fail(e))?;
        let mut timer = recorder.start(node, "kv get", key.clone());
        if let Err(err) = self.shared.faults.apply(node, &mut timer).await {
            timer.hop.error = Some(err.to_string());
            recorder.push(timer);
            return Err(at.binding_failure(err));
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
        scope.insert(into, value.map_err(|e| at.fail(e))?);
        Ok(())
    }

    /// `KvPut`: store a value, with an optional expiration.
    async fn kv_put(
        &self,
        at: &At<'_>,
        scope: &mut Scope<'a>,
        binding: &str,
        key: &Template,
        value: &Expr,
        ttl_secs: Option<u32>,
    ) -> Result<(), Failure> {
        let (node, kv) = self.kv(at, binding)?;
        let key = render(key, scope).map_err(|e| at.fail(e))?;
        let value = eval_ref(value, scope).map_err(|e| at.fail(e))?;
        let text = stored_text(&value);
        let mut timer = self.ctx.recorder.start(node, "kv put", key.clone());
        timer.hop.bytes = Some(text.len() as u64);
        let result = self
            .at_store(node, &mut timer, || kv.put(key, text, ttl_secs))
            .await;
        self.ctx.recorder.push(timer);
        result.map_err(|e| at.binding_failure(e))
    }

    /// `KvDelete`: remove a key.
    async fn kv_delete(
        &self,
        at: &At<'_>,
        scope: &Scope<'a>,
        binding: &str,
        key: &Template,
    ) -> Result<(), Failure> {
        let (node, kv) = self.kv(at, binding)?;
        let key = render(key, scope).map_err(|e| at.fail(e))?;
        let mut timer = self.ctx.recorder.start(node, "kv delete", key.clone());
        let result = self.at_store(node, &mut timer, || kv.delete(key)).await;
        self.ctx.recorder.push(timer);
        result.map_err(|e| at.binding_failure(e))
    }

    /// `KvList`: the keys starting with a prefix, at most [`KV_LIST_LIMIT`].
    async fn kv_list(
        &self,
        at: &At<'_>,
        scope: &mut Scope<'a>,
        binding: &str,
        prefix: &Template,
        into: &'a str,
    ) -> Result<(), Failure> {
        let (node, kv) = self.kv(at, binding)?;
        let prefix = render(prefix, scope).map_err(|e| at.fail(e))?;
        let mut timer = self.ctx.recorder.start(node, "kv list", prefix.clone());
        let result = self
            .at_store(node, &mut timer, || kv.list(prefix, KV_LIST_LIMIT + 1))
            .await;
        if let Ok(keys) = &result {
            timer.hop.rows = Some(keys.len().min(KV_LIST_LIMIT) as u64);
        }
        self.ctx.recorder.push(timer);
        let mut keys = result.map_err(|e| at.binding_failure(e))?;
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
        at: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<(), Failure> {
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
        let (node, db, kind) = match (self.binding(at, binding)?, step) {
            (Binding::D1 { node, db }, Step::D1 { .. }) => (node, db, "d1 query"),
            (Binding::Hyperdrive { node, db }, Step::Hyperdrive { .. }) => {
                (node, db, "hyperdrive query")
            }
            _ => {
                return Err(at.fail(format!("`{binding}` is not a {} binding", at.kind)));
            }
        };
        let values = params
            .iter()
            .map(|p| eval(p, scope))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| at.fail(e))?;
        let mut timer = self.ctx.recorder.start(node, kind, sql.clone());
        let result = self
            .at_store(node, &mut timer, || db.query(sql.clone(), values, *mode))
            .await;
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
        if let Ok(output) = &result {
            timer.hop.rows = Some(output.rows);
            timer.hop.cache = output.cache;
            timer.hop.meta.clone_from(&output.meta);
        }
        self.ctx.recorder.push(timer);
        let output = result.map_err(|e| at.binding_failure(e))?;
        if let Some(into) = into {
            scope.insert(into, output.value);
        }
        Ok(())
    }

    /// `Call`: a request to the Worker behind a service binding; its status and body.
    async fn call(
        &self,
        at: &At<'_>,
        scope: &mut Scope<'a>,
        binding: &str,
        method: HttpMethod,
        target_path: &Template,
        body: Option<&Expr>,
    ) -> Result<Value, Failure> {
        let Binding::Service(service) = self.binding(at, binding)? else {
            return Err(at.fail(format!("`{binding}` is not a service binding")));
        };
        let target_path = render(target_path, scope).map_err(|e| at.fail(e))?;
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
                write_expr_json(expr, scope, &mut json).map_err(|e| at.fail(e))?;
                Bytes::from(json)
            }
            None => Bytes::new(),
        };
        let request = builder
            .body(body)
            .map_err(|e| at.fail(format!("cannot build the request: {e}")))?;
        let response = service
            .fetch(self.ctx, request)
            .await
            .map_err(|e| at.binding_failure(e))?;
        let status = response.status().as_u16();
        let body = response.into_body();
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
        };
        Ok(json!({ "status": status, "body": body }))
    }

    async fn step(
        &self,
        step: &'a Step,
        at: &At<'_>,
        scope: &mut Scope<'a>,
    ) -> Result<Option<Resp>, Failure> {
        match step {
            Step::KvGet {
                binding,
                key,
                format,
                into,
            } => {
                self.kv_get(at, scope, binding, key, *format, into).await?;
            }
            Step::KvPut {
                binding,
                key,
                value,
                ttl_secs,
            } => {
                let ttl_secs = *ttl_secs;
                self.kv_put(at, scope, binding, key, value, ttl_secs)
                    .await?;
            }
            Step::KvDelete { binding, key } => self.kv_delete(at, scope, binding, key).await?,
            Step::KvList {
                binding,
                prefix,
                into,
            } => self.kv_list(at, scope, binding, prefix, into).await?,
            Step::D1 { .. } | Step::Hyperdrive { .. } => self.query(step, at, scope).await?,
            Step::Call {
                binding,
                method,
                path,
                body,
                into,
            } => {
                let body = body.as_ref();
                let answer = self.call(at, scope, binding, *method, path, body).await?;
                scope.insert(into, answer);
            }
            Step::Set { name, value } => {
                let value = eval(value, scope).map_err(|e| at.fail(e))?;
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
                        let a = eval_ref(a, scope).map_err(|e| at.fail(e))?;
                        let b = eval_ref(b, scope).map_err(|e| at.fail(e))?;
                        json_equal(&a, &b)
                    }
                };
                let (branch, name) = if holds {
                    (then, "then")
                } else {
                    (otherwise, "otherwise")
                };
                return self.steps(branch, Some((at, name)), scope).await;
            }
            Step::Respond {
                status,
                body,
                headers,
            } => {
                return respond(*status, body.as_ref(), headers, scope)
                    .map(Some)
                    .map_err(|e| at.fail(e));
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
