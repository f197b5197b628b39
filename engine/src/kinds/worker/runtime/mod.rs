//! Service Workers: route matching and the handler-language interpreter, exactly as the
//! docs of [`crate::model::handler`] say.
//!
//! This file is the Worker's part in the engine and answers a request (route, inputs, the
//! error bodies); `run.rs` runs the steps, `scope.rs` holds the named values, `values.rs`
//! evaluates expressions and templates (JSON text with JavaScript's number forms is
//! [`crate::runtime::json`]).

use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use crate::contract::{Checked, Checker, invalid_request_body};
use crate::model::{Design, Node, NodeKind, Route, Step, Worker};
use crate::semantics::{AUTH_HEADER, errors};

use crate::runtime::KindRuntime;
use crate::runtime::bindings::Binding;
use crate::runtime::context::RequestCtx;
use crate::runtime::dispatch::Shared;
use crate::runtime::http::{
    Req, Resp, decode_segment, error_response, headers_object, json_response,
};
use crate::runtime::kind::{Exposure, Server, WireTarget};

mod run;
mod scope;
mod values;

use run::Run;
use scope::Scope;

impl KindRuntime for super::Def {
    fn exposure(&self) -> Exposure {
        Exposure::WhenCalled
    }

    fn server(&self, design: &Design, node: &Node, public: bool) -> Option<Arc<dyn Server>> {
        let NodeKind::Worker(worker) = &node.kind else {
            return None;
        };
        Some(Arc::new(WorkerServer {
            inputs: route_inputs(worker),
            contracts: route_contracts(design, node, worker),
            worker: worker.clone(),
            public,
        }))
    }

    fn binding_for_wire(&self, target: &WireTarget<'_>) -> Option<Binding> {
        Some(target.service())
    }
}

/// One Worker: its routes, whether it is public, and which inputs each route reads.
struct WorkerServer {
    worker: Worker,
    /// Wired from a Client: it ignores the gateway's auth header.
    public: bool,
    /// Per route, which inputs it reads (computed once when the engine starts).
    inputs: Vec<RouteInputs>,
    /// Per route, its compiled contract (none: nothing to check), or why it does not
    /// compile (validation reports it too).
    contracts: Vec<Option<Result<Checker, String>>>,
}

/// Each route's contract, compiled once.
fn route_contracts(
    design: &Design,
    node: &Node,
    worker: &Worker,
) -> Vec<Option<Result<Checker, String>>> {
    worker
        .routes
        .iter()
        .map(|route| {
            let request = route.request.as_ref().filter(|r| !r.is_empty())?;
            Some(Checker::compile(request, &design.schemas).map_err(|err| {
                tracing::error!(node = %node.id, route = %route.path, "the route's contract does not compile: {err}");
                err.to_string()
            }))
        })
        .collect()
}

impl Server for WorkerServer {
    fn hop_kind(&self) -> &'static str {
        "worker"
    }

    fn serve<'a>(
        &'a self,
        shared: &'a Shared,
        ctx: &'a RequestCtx,
        node: &'a str,
        request: Req,
    ) -> BoxFuture<'a, Resp> {
        handle(shared, ctx, node, self, request).boxed()
    }
}

/// Answer a request to Worker `node`.
async fn handle(
    shared: &Shared,
    ctx: &RequestCtx,
    node: &str,
    server: &WorkerServer,
    request: Req,
) -> Resp {
    let (worker, public) = (&server.worker, server.public);
    if let Some(code) = &worker.code {
        return json_response(
            501,
            &json!({
                "error": errors::code_worker(node),
                "worker": node,
                "source": code.source,
            }),
        );
    }
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
    // Which inputs the route reads (all of them when unknown).
    let inputs = server.inputs.get(index).copied().unwrap_or(RouteInputs {
        query: true,
        headers: true,
        auth: true,
    });
    let mut params = params;
    let mut query = None;
    if let Some(contract) = server.contracts.get(index).and_then(Option::as_ref) {
        let sent_query = crate::runtime::http::query_object(parts.uri.query());
        match check_contract(ctx, node, contract, &params, &sent_query, &body) {
            Ok(checked) => {
                params.extend(checked.params);
                let mut typed = sent_query;
                typed.extend(checked.query);
                query = Some(typed);
            }
            Err(response) => return *response,
        }
    }
    let mut scope = Scope::default();
    scope.insert("params", Value::Object(params));
    scope.insert("body", body);
    // Building `query`, `headers` and `auth` costs allocations; leave them out when no step
    // reads them (nothing can tell the difference).
    if inputs.query {
        let query = query.unwrap_or_else(|| crate::runtime::http::query_object(parts.uri.query()));
        scope.insert("query", Value::Object(query));
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

/// Check a request against its route's contract, with a `validate` hop in the trace: the
/// typed inputs, or the 400 answer that lists the issues (a 500 when the contract does not
/// compile).
fn check_contract(
    ctx: &RequestCtx,
    node: &str,
    contract: &Result<Checker, String>,
    params: &Map<String, Value>,
    query: &Map<String, Value>,
    body: &Value,
) -> Result<Checked, Box<Resp>> {
    let mut timer = ctx
        .recorder
        .start(node, "validate", "route contract".to_owned());
    let outcome = match contract {
        Ok(checker) => checker.check(params, query, body).map_err(|issues| {
            timer.hop.error = Some(
                issues
                    .iter()
                    .map(|i| format!("{} {}: {} ({})", i.part.as_str(), i.path, i.message, i.rule))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            Box::new(json_response(400, &invalid_request_body(&issues)))
        }),
        Err(err) => {
            timer.hop.error = Some(err.clone());
            Err(Box::new(json_response(
                500,
                &json!({ "error": errors::INVALID_CONTRACT, "node": node }),
            )))
        }
    };
    timer.hop.status = Some(match &outcome {
        Ok(_) => 200,
        Err(response) => response.status().as_u16(),
    });
    ctx.recorder.push(timer);
    outcome
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
fn route_inputs(worker: &Worker) -> Vec<RouteInputs> {
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
    let request = crate::runtime::http::segment_iter(path);
    routes.iter().enumerate().find_map(|(index, route)| {
        if route.method.as_str() != method {
            return None;
        }
        // Check every segment before building the parameters.
        let mut pattern = crate::runtime::http::segment_iter(&route.path);
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
        for (want, got) in crate::runtime::http::segment_iter(&route.path).zip(request.clone()) {
            if let Some(name) = want.strip_prefix(':') {
                params.insert(name.to_owned(), Value::String(decode_segment(got)));
            }
        }
        Some((index, route, params))
    })
}

#[cfg(test)]
mod tests;
