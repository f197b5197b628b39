//! The engine: the design's nodes with their bindings, the request dispatcher, traces and
//! metrics, and the lifecycle (start, stop).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use axum::http::{HeaderName, HeaderValue};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::json;
use tokio::sync::{broadcast, oneshot, watch};

use crate::model::{Design, NodeKind};
use crate::semantics::{MAX_WORKER_INVOCATIONS, TRACE_HEADER, errors};

use super::bindings::{Binding, BindingError, Registry, ServiceBinding};
use super::clock::{Clock, SystemClock};
use super::context::RequestCtx;
use super::d1::SqliteD1;
use super::gateway::{self, RateLimiter};
use super::http::{Req, Resp, json_response};
use super::hyperdrive::PgHyperdrive;
use super::kv::SqliteKv;
use super::trace::{Metrics, MetricsSnapshot, Trace, TraceLog};
use super::worker;

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

/// How many events the broadcast channel buffers for slow subscribers.
const EVENT_CAPACITY: usize = 1024;

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "missing secrets: {}. Put them in the `.dev.vars` file beside the design (one \
         `NAME=value` per line), pass `--vars FILE`, or set them as environment variables",
        .0.join(", ")
    )]
    MissingSecrets(Vec<String>),
    #[error("state folder {path}: {source}")]
    State {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("node `{node}`: {message}")]
    Store { node: String, message: String },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Server(#[source] std::io::Error),
}

/// How to run a design.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Where KV, D1 and the auto PostgreSQL keep their files.
    pub state_dir: PathBuf,
    /// Delete the state first.
    pub fresh: bool,
    /// Port on 127.0.0.1 for [`Engine::start`]; 0 picks a free one.
    pub port: u16,
    /// Secret values by name (from `.dev.vars` or `--vars`).
    pub secrets: BTreeMap<String, String>,
    /// Also read missing secrets from the environment.
    pub read_environment: bool,
    /// The clock for TTLs, cache ages, rate-limit windows and token expiry.
    pub clock: Arc<dyn Clock>,
    /// Bindings added to (or replacing) the design's: `(worker id, binding name, binding)`.
    /// For embedding the engine with other stores, and for tests.
    pub extra_bindings: Vec<(String, String, Binding)>,
}

impl EngineOptions {
    /// Defaults: port 8787, secrets from the environment, the system clock.
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Self {
            state_dir: state_dir.into(),
            fresh: false,
            port: 8787,
            secrets: BTreeMap::new(),
            read_environment: true,
            clock: Arc::new(SystemClock),
            extra_bindings: Vec::new(),
        }
    }
}

/// The default state folder: `.edgewire/<design file stem>/` beside the design.
pub fn default_state_dir(design_path: &Path) -> PathBuf {
    let stem = design_path
        .file_stem()
        .map_or_else(|| "design".into(), |s| s.to_string_lossy().into_owned());
    design_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(".edgewire")
        .join(stem)
}

/// Something the engine tells its watchers.
#[derive(Clone, Debug)]
pub enum EngineEvent {
    /// A request finished.
    Request(Arc<Trace>),
    /// A node changed state or has a problem (Hyperdrive starting, ready, unavailable).
    Notice { node: String, message: String },
}

pub(crate) struct Shared {
    pub design: Design,
    pub registry: Registry,
    pub clock: Arc<dyn Clock>,
    pub rate: RateLimiter,
    secrets: BTreeMap<String, String>,
    pub entry_points: Vec<String>,
    public_workers: BTreeSet<String>,
    /// Per Worker, which inputs each route reads.
    route_inputs: BTreeMap<String, Vec<worker::RouteInputs>>,
    pub traces: TraceLog,
    pub metrics: Metrics,
    pub events: broadcast::Sender<EngineEvent>,
    pub closing: watch::Sender<bool>,
    kvs: Vec<Arc<SqliteKv>>,
    d1s: Vec<Arc<SqliteD1>>,
    hyperdrives: Vec<Arc<PgHyperdrive>>,
    trace_prefix: String,
    trace_seq: AtomicU64,
    pub notices: Mutex<Vec<(String, String)>>,
}

