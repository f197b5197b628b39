//! What the local engine needs from each node kind ([`crate::kinds`] implements it per kind):
//! where the kind stands among the public entry points, the store it opens, what answers
//! requests at its nodes and the binding a wire to it gives. The engine reaches a kind only
//! through [`crate::kinds::of`] and this trait.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;

use crate::model::{Design, Node};

use super::bindings::Binding;
use super::clock::Clock;
use super::context::RequestCtx;
use super::dispatch::{InProcessService, Shared};
use super::http::{Req, Resp};
use super::options::{EngineError, state_error};

/// A node kind's part in the local engine. Every method has a default that fits a kind the
/// engine does nothing with (a Note).
pub trait KindRuntime {
    /// Where nodes of the kind stand among the public entry points.
    fn exposure(&self) -> Exposure {
        Exposure::Hidden
    }

    /// The folder in the state folder where nodes of the kind keep their files (`kv`);
    /// `--fresh` deletes it.
    fn state_folder(&self) -> Option<&'static str> {
        None
    }

    /// Open the store behind `node` (its file, its pool); `None` when the kind is no store.
    fn open<'a>(&self, _node: &'a Node, _env: &'a StoreEnv<'a>) -> OpenStore<'a> {
        async { Ok(None) }.boxed()
    }

    /// What answers requests at `node` of `design`, made once when the design loads; `public` says
    /// whether `node` is a public entry point. `None` when the kind answers no requests.
    fn server(&self, _design: &Design, _node: &Node, _public: bool) -> Option<Arc<dyn Server>> {
        None
    }

    /// The binding a wire to `target` gives the Worker it starts from: by default the store
    /// opened for `target`, if any.
    fn binding_for_wire(&self, target: &WireTarget<'_>) -> Option<Binding> {
        target.store.map(|store| store.clone().binding())
    }
}

/// What [`KindRuntime::open`] returns.
pub type OpenStore<'a> = BoxFuture<'a, Result<Option<Arc<dyn Store>>, EngineError>>;

/// Where a kind stands among the public entry points ([`super::entry_points`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Neither an entry point nor a caller (stores, notes).
    Hidden,
    /// Calls in from outside: what it is wired to is public, if it answers requests (a
    /// Client).
    Caller,
    /// Answers requests; public when a caller is wired to it (a Worker).
    WhenCalled,
    /// Answers requests and is always public (a Gateway).
    Always,
}

impl Exposure {
    /// Whether nodes of the kind answer requests.
    pub fn answers_requests(self) -> bool {
        matches!(self, Self::WhenCalled | Self::Always)
    }
}

/// What a store needs to open.
pub struct StoreEnv<'a> {
    /// The design's state folder.
    pub state_dir: &'a Path,
    /// Secret values by name.
    pub secrets: &'a BTreeMap<String, String>,
    /// The engine's clock.
    pub clock: &'a Arc<dyn Clock>,
}

impl StoreEnv<'_> {
    /// `<state folder>/<folder>`, created when missing.
    pub fn folder(&self, folder: &str) -> Result<PathBuf, EngineError> {
        let dir = self.state_dir.join(folder);
        std::fs::create_dir_all(&dir).map_err(state_error(&dir))?;
        Ok(dir)
    }

    /// `<state folder>/<folder>/<node>.sqlite3`, the folder created when missing: the file of
    /// a store kept in SQLite.
    pub fn sqlite_file(&self, folder: &str, node: &str) -> Result<PathBuf, EngineError> {
        Ok(self.folder(folder)?.join(format!("{node}.sqlite3")))
    }
}

/// A store the engine opened for a node, and its part in the engine's lifecycle.
pub trait Store: Send + Sync {
    /// The binding a wire to the store gives a Worker.
    fn binding(self: Arc<Self>) -> Binding;

    /// Begin background work once the engine is built (Hyperdrive connects to its origin);
    /// notices go to `engine`.
    fn start(&self, _engine: Weak<Shared>) {}

    /// Wait until the store is ready or known to be unavailable.
    fn settled(&self) -> BoxFuture<'_, ()> {
        async {}.boxed()
    }

    /// The first part of shutting down, after the server stopped: close pools, stop
    /// private clusters.
    fn shutdown(&self) -> BoxFuture<'_, ()> {
        async {}.boxed()
    }

    /// The second part, on a blocking thread: flush and close files.
    fn close_blocking(&self) {}
}

/// What answers requests at one node (a Gateway, a Worker).
pub trait Server: Send + Sync {
    /// The kind of the node's hops in a trace (`gateway`, `worker`).
    fn hop_kind(&self) -> &'static str;

    /// Answer one request at `node`: from outside, or a service binding call.
    fn serve<'a>(
        &'a self,
        shared: &'a Shared,
        ctx: &'a RequestCtx,
        node: &'a str,
        request: Req,
    ) -> BoxFuture<'a, Resp>;
}

/// The node a wire reaches, for [`KindRuntime::binding_for_wire`].
pub struct WireTarget<'a> {
    pub node: &'a Node,
    /// The store opened for the node, when it is a store.
    pub store: Option<&'a Arc<dyn Store>>,
    pub(crate) engine: &'a Weak<Shared>,
}

impl WireTarget<'_> {
    /// A service binding that calls the node in process.
    pub fn service(&self) -> Binding {
        Binding::Service(Arc::new(InProcessService {
            target: self.node.id.clone(),
            engine: self.engine.clone(),
        }))
    }
}
