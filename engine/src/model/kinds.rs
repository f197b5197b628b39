//! The kind registry: one entry per node kind with what every part of Edgewire needs to
//! know about it that is plain data (names, role, defaults, colours, diagram shape).
//! `Kind`'s methods, the palette, the app's "Add …" commands, the canvas colours and the
//! Mermaid diagram all read this table, so a new kind starts with one entry here.

use super::nodes::{Client, D1, Gateway, Hyperdrive, Kv, Note, Worker};
use super::{Kind, NodeKind};

/// What a kind of node does in a design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Sends requests (Client).
    Caller,
    /// Runs code and is deployed as a Worker (Gateway, Worker).
    Worker,
    /// Holds data a Worker reaches through a binding (KV, D1, Hyperdrive).
    Store,
    /// Only for the reader (Note).
    Annotation,
}

/// Everything plain about one node kind.
#[derive(Clone, Copy, Debug)]
pub struct KindSpec {
    pub kind: Kind,
    /// Name shown to users ("KV namespace").
    pub label: &'static str,
    /// One line about what the kind is for (the palette).
    pub blurb: &'static str,
    /// The short upper-case badge on canvas cards (`KV`).
    pub badge: &'static str,
    /// Base for new node ids of this kind (`kv`, `kv-2`, ...).
    pub id_base: &'static str,
    /// Default binding name for a wire that ends at a node of this kind (`CACHE`); empty
    /// where wires to it carry no binding or a service binding named after the target.
    pub default_binding: &'static str,
    pub role: Role,
    /// A Worker kind that other Workers may call through a service binding (a Gateway is the
    /// public entry: only Clients send it requests).
    pub callable: bool,
    /// A Worker kind that may bind every kind of store (a Gateway only checks and routes
    /// requests: it binds no database).
    pub binds_databases: bool,
    /// A store a Gateway may bind too (KV, for what it looks up per request).
    pub light_store: bool,
    /// A fresh node of this kind with sensible defaults.
    pub new_node: fn() -> NodeKind,
    /// Accent colour (RGB): card title bars, icons, palette entries, diagram strokes.
    pub accent: [u8; 3],
    /// Mermaid: the node's shape brackets, its class name and its fill (none: no class).
    pub mermaid_shape: (&'static str, &'static str),
    pub mermaid_class: &'static str,
    pub mermaid_fill: Option<&'static str>,
}

/// Every kind, in palette order (which is also `Kind`'s declaration order).
pub const KINDS: [KindSpec; 7] = [
    KindSpec {
        kind: Kind::Client,
        label: "Client",
        blurb: "Who calls the API, from where",
        badge: "CLIENT",
        id_base: "client",
        default_binding: "",
        role: Role::Caller,
        callable: false,
        binds_databases: false,
        light_store: false,
        new_node: || NodeKind::Client(Client::default()),
        accent: [99, 132, 255],
        mermaid_shape: ("([", "])"),
        mermaid_class: "client",
        mermaid_fill: Some("#e6ecff"),
    },
    KindSpec {
        kind: Kind::Gateway,
        label: "API Gateway",
        blurb: "Public entry: auth, CORS, routing",
        badge: "GATEWAY",
        id_base: "gateway",
        default_binding: "",
        role: Role::Worker,
        callable: false,
        binds_databases: false,
        light_store: false,
        new_node: || NodeKind::Gateway(Gateway::default()),
        accent: [244, 129, 32], // Cloudflare orange
        mermaid_shape: ("{{", "}}"),
        mermaid_class: "gateway",
        mermaid_fill: Some("#fde8d6"),
    },
    KindSpec {
        kind: Kind::Worker,
        label: "Worker",
        blurb: "A service with routes and steps",
        badge: "WORKER",
        id_base: "service",
        default_binding: "",
        role: Role::Worker,
        callable: true,
        binds_databases: true,
        light_store: false,
        new_node: || NodeKind::Worker(Worker::default()),
        accent: [250, 173, 63],
        mermaid_shape: ("[", "]"),
        mermaid_class: "worker",
        mermaid_fill: Some("#fef1dc"),
    },
    KindSpec {
        kind: Kind::Kv,
        label: "KV namespace",
        blurb: "Read-heavy key-value data",
        badge: "KV",
        id_base: "kv",
        default_binding: "CACHE",
        role: Role::Store,
        callable: false,
        binds_databases: false,
        light_store: true,
        new_node: || NodeKind::Kv(Kv::default()),
        accent: [46, 184, 140],
        mermaid_shape: ("[/", "/]"),
        mermaid_class: "kv",
        mermaid_fill: Some("#dbf4ec"),
    },
    KindSpec {
        kind: Kind::D1,
        label: "D1 database",
        blurb: "Relational data (SQLite)",
        badge: "D1",
        id_base: "db",
        default_binding: "DB",
        role: Role::Store,
        callable: false,
        binds_databases: false,
        light_store: false,
        new_node: || NodeKind::D1(D1::default()),
        accent: [64, 156, 230],
        mermaid_shape: ("[(", ")]"),
        mermaid_class: "d1",
        mermaid_fill: Some("#dcecfa"),
    },
    KindSpec {
        kind: Kind::Hyperdrive,
        label: "Hyperdrive",
        blurb: "An existing PostgreSQL, pooled",
        badge: "HYPERDRIVE",
        id_base: "hyperdrive",
        default_binding: "HYPERDRIVE",
        role: Role::Store,
        callable: false,
        binds_databases: false,
        light_store: false,
        new_node: || NodeKind::Hyperdrive(Hyperdrive::default()),
        accent: [170, 110, 240],
        mermaid_shape: ("[[", "]]"),
        mermaid_class: "hyperdrive",
        mermaid_fill: Some("#eee2fc"),
    },
    KindSpec {
        kind: Kind::Note,
        label: "Note",
        blurb: "A comment on the canvas",
        badge: "NOTE",
        id_base: "note",
        default_binding: "",
        role: Role::Annotation,
        callable: false,
        binds_databases: false,
        light_store: false,
        new_node: || NodeKind::Note(Note::default()),
        accent: [214, 184, 72],
        mermaid_shape: ("[", "]"),
        mermaid_class: "note",
        mermaid_fill: None,
    },
];

/// `Kind::ALL`, read off the registry.
pub(super) const ALL: [Kind; KINDS.len()] = {
    let mut all = [Kind::Client; KINDS.len()];
    let mut i = 0;
    while i < KINDS.len() {
        all[i] = KINDS[i].kind;
        i += 1;
    }
    all
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_sits_at_its_own_index_and_makes_nodes_of_its_kind() {
        for (index, spec) in KINDS.iter().enumerate() {
            assert_eq!(spec.kind as usize, index, "{}", spec.label);
            assert_eq!((spec.new_node)().kind(), spec.kind, "{}", spec.label);
        }
    }
}