impl Shared {
    /// Which inputs route `index` of Worker `node` reads (all of them when unknown).
    pub fn route_inputs(&self, node: &str, index: usize) -> worker::RouteInputs {
        self.route_inputs
            .get(node)
            .and_then(|routes| routes.get(index).copied())
            .unwrap_or(worker::RouteInputs {
                query: true,
                headers: true,
                auth: true,
            })
    }

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
            let Some(spec) = self.design.node(node) else {
                return Err(BindingError::failed(format!("there is no node `{node}`")));
            };
            let detail = request_line(&request);
            match &spec.kind {
                NodeKind::Gateway(gw) => {
                    let mut timer = ctx.recorder.start(node, "gateway", detail);
                    let response = gateway::handle(self, ctx, node, gw, request).await;
                    timer.hop.status = Some(response.status().as_u16());
                    ctx.recorder.push(timer);
                    Ok(response)
                }
                NodeKind::Worker(w) => {
                    let mut timer = ctx.recorder.start(node, "worker", detail);
                    let public = self.public_workers.contains(node);
                    let response = worker::handle(self, ctx, node, w, public, request).await;
                    timer.hop.status = Some(response.status().as_u16());
                    ctx.recorder.push(timer);
                    Ok(response)
                }
                _ => Err(BindingError::failed(format!(
                    "node `{node}` is not a Worker or Gateway"
                ))),
            }
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
struct InProcessService {
    target: String,
    engine: Weak<Shared>,
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

/// A design loaded and ready to answer requests (no socket yet): use [`Engine::router`]
/// with `tower::ServiceExt::oneshot`, or [`super::run`] with a listener.
#[derive(Clone)]
pub struct Engine {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("design", &self.shared.design.name)
            .field("entry_points", &self.shared.entry_points)
            .finish_non_exhaustive()
    }
}

fn state_error(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::State {
        path: path.to_owned(),
        source,
    }
}

/// Public entry points: nodes wired from a Client, plus every Gateway; sorted by id.
pub fn entry_points(design: &Design) -> Vec<String> {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for node in &design.nodes {
        match &node.kind {
            NodeKind::Client(_) => {
                for wire in design.wires_from(&node.id) {
                    if let Some(target) = design.node(&wire.to)
                        && matches!(target.kind, NodeKind::Gateway(_) | NodeKind::Worker(_))
                    {
                        ids.insert(target.id.clone());
                    }
                }
            }
            NodeKind::Gateway(_) => {
                ids.insert(node.id.clone());
            }
            _ => {}
        }
    }
    ids.into_iter().collect()
}

impl Engine {
    /// Load a design: open KV and D1 files (migrations and seeds applied), start Hyperdrive
    /// origins in the background, and wire every binding.
    pub async fn new(design: Design, options: EngineOptions) -> Result<Self, EngineError> {
        let state = options.state_dir.clone();
        if options.fresh {
            // Move the old state aside at once and delete it in the background: a
            // PostgreSQL data folder holds thousands of files.
            let mut trash = Vec::new();
            for sub in ["kv", "d1", "hyperdrive"] {
                let dir = state.join(sub);
                if dir.exists() {
                    let aside =
                        state.join(format!(".deleting-{sub}-{}", uuid::Uuid::new_v4().simple()));
                    std::fs::rename(&dir, &aside).map_err(state_error(&dir))?;
                    trash.push(aside);
                }
            }
            if !trash.is_empty() {
                tokio::task::spawn_blocking(move || {
                    for dir in trash {
                        if let Err(err) = std::fs::remove_dir_all(&dir) {
                            tracing::warn!("cannot delete old state {}: {err}", dir.display());
                        }
                    }
                });
            }
        }
        let mut secrets = options.secrets.clone();
        let mut missing = Vec::new();
        for name in design.secrets_used() {
            if secrets.contains_key(&name) {
                continue;
            }
            match std::env::var(&name) {
                Ok(value) if options.read_environment => {
                    secrets.insert(name, value);
                }
                _ => missing.push(name),
            }
        }
        if !missing.is_empty() {
            return Err(EngineError::MissingSecrets(missing));
        }

        let clock = options.clock.clone();
        // KV and D1 files open (and migrate) at once, each on its own SQLite thread.
        let mut kv_opens = Vec::new();
        let mut d1_opens = Vec::new();
        let mut hd_nodes = BTreeMap::new();
        for node in &design.nodes {
            match &node.kind {
                NodeKind::Kv(spec) => {
                    let dir = state.join("kv");
                    std::fs::create_dir_all(&dir).map_err(state_error(&dir))?;
                    let path = dir.join(format!("{}.sqlite3", node.id));
                    let clock = clock.clone();
                    kv_opens.push(async move {
                        let kv = SqliteKv::open(&node.id, &path, &spec.seed, clock).await;
                        (node.id.clone(), kv)
                    });
                }
                NodeKind::D1(spec) => {
                    let dir = state.join("d1");
                    std::fs::create_dir_all(&dir).map_err(state_error(&dir))?;
                    let path = dir.join(format!("{}.sqlite3", node.id));
                    d1_opens.push(async move {
                        let db = SqliteD1::open(&node.id, &path, spec).await;
                        (node.id.clone(), db)
                    });
                }
                NodeKind::Hyperdrive(spec) => {
                    let dir = state.join("hyperdrive").join(&node.id);
                    let hd = PgHyperdrive::new(&node.id, spec, &secrets, dir, clock.clone());
                    hd_nodes.insert(node.id.clone(), hd);
                }
                _ => {}
            }
        }
        let (kvs, d1s) = futures_util::future::join(
            futures_util::future::join_all(kv_opens),
            futures_util::future::join_all(d1_opens),
        )
        .await;
        let store_error = |node: String, message: String| EngineError::Store { node, message };
        let mut kv_nodes = BTreeMap::new();
        for (node, kv) in kvs {
            let kv = kv.map_err(|message| store_error(node.clone(), message))?;
            kv_nodes.insert(node, Arc::new(kv));
        }
        let mut d1_nodes = BTreeMap::new();
        for (node, db) in d1s {
            let db = db.map_err(|message| store_error(node.clone(), message))?;
            d1_nodes.insert(node, Arc::new(db));
        }

        let entry_points = entry_points(&design);
        let public_workers = design
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Client(_)))
            .flat_map(|n| design.wires_from(&n.id).map(|w| w.to.clone()))
            .filter(|id| matches!(design.node(id).map(|n| &n.kind), Some(NodeKind::Worker(_))))
            .collect();
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let (closing, _) = watch::channel(false);
        let trace_prefix = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();

