//! The design model: what a `.ron` design file holds.
//!
//! A [`Design`] is a name, a format version, nodes, wires and a layout. Node ids are stable,
//! user-visible strings (`gateway`, `products`); they double as the Worker script name for
//! Gateway and Worker nodes. Positions live in [`Design::layout`] so that validation, the
//! runtime and the exporter never look at them.
//!
//! The model is pure data: no I/O, no async, no UI. The graph algorithms (validation, export
//! order, layout) build a petgraph view on demand through [`crate::graph`]; petgraph indices
//! never leave that module.

mod code;
mod contract;
mod expect;
mod handler;
mod identifier;
mod kinds;
mod nodes;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use code::{BindingUse, Code};
pub use contract::{
    NamedSchemas, ParamType, QueryParam, RequestContract, ResponseContract, Schema,
};
pub use expect::json_contains;
pub use handler::{
    Condition, Expr, KvFormat, Piece, QueryMode, Route, Step, Template, TemplateError,
    TemplatePart, path_params, walk_steps, walk_steps_mut,
};
pub use identifier::{
    JS_RESERVED_WORDS, backquoted, is_handler_name, is_js_identifier, to_lower_kebab,
    to_upper_snake,
};
pub use kinds::{KINDS, KindSpec, Role};
pub use nodes::{
    Auth, Client, Cors, D1, D1_LOCATION_HINTS, Enrichment, Gateway, GatewayRoute, HttpMethod,
    Hyperdrive, HyperdriveCaching, Kv, KvEntry, Migration, Note, Origin, RateLimit, RateLimitKey,
    RequestBody, SampleRequest, Worker, WorkerPlacement,
};

/// The newest design file format version. Older versions are migrated on load.
///
/// Version 2 added route contracts (`request`, `responses`), the design's named `schemas`,
/// Workers' `placement` and scenario requests' `expect_body`. Version 3 added code Workers
/// (`code`) and the Cloudflare ids of existing stores (KV `id`, D1 `database_name` and
/// `database_id`, Hyperdrive `config_id`), which `edgewire import wrangler` brings in. A
/// design is saved with the oldest version that holds it, so that older Edgewire releases
/// still open it ([`Design::required_version`]).
pub const FORMAT_VERSION: u32 = 3;

/// A node id: a stable, user-visible string such as `gateway` or `products`.
pub type NodeId = String;

/// A whole design: everything a design file holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// File format version; see [`FORMAT_VERSION`].
    pub version: u32,
    /// Human name of the design ("Global API").
    pub name: String,
    /// Free text about the design.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Nodes, sorted by id when saved.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Wires, sorted by (from, to) when saved.
    #[serde(default)]
    pub wires: Vec<Wire>,
    /// Named schemas that route contracts refer to as `{"$ref": "#/$defs/Name"}` (format
    /// version 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schemas: NamedSchemas,
    /// Canvas positions by node id. Ignored by everything but the canvas.
    #[serde(default)]
    pub layout: BTreeMap<NodeId, Pos>,
}

impl Default for Design {
    fn default() -> Self {
        Self::new("Untitled design")
    }
}

impl Design {
    /// An empty design with the given name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            version: FORMAT_VERSION,
            name: name.into(),
            description: String::new(),
            nodes: Vec::new(),
            wires: Vec::new(),
            schemas: NamedSchemas::new(),
            layout: BTreeMap::new(),
        }
    }

    /// The oldest file format version that holds this design: 3 when it has a code Worker or
    /// a store's Cloudflare id, 2 when it has route contracts, named schemas, a Worker with
    /// Smart Placement or a scenario's `expect_body`, else 1.
    pub fn required_version(&self) -> u32 {
        let imported = self.nodes.iter().any(|node| match &node.kind {
            NodeKind::Worker(worker) => worker.is_code(),
            NodeKind::Kv(kv) => kv.id.is_some(),
            NodeKind::D1(db) => db.database_name.is_some() || db.database_id.is_some(),
            NodeKind::Hyperdrive(h) => h.config_id.is_some(),
            _ => false,
        });
        if imported {
            return 3;
        }
        let contracts = self.nodes.iter().any(|node| match &node.kind {
            NodeKind::Worker(worker) => {
                worker.routes.iter().any(Route::has_contract) || !worker.placement.is_default()
            }
            NodeKind::Client(client) => client.scenario.iter().any(|r| r.expect_body.is_some()),
            _ => false,
        });
        if contracts || !self.schemas.is_empty() {
            2
        } else {
            1
        }
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The node with this id, mutably.
    pub fn node_mut(&mut self, id: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.id == id)
    }

    /// The nodes of one kind, in design order.
    pub fn nodes_of_kind(&self, kind: Kind) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(move |n| n.kind.kind() == kind)
    }

    /// Whether a node with this id exists.
    pub fn contains(&self, id: &str) -> bool {
        self.node(id).is_some()
    }

    /// Wires leaving `id`.
    pub fn wires_from<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Wire> + 'a {
        self.wires.iter().filter(move |w| w.from == id)
    }

    /// Wires arriving at `id`.
    pub fn wires_to<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Wire> + 'a {
        self.wires.iter().filter(move |w| w.to == id)
    }

    /// The wire leaving `from` with this binding name, if any.
    pub fn binding(&self, from: &str, binding: &str) -> Option<&Wire> {
        self.wires
            .iter()
            .find(|w| w.from == from && w.binding == binding)
    }

    /// The node a binding of `from` points to.
    pub fn binding_target(&self, from: &str, binding: &str) -> Option<&Node> {
        self.binding(from, binding).and_then(|w| self.node(&w.to))
    }

    /// A fresh node id starting with `base` (`kv`, `kv-2`, `kv-3`, ...).
    pub fn unique_id(&self, base: &str) -> NodeId {
        if !self.contains(base) {
            return base.to_owned();
        }
        (2..=self.nodes.len() + 2)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| !self.contains(candidate))
            .unwrap_or_else(|| base.to_owned())
    }

    /// Put nodes, wires and the layout in canonical order (what saving writes).
    pub fn canonicalize(&mut self) {
        self.nodes.sort_by(|a, b| a.id.cmp(&b.id));
        self.wires
            .sort_by(|a, b| (&a.from, &a.to, &a.binding).cmp(&(&b.from, &b.to, &b.binding)));
        let ids: std::collections::BTreeSet<&str> =
            self.nodes.iter().map(|n| n.id.as_str()).collect();
        self.layout.retain(|id, _| ids.contains(id.as_str()));
    }

    /// Secret names the design refers to, sorted and deduplicated.
    pub fn secrets_used(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .nodes
            .iter()
            .flat_map(|n| n.kind.secret_names())
            .map(str::to_owned)
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// One node on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Stable, user-visible id; also the Worker script name for Gateway and Worker nodes.
    pub id: NodeId,
    /// What the node is and what it holds.
    pub kind: NodeKind,
}

