//! The request dispatcher: the state every request reads ([`Shared`]), running a Worker or
//! Gateway for a request or a service binding call, and answering requests from outside
//! (trace, panic safety, metrics).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use axum::http::{HeaderName, HeaderValue};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::json;
use tokio::sync::{broadcast, watch};

use crate::model::Design;
use crate::semantics::{MAX_WORKER_INVOCATIONS, TRACE_HEADER, errors};

use super::bindings::{BindingError, Registry, ServiceBinding};
use super::clock::Clock;
use super::context::RequestCtx;
use super::http::{Req, Resp, json_response};
use super::kind::{Server, Store};
use super::options::EngineEvent;
use super::trace::{Metrics, Trace, TraceLog};

/// [`TRACE_HEADER`], parsed once.
const TRACE: HeaderName = HeaderName::from_static(TRACE_HEADER);

/// `GET /products/1?x=y`: what a gateway or Worker hop did.
fn request_line(request: &Req) -> String {
    let uri = request.uri();
    if uri.authority().is_some() {
        return format!("{} {uri}", request.method());
    }
    let method = request.method().as_str();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut line = String::with_capacity(method.len() + 1 + path.len());
    line.push_str(method);
    line.push(' ');
    line.push_str(path);
    line
}

/// What every request reads: the design, its bindings and servers, traces and metrics.
pub struct Shared {
    pub design: Design,
    pub registry: Registry,
    pub clock: Arc<dyn Clock>,
    pub(crate) secrets: BTreeMap<String, String>,
    pub entry_points: Vec<String>,
    /// What answers requests at each Gateway and Worker, by node id.
    pub(crate) servers: BTreeMap<String, Arc<dyn Server>>,
    /// The stores opened for the design's store nodes, by node id.
    pub(crate) stores: BTreeMap<String, Arc<dyn Store>>,
    pub traces: TraceLog,
    pub metrics: Metrics,
    pub events: broadcast::Sender<EngineEvent>,
    pub closing: watch::Sender<bool>,
    pub(crate) trace_prefix: String,
    pub(crate) trace_seq: AtomicU64,
    pub notices: Mutex<Vec<(String, String)>>,
    /// Emulated geography, when serving `--from` a region.
    pub geography: Option<Arc<crate::simulate::Geography>>,
    /// Faults in force, by node.
    pub faults: super::Faults,
}

impl Shared {
    pub fn secret(&self, name: &str) -> Option<&str> {
        self.secrets.get(name).map(String::as_str)
    }

    /// Run the Worker or Gateway `node` for one request (a top-level request or a service
    /// binding call).
    pub fn invoke<'a>(
        &'a self,
        ctx: &'a RequestCtx,
        node: &'a str,
        request: Req,
    ) -> BoxFuture<'a, Result<Resp, BindingError>> {
        async move {
            let count = ctx.count_invocation();
            if count > MAX_WORKER_INVOCATIONS {
                return Err(BindingError::failed(format!(
                    "calling Worker `{node}` would exceed the platform's limit of \
                     {MAX_WORKER_INVOCATIONS} Worker invocations per request (service binding \
                     calls included); look for a loop of service calls"
                )));
            }
            let Some(server) = self.servers.get(node) else {
                return Err(BindingError::failed(if self.design.node(node).is_some() {
                    format!("node `{node}` is not a Worker or Gateway")
                } else {
                    format!("there is no node `{node}`")
                }));
            };
            let mut timer = ctx
                .recorder
                .start(node, server.hop_kind(), request_line(&request));
            if let Some(geography) = &self.geography {
                let way_in = if count == 1 {
                    geography.way_in_ms()
                } else {
                    0.0
                };
                timer
                    .network(way_in + geography.enter_worker_ms(node))
                    .await;
            }
            if let Err(err) = self.faults.apply(node, &mut timer).await {
                // A Worker that throws: the platform answers 500 `internal error`.
                timer.hop.status = Some(500);
                timer.hop.error = Some(err.to_string());
                ctx.recorder.push(timer);
                return Err(err);
            }
            let response = server.serve(self, ctx, node, request).await;
            timer.hop.status = Some(response.status().as_u16());
            ctx.recorder.push(timer);
            Ok(response)
        }
        .boxed()
    }

    /// `<engine prefix>-<sequence number, at least 6 digits>`.
    fn next_trace_id(&self) -> String {
        let n = self.trace_seq.fetch_add(1, Ordering::Relaxed);
        let digits = n.to_string();
        let mut id = String::with_capacity(self.trace_prefix.len() + 1 + digits.len().max(6));
        id.push_str(&self.trace_prefix);
        id.push('-');
        id.extend(std::iter::repeat_n(
            '0',
            6usize.saturating_sub(digits.len()),
        ));
        id.push_str(&digits);
        id
    }

    /// Answer a request from outside at entry point `entry`: trace, panic safety, metrics.
    pub async fn handle_entry(&self, entry: &str, request: Req, peer: Option<IpAddr>) -> Resp {
        let started_at_ms = self.clock.now_millis();
        let ctx = RequestCtx::new(self.next_trace_id(), peer);
        let method = request.method().to_string();
        let path = request.uri().path().to_owned();
        let outcome = std::panic::AssertUnwindSafe(self.invoke(&ctx, entry, request))
            .catch_unwind()
            .await;
        let mut response = match outcome {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => {
                tracing::error!(node = entry, "{err}");
                json_response(500, &json!({ "error": errors::INTERNAL_ERROR }))
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(node = entry, "a request panicked: {message}");
                json_response(500, &json!({ "error": errors::INTERNAL_ERROR }))
            }
        };
        if let Ok(value) = HeaderValue::from_str(&ctx.recorder.id) {
            response.headers_mut().insert(TRACE, value);
        }
        let status = response.status().as_u16();
        let duration_ms = ctx.recorder.offset_ms();
        let hops = ctx.recorder.take_hops();
        tracing::info!(
            target: "edgewire::request",
            "{method} {path} {status} {duration_ms:.1}ms {} hops",
            hops.len()
        );
        self.metrics.record(&hops);
        let trace = Arc::new(Trace {
            id: ctx.recorder.id.clone(),
            started_at_ms,
            method,
            path,
            entry: entry.to_owned(),
            status,
            duration_ms,
            hops,
        });
        self.traces.push(trace.clone());
        let _ = self.events.send(EngineEvent::Request(trace));
        response
    }

    pub fn notice(&self, node: &str, message: String) {
        if let Ok(mut notices) = self.notices.lock() {
            notices.push((node.to_owned(), message.clone()));
        }
        let _ = self.events.send(EngineEvent::Notice {
            node: node.to_owned(),
            message,
        });
    }
}

/// A service binding: calls the target Worker in-process, with a real request and response.
pub(crate) struct InProcessService {
    pub(crate) target: String,
    pub(crate) engine: Weak<Shared>,
}

impl ServiceBinding for InProcessService {
    fn target(&self) -> &str {
        &self.target
    }

    fn fetch<'a>(
        &'a self,
        ctx: &'a RequestCtx,
        request: Req,
    ) -> BoxFuture<'a, Result<Resp, BindingError>> {
        async move {
            let shared = self
                .engine
                .upgrade()
                .ok_or_else(|| BindingError::failed("the engine is stopping"))?;
            shared.invoke(ctx, &self.target, request).await
        }
        .boxed()
    }
}