        let shared = Arc::new_cyclic(|weak: &Weak<Shared>| {
            let mut registry = Registry::default();
            for wire in &design.wires {
                if wire.binding.is_empty() {
                    continue;
                }
                let Some(target) = design.node(&wire.to) else {
                    continue;
                };
                let binding = match &target.kind {
                    NodeKind::Kv(_) => kv_nodes.get(&target.id).map(|kv| Binding::Kv {
                        node: target.id.clone(),
                        kv: kv.clone(),
                    }),
                    NodeKind::D1(_) => d1_nodes.get(&target.id).map(|db| Binding::D1 {
                        node: target.id.clone(),
                        db: db.clone(),
                    }),
                    NodeKind::Hyperdrive(_) => {
                        hd_nodes.get(&target.id).map(|db| Binding::Hyperdrive {
                            node: target.id.clone(),
                            db: db.clone(),
                        })
                    }
                    NodeKind::Worker(_) | NodeKind::Gateway(_) => {
                        Some(Binding::Service(Arc::new(InProcessService {
                            target: target.id.clone(),
                            engine: weak.clone(),
                        })))
                    }
                    NodeKind::Client(_) | NodeKind::Note(_) => None,
                };
                if let Some(binding) = binding {
                    registry.insert(&wire.from, &wire.binding, binding);
                }
            }
            for (worker, name, binding) in &options.extra_bindings {
                registry.insert(worker, name, binding.clone());
            }
            Shared {
                design: design.clone(),
                registry,
                clock,
                rate: RateLimiter::default(),
                secrets,
                entry_points,
                public_workers,
                route_inputs: design
                    .nodes
                    .iter()
                    .filter_map(|n| match &n.kind {
                        NodeKind::Worker(w) => Some((n.id.clone(), worker::route_inputs(w))),
                        _ => None,
                    })
                    .collect(),
                traces: TraceLog::default(),
                metrics: Metrics::default(),
                events,
                closing,
                kvs: kv_nodes.values().cloned().collect(),
                d1s: d1_nodes.values().cloned().collect(),
                hyperdrives: hd_nodes.values().cloned().collect(),
                trace_prefix,
                trace_seq: AtomicU64::new(1),
                notices: Mutex::new(Vec::new()),
            }
        });
        for hd in &shared.hyperdrives {
            hd.start(Arc::downgrade(&shared));
        }
        Ok(Self { shared })
    }

    /// Load the design, listen on `127.0.0.1:<options.port>` and serve in the background on
    /// the current tokio runtime.
    pub async fn start(
        design: Design,
        options: EngineOptions,
    ) -> Result<RunningEngine, EngineError> {
        let port = options.port;
        let engine = Self::new(design, options).await?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| EngineError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EngineError::Bind { port, source })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(super::server::run(engine.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Ok(RunningEngine {
            engine,
            addr,
            stop: Some(stop),
            server,
        })
    }

    /// The axum router that answers every request (entry points and `/__edgewire/*`).
    pub fn router(&self) -> axum::Router {
        super::server::router(self.clone())
    }

    /// Public entry points, sorted by id; the first is served at `/`.
    pub fn entry_points(&self) -> &[String] {
        &self.shared.entry_points
    }

    /// The path prefix under which entry point `id` is served: `""` for the first, else
    /// `/__edgewire/entry/<id>`.
    pub fn entry_prefix(&self, id: &str) -> String {
        entry_prefix(&self.shared.entry_points, id)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.shared.events.subscribe()
    }

    pub fn metrics(&self) -> MetricsSnapshot {
        self.shared.metrics.snapshot()
    }

    /// The most recent traces, oldest first.
    pub fn traces(&self, limit: usize) -> Vec<Arc<Trace>> {
        self.shared.traces.recent(limit)
    }

    /// Problems and state changes reported so far (`(node, message)`), e.g. a Hyperdrive
    /// origin that cannot start.
    pub fn notices(&self) -> Vec<(String, String)> {
        self.shared
            .notices
            .lock()
            .map(|n| n.clone())
            .unwrap_or_default()
    }

    /// Wait until every Hyperdrive origin is ready or known to be unavailable.
    pub async fn ready(&self) {
        for hd in &self.shared.hyperdrives {
            hd.wait_settled().await;
        }
    }

    /// Flush and close every store; stop private PostgreSQL clusters.
    pub async fn shutdown(&self) {
        let _ = self.shared.closing.send_replace(true);
        for hd in &self.shared.hyperdrives {
            hd.shutdown().await;
        }
        let kvs = self.shared.kvs.clone();
        let d1s = self.shared.d1s.clone();
        let _ = tokio::task::spawn_blocking(move || {
            for kv in kvs {
                kv.close_blocking();
            }
            for db in d1s {
                db.close_blocking();
            }
        })
        .await;
    }
}

