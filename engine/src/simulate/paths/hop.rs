//! One thing a request does on its way through the design: a [`Hop`].

use serde::Serialize;

use crate::model::Kind;

/// One thing a request does on its way through the design.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "hop", rename_all = "snake_case")]
pub enum Hop {
    /// A Gateway or Worker runs (at the edge next to the client in the global design).
    Worker {
        node: String,
        gateway: bool,
        /// The Worker whose service binding called it; none for the entry (it runs next to
        /// the client, unless placed elsewhere).
        #[serde(skip)]
        caller: Option<String>,
    },
    /// A KV read: hot keys are served by the edge location.
    KvRead {
        node: String,
    },
    KvWrite {
        node: String,
    },
    KvDelete {
        node: String,
    },
    KvList {
        node: String,
    },
    /// A D1 query: reads (a SELECT) may use a nearby replica, everything else the primary.
    D1 {
        node: String,
        read_only: bool,
        rows_read: f64,
        rows_written: f64,
        /// The Worker that makes the query (the round trip starts where it runs).
        #[serde(skip)]
        by: String,
    },
    /// A Hyperdrive query: read-only queries may be cache hits at the edge.
    Hyperdrive {
        node: String,
        read_only: bool,
        /// The Worker that makes the query.
        #[serde(skip)]
        by: String,
    },
}

impl Hop {
    /// The kind of node that does the hop's work (a gateway counts as a Worker hop).
    pub fn kind(&self) -> Kind {
        match self {
            Hop::Worker { .. } => Kind::Worker,
            Hop::KvRead { .. }
            | Hop::KvWrite { .. }
            | Hop::KvDelete { .. }
            | Hop::KvList { .. } => Kind::Kv,
            Hop::D1 { .. } => Kind::D1,
            Hop::Hyperdrive { .. } => Kind::Hyperdrive,
        }
    }

    /// The node that does the hop's work.
    pub fn node(&self) -> &str {
        match self {
            Hop::Worker { node, .. }
            | Hop::KvRead { node }
            | Hop::KvWrite { node }
            | Hop::KvDelete { node }
            | Hop::KvList { node }
            | Hop::D1 { node, .. }
            | Hop::Hyperdrive { node, .. } => node,
        }
    }

    /// Short text for reports: `KV config read`, `D1 app-db write`.
    pub fn label(&self) -> String {
        match self {
            Hop::Worker { node, gateway, .. } => {
                format!("{} {node}", if *gateway { "gateway" } else { "worker" })
            }
            Hop::KvRead { node } => format!("KV {node} read"),
            Hop::KvWrite { node } => format!("KV {node} write"),
            Hop::KvDelete { node } => format!("KV {node} delete"),
            Hop::KvList { node } => format!("KV {node} list"),
            Hop::D1 {
                node, read_only, ..
            } => format!("D1 {node} {}", if *read_only { "read" } else { "write" }),
            Hop::Hyperdrive {
                node, read_only, ..
            } => {
                format!(
                    "Hyperdrive {node} {}",
                    if *read_only { "read" } else { "write" }
                )
            }
        }
    }
}