impl Node {
    pub fn new(id: impl Into<NodeId>, kind: NodeKind) -> Self {
        Self {
            id: id.into(),
            kind,
        }
    }
}

/// What a node is, with every field of its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum NodeKind {
    Client(Client),
    Gateway(Gateway),
    Worker(Worker),
    Kv(Kv),
    D1(D1),
    Hyperdrive(Hyperdrive),
    Note(Note),
}

/// The kind of a node without its data, for rules, palettes and icons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    Client,
    Gateway,
    Worker,
    Kv,
    D1,
    Hyperdrive,
    Note,
}

impl Kind {
    /// Every kind, in palette order (the registry's order).
    pub const ALL: [Kind; KINDS.len()] = kinds::ALL;

    /// Everything plain about this kind: its entry in the registry.
    pub fn spec(self) -> &'static KindSpec {
        &KINDS[self as usize]
    }

    /// Name shown to users ("KV namespace").
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// Base for new node ids of this kind.
    pub fn id_base(self) -> &'static str {
        self.spec().id_base
    }

    /// Default binding name for a wire that ends at a node of this kind (`CACHE`, `DB`, ...).
    /// Service bindings use the target's id in upper snake case instead.
    pub fn default_binding(self) -> &'static str {
        self.spec().default_binding
    }

    /// Whether nodes of this kind run code (Gateway and Worker).
    pub fn is_worker(self) -> bool {
        self.spec().role == Role::Worker
    }

    /// Whether nodes of this kind hold data (KV, D1, Hyperdrive).
    pub fn is_store(self) -> bool {
        self.spec().role == Role::Store
    }

    /// A fresh node of this kind with sensible defaults.
    pub fn default_node_kind(self) -> NodeKind {
        (self.spec().new_node)()
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl NodeKind {
    pub fn kind(&self) -> Kind {
        match self {
            NodeKind::Client(_) => Kind::Client,
            NodeKind::Gateway(_) => Kind::Gateway,
            NodeKind::Worker(_) => Kind::Worker,
            NodeKind::Kv(_) => Kind::Kv,
            NodeKind::D1(_) => Kind::D1,
            NodeKind::Hyperdrive(_) => Kind::Hyperdrive,
            NodeKind::Note(_) => Kind::Note,
        }
    }

    /// The Custom Domain a Gateway or Worker is deployed to, when the design gives one.
    pub fn custom_domain(&self) -> Option<&str> {
        match self {
            NodeKind::Gateway(Gateway { custom_domain, .. })
            | NodeKind::Worker(Worker { custom_domain, .. }) => custom_domain.as_deref(),
            _ => None,
        }
    }

    /// Names of the secrets this node reads (never their values).
    pub fn secret_names(&self) -> Vec<&str> {
        match self {
            NodeKind::Gateway(g) => match &g.auth {
                Auth::None => vec![],
                Auth::ApiKey { secret, .. } | Auth::Jwt { secret, .. } => vec![secret.as_str()],
            },
            NodeKind::Hyperdrive(h) => match &h.origin {
                Origin::Auto => vec![],
                Origin::ConnectionString { secret } => vec![secret.as_str()],
            },
            _ => vec![],
        }
    }
}

/// A connection between two nodes.
///
/// Client -> Gateway/Worker wires carry requests and have no binding name. Every other wire is
/// a binding of `from` named `binding` (a JavaScript identifier such as `PRODUCTS` or `DB`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wire {
    pub from: NodeId,
    pub to: NodeId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub binding: String,
}

impl Wire {
    pub fn new(from: impl Into<NodeId>, to: impl Into<NodeId>, binding: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            binding: binding.into(),
        }
    }
}

/// A canvas position (canvas units; 1 unit = 1 point at 100% zoom).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pos {
    pub x: f32,
    pub y: f32,
}

impl Pos {
    pub fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}