impl Drop for RunningEngine {
    /// Dropping without [`RunningEngine::stop`] still stops the server (in the background);
    /// stores are closed and private clusters stopped when the last engine handle goes.
    fn drop(&mut self) {
        let _ = self.engine.shared.closing.send_replace(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub(crate) fn entry_prefix(entry_points: &[String], id: &str) -> String {
    if entry_points.first().is_some_and(|first| first == id) {
        String::new()
    } else {
        format!("{}{id}", super::server::ENTRY_PREFIX)
    }
}

/// A served engine. Stop it with [`RunningEngine::stop`].
#[derive(Debug)]
pub struct RunningEngine {
    engine: Engine,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningEngine {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `(entry point id, URL)` for every public entry point.
    pub fn entry_urls(&self) -> Vec<(String, String)> {
        self.engine
            .entry_points()
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    format!("{}{}/", self.url(), self.engine.entry_prefix(id)),
                )
            })
            .collect()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.engine.subscribe()
    }

    pub fn metrics(&self) -> MetricsSnapshot {
        self.engine.metrics()
    }

    /// Stop accepting connections, let in-flight requests finish, then flush and close
    /// every store.
    pub async fn stop(mut self) -> Result<(), EngineError> {
        let _ = self.engine.shared.closing.send_replace(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = (&mut self.server).await;
        self.engine.shutdown().await;
        match served {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(EngineError::Server(err)),
            Err(join) => Err(EngineError::Server(std::io::Error::other(join.to_string()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_lives_beside_the_design() {
        assert_eq!(
            default_state_dir(Path::new("examples/global-api.ron")),
            PathBuf::from("examples/.edgewire/global-api")
        );
    }
}
