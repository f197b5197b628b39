//! The engine: loading a design (stores opened, bindings wired), the lifecycle (start,
//! stop) and what an embedder reads (entry points, traces, metrics, notices).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{broadcast, oneshot, watch};

use crate::model::{Design, NodeKind};

use super::bindings::{Binding, Registry};
use super::dispatch::{InProcessService, Shared};
use super::options::{EngineError, EngineEvent, EngineOptions, state_error};
use super::trace::{Metrics, MetricsSnapshot, Trace, TraceLog};
use crate::kinds::d1::runtime::SqliteD1;
use crate::kinds::gateway::runtime::RateLimiter;
use crate::kinds::hyperdrive::runtime::PgHyperdrive;
use crate::kinds::kv::runtime::SqliteKv;
use crate::kinds::worker::runtime as worker;

/// How many events the broadcast channel buffers for slow subscribers.
const EVENT_CAPACITY: usize = 1024;

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
