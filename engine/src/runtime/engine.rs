//! The engine: loading a design (stores opened, bindings wired), the lifecycle (start,
//! stop) and what an embedder reads (entry points, traces, metrics, notices).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{broadcast, oneshot, watch};

use crate::kinds;
use crate::model::Design;

use super::bindings::{Binding, Registry};
use super::dispatch::Shared;
use super::kind::{Exposure, Store, StoreEnv, WireTarget};
use super::options::{EngineError, EngineEvent, EngineOptions, state_error};
use super::trace::{Metrics, MetricsSnapshot, Trace, TraceLog};

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
        match kinds::of(&node.kind).exposure() {
            Exposure::Caller => {
                for wire in design.wires_from(&node.id) {
                    if let Some(target) = design.node(&wire.to)
                        && kinds::of(&target.kind).exposure().answers_requests()
                    {
                        ids.insert(target.id.clone());
                    }
                }
            }
            Exposure::Always => {
                ids.insert(node.id.clone());
            }
            Exposure::WhenCalled | Exposure::Hidden => {}
        }
    }
    ids.into_iter().collect()
}

/// `--fresh`: move every kind's state folder aside at once and delete it in the background
/// (a PostgreSQL data folder holds thousands of files).
fn set_state_aside(state: &Path) -> Result<(), EngineError> {
    let mut trash = Vec::new();
    for sub in kinds::REGISTRY
        .iter()
        .filter_map(|(_, def)| def.state_folder())
    {
        let dir = state.join(sub);
        if dir.exists() {
            let aside = state.join(format!(".deleting-{sub}-{}", uuid::Uuid::new_v4().simple()));
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
    Ok(())
}

/// The secrets the design uses: from the options, else (when allowed) the environment.
fn gather_secrets(
    design: &Design,
    options: &EngineOptions,
) -> Result<BTreeMap<String, String>, EngineError> {
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
    if missing.is_empty() {
        Ok(secrets)
    } else {
        Err(EngineError::MissingSecrets(missing))
    }
}

/// Open every store node's store at once (KV and D1 files each on their own SQLite thread,
/// migrations and seeds applied; Hyperdrive pools connect later, in [`Store::start`]).
async fn open_stores(
    design: &Design,
    env: &StoreEnv<'_>,
) -> Result<BTreeMap<String, Arc<dyn Store>>, EngineError> {
    let opens = design
        .nodes
        .iter()
        .map(|node| kinds::of(&node.kind).open(node, env));
    let opened = futures_util::future::join_all(opens).await;
    let mut stores = BTreeMap::new();
    for (node, store) in design.nodes.iter().zip(opened) {
        if let Some(store) = store? {
            stores.insert(node.id.clone(), store);
        }
    }
    Ok(stores)
}

/// Every binding of every Worker: what each wire's target gives, then the extra bindings.
fn fill_registry(
    design: &Design,
    stores: &BTreeMap<String, Arc<dyn Store>>,
    engine: &Weak<Shared>,
    extra_bindings: &[(String, String, Binding)],
) -> Registry {
    let mut registry = Registry::default();
    for wire in &design.wires {
        if wire.binding.is_empty() {
            continue;
        }
        let Some(node) = design.node(&wire.to) else {
            continue;
        };
        let target = WireTarget {
            node,
            store: stores.get(&node.id),
            engine,
        };
        if let Some(binding) = kinds::of(&node.kind).binding_for_wire(&target) {
            registry.insert(&wire.from, &wire.binding, binding);
        }
    }
    for (worker, name, binding) in extra_bindings {
        registry.insert(worker, name, binding.clone());
    }
    registry
}

impl Engine {
    /// Load a design: open KV and D1 files (migrations and seeds applied), start Hyperdrive
    /// origins in the background, and wire every binding.
    pub async fn new(design: Design, options: EngineOptions) -> Result<Self, EngineError> {
        if options.fresh {
            set_state_aside(&options.state_dir)?;
        }
        let secrets = gather_secrets(&design, &options)?;
        let clock = options.clock.clone();
        let env = StoreEnv {
            state_dir: &options.state_dir,
            secrets: &secrets,
            clock: &clock,
        };
        let stores = open_stores(&design, &env).await?;

        let entry_points = entry_points(&design);
        let servers = design
            .nodes
            .iter()
            .filter_map(|node| {
                let public = entry_points.contains(&node.id);
                let server = kinds::of(&node.kind).server(&design, node, public)?;
                Some((node.id.clone(), server))
            })
            .collect();
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let (closing, _) = watch::channel(false);
        let trace_prefix = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();

        let shared = Arc::new_cyclic(|weak: &Weak<Shared>| Shared {
            registry: fill_registry(&design, &stores, weak, &options.extra_bindings),
            design,
            clock,
            secrets,
            entry_points,
            servers,
            stores,
            traces: TraceLog::default(),
            metrics: Metrics::default(),
            events,
            closing,
            trace_prefix,
            trace_seq: AtomicU64::new(1),
            notices: Mutex::new(Vec::new()),
            geography: options.geography.clone(),
            faults: super::Faults::default(),
        });
        for (node, fault) in &options.faults {
            shared.faults.set(node, Some(*fault));
        }
        for store in shared.stores.values() {
            store.start(Arc::downgrade(&shared));
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
        let limits = options.connections;
        let engine = Self::new(design, options).await?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| EngineError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EngineError::Bind { port, source })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(super::server::run(
            engine.clone(),
            listener,
            limits,
            async move {
                let _ = stopped.await;
            },
        ));
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

    /// The faults in force; set and clear them here (the app) or over HTTP.
    pub fn faults(&self) -> &super::Faults {
        &self.shared.faults
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
        for store in self.shared.stores.values() {
            store.settled().await;
        }
    }

    /// Flush and close every store; stop private PostgreSQL clusters.
    pub async fn shutdown(&self) {
        let _ = self.shared.closing.send_replace(true);
        for store in self.shared.stores.values() {
            store.shutdown().await;
        }
        let stores: Vec<_> = self.shared.stores.values().cloned().collect();
        let _ = tokio::task::spawn_blocking(move || {
            for store in stores {
                store.close_blocking();
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
