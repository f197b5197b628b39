//! What every rule needs, built once per validation run: node and binding indices (so no rule
//! scans the node list per lookup), the petgraph view, a step walker that formats step
//! positions only when a diagnostic needs them (`steps.rs`), and what the SQL rules keep per
//! run and per thread (`sql.rs`).
//!
//! Context sits below the rules: it imports none of the rule files (`d1.rs`, `kv.rs`,
//! `hyperdrive.rs`, ...); they import it.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::graph::DesignGraph;
use crate::model::{
    Client, D1, Design, Gateway, Hyperdrive, Kind, Kv, Node, NodeKind, Route, Wire,
};

use super::paths::{self, parse_pattern};

mod sql;
mod steps;

pub(crate) use sql::{
    BuildFailure, D1Slot, Database, Memo, Numbers, Prepared, Statements, scan_sql,
};
pub(crate) use steps::{StepAt, StepPath, WorkerAt, step_target};

/// Maps and sets with rustc's `FxHash`: the indices hold ids, bindings and SQL texts (no
/// untrusted input that could flood a table), and `SipHash` showed up in profiles of large
/// designs. Output order never depends on them.
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub(crate) type FastSet<K> = rustc_hash::FxHashSet<K>;

/// Indices over one design, shared by every rule of a run.
pub(crate) struct Ctx<'a> {
    pub design: &'a Design,
    /// The petgraph view, built on first use (only the topology rules need it, and they run
    /// beside the Worker pass).
    graph: OnceLock<DesignGraph<'a>>,
    /// Each wire's ends as positions in `design.nodes` (`None` for an id no node has).
    ends: Vec<(Option<usize>, Option<usize>)>,
    /// The secret names of the design's `.dev.vars`, when known.
    pub declared_secrets: Option<&'a BTreeSet<String>>,
    /// Node id -> index in `design.nodes` (the first node, should ids repeat).
    nodes: FastMap<&'a str, usize>,
    /// Every wire with its ends looked up, in design order.
    links: Vec<Link<'a>>,
    /// The links grouped by source node: node `i`'s are `outgoing[starts[i]..starts[i + 1]]`.
    outgoing: Vec<Link<'a>>,
    starts: Vec<usize>,
    /// Each gateway's route path patterns, parsed once on first use (same order as its
    /// routes).
    gateway_patterns: OnceLock<FastMap<&'a str, Vec<Pattern<'a>>>>,
    /// The D1 nodes steps can reach (the first node with each id, when it is a D1), in
    /// design order, and their databases by id (see `d1`).
    d1_nodes: Vec<(&'a Node, &'a D1)>,
    d1_databases: FastMap<&'a str, D1Slot>,
}

/// A parsed route path pattern, or why it does not parse.
pub(crate) type Pattern<'a> = Result<Vec<paths::Segment<'a>>, String>;

/// Parse every route path of a list.
fn parse_all<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<Pattern<'a>> {
    paths.map(parse_pattern).collect()
}

/// A wire with its end nodes looked up once (`None` for an id no node has).
#[derive(Clone, Copy)]
pub(crate) struct Link<'a> {
    pub wire: &'a Wire,
    pub from: Option<&'a Node>,
    pub to: Option<&'a Node>,
}

impl Link<'_> {
    pub fn source_kind(self) -> Option<Kind> {
        self.from.map(|n| n.kind.kind())
    }

    pub fn target_kind(self) -> Option<Kind> {
        self.to.map(|n| n.kind.kind())
    }
}

impl<'a> Ctx<'a> {
    pub fn new(design: &'a Design, declared_secrets: Option<&'a BTreeSet<String>>) -> Self {
        let mut nodes = FastMap::default();
        nodes.reserve(design.nodes.len());
        for (index, node) in design.nodes.iter().enumerate() {
            nodes.entry(node.id.as_str()).or_insert(index);
        }
        // Each wire's ends as positions in `design.nodes`, looked up once. (Not on a second
        // thread: on a busy machine, waiting for it to start costs more than it saves.)
        let ends: Vec<(Option<usize>, Option<usize>)> = design
            .wires
            .iter()
            .map(|wire| {
                (
                    nodes.get(wire.from.as_str()).copied(),
                    nodes.get(wire.to.as_str()).copied(),
                )
            })
            .collect();
        let links: Vec<Link> = design
            .wires
            .iter()
            .zip(&ends)
            .map(|(wire, &(from, to))| Link {
                wire,
                from: from.map(|i| &design.nodes[i]),
                to: to.map(|i| &design.nodes[i]),
            })
            .collect();
        // Counting sort of the links by source node (stable: design order within a node).
        let mut starts = vec![0; design.nodes.len() + 1];
        for &(from, _) in &ends {
            if let Some(from) = from {
                starts[from + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut outgoing = links.clone();
        for (link, &(from, _)) in links.iter().zip(&ends) {
            if let Some(from) = from {
                outgoing[next[from]] = *link;
                next[from] += 1;
            }
        }
        outgoing.truncate(starts[design.nodes.len()]);
        let mut d1_nodes = Vec::new();
        let mut d1_databases = FastMap::default();
        for (index, node) in design.nodes.iter().enumerate() {
            if let NodeKind::D1(d1) = &node.kind
                && nodes.get(node.id.as_str()) == Some(&index)
            {
                d1_nodes.push((node, d1));
                d1_databases.insert(node.id.as_str(), D1Slot::default());
            }
        }
        Self {
            design,
            graph: OnceLock::new(),
            ends,
            gateway_patterns: OnceLock::new(),
            declared_secrets,
            nodes,
            links,
            outgoing,
            starts,
            d1_nodes,
            d1_databases,
        }
    }

    /// The petgraph view of the design (built on first use).
    pub fn graph(&self) -> &DesignGraph<'a> {
        self.graph.get_or_init(|| {
            DesignGraph::from_resolved(
                self.design,
                self.design
                    .wires
                    .iter()
                    .zip(&self.ends)
                    .filter_map(|(wire, &(from, to))| Some((from?, to?, wire))),
            )
        })
    }

    /// Whether some Gateway or Worker both calls and is called through service bindings: a
    /// service-binding cycle needs one (a cheap test that spares the cycle search).
    pub fn may_have_service_cycle(&self) -> bool {
        let service = |from: usize, to: usize| {
            self.design.nodes[from].kind.kind().is_worker()
                && self.design.nodes[to].kind.kind() == Kind::Worker
        };
        let mut calls = vec![false; self.design.nodes.len()];
        let mut called = vec![false; self.design.nodes.len()];
        for &(from, to) in &self.ends {
            if let (Some(from), Some(to)) = (from, to)
                && service(from, to)
            {
                calls[from] = true;
                called[to] = true;
            }
        }
        calls
            .iter()
            .zip(&called)
            .any(|(calls, called)| *calls && *called)
    }

    /// The node with this id (the first one, should ids repeat).
    pub fn node(&self, id: &str) -> Option<&'a Node> {
        self.nodes.get(id).map(|&i| &self.design.nodes[i])
    }

    /// Every wire with its ends, in design order.
    pub fn links(&self) -> &[Link<'a>] {
        &self.links
    }

    /// Wires leaving `id`, in design order.
    pub fn links_from(&self, id: &str) -> &[Link<'a>] {
        self.nodes
            .get(id)
            .map_or(&[], |&i| &self.outgoing[self.starts[i]..self.starts[i + 1]])
    }

    /// The wires leaving `from` by binding name (the first wire of each name), for nodes with
    /// many bindings such as a gateway.
    pub fn binding_index(&self, from: &str) -> FastMap<&'a str, Link<'a>> {
        let links = self.links_from(from);
        let mut index = FastMap::default();
        index.reserve(links.len());
        for link in links {
            index.entry(link.wire.binding.as_str()).or_insert(*link);
        }
        index
    }

    /// The kind of node `id`, if it exists.
    pub fn kind(&self, id: &str) -> Option<Kind> {
        self.node(id).map(|n| n.kind.kind())
    }

    pub fn clients(&self) -> impl Iterator<Item = (&'a Node, &'a Client)> + 'a {
        self.design.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some((n, c)),
            _ => None,
        })
    }

    pub fn gateways(&self) -> impl Iterator<Item = (&'a Node, &'a Gateway)> + 'a {
        self.design.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Gateway(g) => Some((n, g)),
            _ => None,
        })
    }

    pub fn kvs(&self) -> impl Iterator<Item = (&'a Node, &'a Kv)> + 'a {
        self.design.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Kv(kv) => Some((n, kv)),
            _ => None,
        })
    }

    pub fn d1s(&self) -> impl Iterator<Item = (&'a Node, &'a D1)> + 'a {
        self.design.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::D1(d1) => Some((n, d1)),
            _ => None,
        })
    }

    pub fn hyperdrives(&self) -> impl Iterator<Item = (&'a Node, &'a Hyperdrive)> + 'a {
        self.design.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Hyperdrive(h) => Some((n, h)),
            _ => None,
        })
    }

    /// The D1 nodes steps can reach (the first node with each id, when it is a D1).
    pub fn d1_nodes(&self) -> &[(&'a Node, &'a D1)] {
        &self.d1_nodes
    }

    /// The database slot of the D1 node steps reach by this id.
    pub fn d1_slot(&self, id: &str) -> Option<&D1Slot> {
        self.d1_databases.get(id)
    }

    /// Whether `node` is the first node with its id (the one wires and bindings reach).
    pub fn is_first(&self, node: &Node) -> bool {
        self.node(&node.id).is_some_and(|n| std::ptr::eq(n, node))
    }

    /// The positions in `design.nodes` of the Workers.
    pub fn worker_positions(&self) -> Vec<usize> {
        self.design
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| matches!(node.kind, NodeKind::Worker(_)))
            .map(|(index, _)| index)
            .collect()
    }

    /// The Worker at `index` in `design.nodes` with its wires (its bindings); `None` when
    /// that node is not a Worker.
    pub fn worker_at(&self, index: usize) -> Option<WorkerAt<'a, '_>> {
        let node = self.design.nodes.get(index)?;
        let NodeKind::Worker(worker) = &node.kind else {
            return None;
        };
        Some(WorkerAt {
            node,
            worker,
            links: self.links_of_index(index),
            patterns: parse_all(worker.routes.iter().map(|r| r.path.as_str())),
        })
    }

    /// The route patterns of gateway `id` (empty for a repeated id's later nodes).
    pub fn gateway_patterns(&self, gateway: &Node) -> &[Pattern<'a>] {
        let all = self.gateway_patterns.get_or_init(|| {
            let mut all = FastMap::default();
            for node in &self.design.nodes {
                if let NodeKind::Gateway(gateway) = &node.kind {
                    all.entry(node.id.as_str()).or_insert_with(|| {
                        parse_all(gateway.routes.iter().map(|r| r.path.as_str()))
                    });
                }
            }
            all
        });
        match all.get(gateway.id.as_str()) {
            Some(patterns)
                if self
                    .node(&gateway.id)
                    .is_some_and(|n| std::ptr::eq(n, gateway)) =>
            {
                patterns
            }
            _ => &[],
        }
    }

    /// The wires of each node that has any, grouped by source node.
    pub fn links_by_source(&self) -> impl Iterator<Item = &[Link<'a>]> + '_ {
        self.starts
            .windows(2)
            .filter(|w| w[0] < w[1])
            .map(|w| &self.outgoing[w[0]..w[1]])
    }

    /// The wires leaving the node at `index` in `design.nodes` (none for a repeated id: its
    /// wires belong to the first node with that id).
    fn links_of_index(&self, index: usize) -> &[Link<'a>] {
        &self.outgoing[self.starts[index]..self.starts[index + 1]]
    }
}

/// A short description of a route for messages: `GET /products/:id`.
pub(crate) fn route_label(route: &Route) -> String {
    format!("{} {}", route.method, route.path)
}
