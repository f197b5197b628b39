//! The petgraph view of a design.
//!
//! Algorithms (validation, export order, auto-layout, simulation paths) build a [`DesignGraph`]
//! on demand. Node indices stay inside this module: the API speaks in node ids.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, EdgeFiltered, EdgeRef};
// Ids and indices only (no untrusted input to flood a table); no output follows their order.
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::model::{Design, Kind, Node, NodeId, Role, Wire};

/// What a wire between two kinds means, or why it is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireRole {
    /// Client -> Gateway or Worker: requests.
    Requests,
    /// Gateway/Worker -> Worker: a service binding.
    Service,
    /// Gateway/Worker -> KV, Worker -> D1 / Hyperdrive: a resource binding.
    Resource,
}

impl WireRole {
    /// Whether wires of this role carry a binding name.
    pub fn has_binding(self) -> bool {
        !matches!(self, WireRole::Requests)
    }

    /// What the wire is, in a few words (the wire inspector).
    pub fn label(self) -> &'static str {
        match self {
            WireRole::Requests => "HTTP requests (no binding)",
            WireRole::Service => "a service binding",
            WireRole::Resource => "a resource binding",
        }
    }
}

/// Whether a wire from a `from` node to a `to` node is allowed; the error says why not and
/// what is allowed instead. It follows from what each kind's entry in [`crate::model::KINDS`]
/// says: its role, whether Workers may call it, and which stores it may bind.
pub fn wire_role(from: Kind, to: Kind) -> Result<WireRole, String> {
    let (source, target) = (from.spec(), to.spec());
    match (source.role, target.role) {
        (Role::Annotation, _) | (_, Role::Annotation) => {
            Err("notes are comments and cannot be wired".to_owned())
        }
        (Role::Caller, Role::Worker) => Ok(WireRole::Requests),
        (Role::Caller, _) => Err(format!(
            "a Client can only send requests to a Gateway or a public Worker, not to a {to}"
        )),
        (Role::Store, _) => Err(format!(
            "a {from} is a data store and cannot call anything; draw the wire from the Worker \
             that uses it to the {from}"
        )),
        (_, Role::Caller) => {
            Err("nothing can call a Client; wire the Client to the entry point".to_owned())
        }
        (Role::Worker, Role::Worker) if target.callable => Ok(WireRole::Service),
        (Role::Worker, Role::Worker) => Err(format!(
            "the {to} is the public entry and cannot be called through a binding; wire a \
             Client to it instead"
        )),
        (Role::Worker, Role::Store) if source.binds_databases || target.light_store => {
            Ok(WireRole::Resource)
        }
        (Role::Worker, Role::Store) => Err(format!(
            "the {from} only routes and checks requests; bind the {to} to a service Worker \
             and route to that Worker instead"
        )),
    }
}

/// A Client's scenario request and the entry point it is sent to.
pub struct ScenarioRequest<'d> {
    pub client: &'d str,
    /// The first entry point (by id) the Client is wired to.
    pub entry: &'d str,
    pub request: &'d crate::model::SampleRequest,
}

/// Every Client's scenario requests, in design order, each with the entry point its Client
/// calls; Clients wired to no entry point are left out. `edgewire scenario` sends them and
/// the export's tests check them.
pub fn scenario_requests(design: &Design) -> Vec<ScenarioRequest<'_>> {
    let entries = DesignGraph::new(design).entry_points();
    let mut out = Vec::new();
    for node in &design.nodes {
        let crate::model::NodeKind::Client(client) = &node.kind else {
            continue;
        };
        let mut targets: Vec<&str> = design
            .wires_from(&node.id)
            .map(|w| w.to.as_str())
            .filter(|t| entries.iter().any(|e| e == t))
            .collect();
        targets.sort_unstable();
        let Some(entry) = targets.first() else {
            continue;
        };
        out.extend(client.scenario.iter().map(|request| ScenarioRequest {
            client: &node.id,
            entry,
            request,
        }));
    }
    out
}

/// A directed graph of a design's nodes and wires.
pub struct DesignGraph<'a> {
    graph: DiGraph<&'a Node, &'a Wire>,
    index: FxHashMap<&'a str, NodeIndex>,
}

impl<'a> DesignGraph<'a> {
    /// Build the graph. Wires to unknown nodes are left out (validation reports them).
    pub fn new(design: &'a Design) -> Self {
        let mut graph = DiGraph::with_capacity(design.nodes.len(), design.wires.len());
        let mut index = FxHashMap::with_capacity_and_hasher(design.nodes.len(), FxBuildHasher);
        for node in &design.nodes {
            index
                .entry(node.id.as_str())
                .or_insert_with(|| graph.add_node(node));
        }
        for wire in &design.wires {
            if let (Some(&a), Some(&b)) =
                (index.get(wire.from.as_str()), index.get(wire.to.as_str()))
            {
                graph.add_edge(a, b, wire);
            }
        }
        Self { graph, index }
    }

    /// Build the graph from wires whose ends the caller already looked up: `(from, to, wire)`
    /// with `from` and `to` positions in `design.nodes`, each the first node with its id (as
    /// [`Self::new`] keeps). Saves looking every wire's ids up again in large designs.
    pub fn from_resolved(
        design: &'a Design,
        wires: impl IntoIterator<Item = (usize, usize, &'a Wire)>,
    ) -> Self {
        let mut graph = DiGraph::with_capacity(design.nodes.len(), design.wires.len());
        let mut index = FxHashMap::with_capacity_and_hasher(design.nodes.len(), FxBuildHasher);
        // Graph index of each design position; a repeated id maps to its first node.
        let mut position = Vec::with_capacity(design.nodes.len());
        for node in &design.nodes {
            let ix = *index
                .entry(node.id.as_str())
                .or_insert_with(|| graph.add_node(node));
            position.push(ix);
        }
        for (from, to, wire) in wires {
            if let (Some(&a), Some(&b)) = (position.get(from), position.get(to)) {
                graph.add_edge(a, b, wire);
            }
        }
        Self { graph, index }
    }

    fn kind(&self, ix: NodeIndex) -> Kind {
        self.graph[ix].kind.kind()
    }

    fn is_service_edge(&self, from: NodeIndex, to: NodeIndex) -> bool {
        self.kind(from).is_worker() && self.kind(to) == Kind::Worker
    }

    /// Groups of Workers that call each other in a cycle through service bindings, each sorted,
    /// the list sorted.
    pub fn service_cycles(&self) -> Vec<Vec<NodeId>> {
        let services = EdgeFiltered::from_fn(&self.graph, |e| {
            self.is_service_edge(e.source(), e.target())
        });
        let mut cycles: Vec<Vec<NodeId>> = tarjan_scc(&services)
            .into_iter()
            .filter(|scc| {
                scc.len() > 1 || scc.first().is_some_and(|&n| self.graph.contains_edge(n, n))
            })
            .map(|scc| {
                let mut ids: Vec<NodeId> = scc.iter().map(|&n| self.graph[n].id.clone()).collect();
                ids.sort();
                ids
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// Ids of the nodes a request from any Client can reach (Clients included), sorted.
    pub fn reachable_from_clients(&self) -> BTreeSet<NodeId> {
        let mut seen = BTreeSet::new();
        for ix in self.graph.node_indices() {
            if self.kind(ix) != Kind::Client {
                continue;
            }
            let mut bfs = Bfs::new(&self.graph, ix);
            while let Some(n) = bfs.next(&self.graph) {
                seen.insert(self.graph[n].id.clone());
            }
        }
        seen
    }

    /// Public entry points: Gateways and Workers wired from a Client, sorted.
    pub fn entry_points(&self) -> Vec<NodeId> {
        let mut entries: BTreeSet<NodeId> = BTreeSet::new();
        for edge in self.graph.edge_indices() {
            if let Some((a, b)) = self.graph.edge_endpoints(edge)
                && self.kind(a) == Kind::Client
                && self.kind(b).is_worker()
            {
                entries.insert(self.graph[b].id.clone());
            }
        }
        entries.into_iter().collect()
    }

    /// Gateways and Workers in deploy order: every Worker after the Workers it calls
    /// (services first, gateways last). Ties are broken by id. `None` when there is a cycle.
    pub fn deploy_order(&self) -> Option<Vec<NodeId>> {
        let workers =
            petgraph::visit::NodeFiltered::from_fn(&self.graph, |n| self.kind(n).is_worker());
        let order = toposort(&workers, None).ok()?;
        // toposort gives callers before callees; deploy callees first, stable by depth then id.
        let mut depth: BTreeMap<NodeIndex, usize> = BTreeMap::new();
        for &n in order.iter().rev() {
            let d = self
                .graph
                .neighbors_directed(n, Direction::Outgoing)
                .filter(|&m| self.is_service_edge(n, m))
                .filter_map(|m| depth.get(&m))
                .map(|d| d + 1)
                .max()
                .unwrap_or(0);
            depth.insert(n, d);
        }
        let mut ranked: Vec<(usize, bool, NodeId)> = depth
            .into_iter()
            .map(|(n, d)| (d, self.kind(n) == Kind::Gateway, self.graph[n].id.clone()))
            .collect();
        ranked.sort();
        Some(ranked.into_iter().map(|(_, _, id)| id).collect())
    }

    /// The most Worker invocations one request to `entry` can cause through service bindings
    /// (the entry counts as one), with the chain that causes it. `None` on a cycle.
    pub fn longest_call_chain(&self, entry: &str) -> Option<Vec<NodeId>> {
        let &start = self.index.get(entry)?;
        let mut memo: FxHashMap<NodeIndex, Vec<NodeIndex>> = FxHashMap::default();
        let mut visiting = BTreeSet::new();
        let chain = self.chain_from(start, &mut memo, &mut visiting)?;
        Some(
            chain
                .into_iter()
                .map(|n| self.graph[n].id.clone())
                .collect(),
        )
    }

    /// The nodes `node` calls through service bindings, each once, sorted by id.
    fn service_callees(&self, node: NodeIndex) -> Vec<NodeIndex> {
        let mut callees: Vec<NodeIndex> = self
            .graph
            .neighbors_directed(node, Direction::Outgoing)
            .filter(|&m| self.is_service_edge(node, m))
            .collect();
        callees.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        callees.dedup();
        callees
    }

    fn chain_from(
        &self,
        node: NodeIndex,
        memo: &mut FxHashMap<NodeIndex, Vec<NodeIndex>>,
        visiting: &mut BTreeSet<NodeIndex>,
    ) -> Option<Vec<NodeIndex>> {
        if let Some(chain) = memo.get(&node) {
            return Some(chain.clone());
        }
        if !visiting.insert(node) {
            return None;
        }
        let mut best: Vec<NodeIndex> = Vec::new();
        for callee in self.service_callees(node) {
            let chain = self.chain_from(callee, memo, visiting)?;
            if chain.len() > best.len() {
                best = chain;
            }
        }
        visiting.remove(&node);
        let mut chain = vec![node];
        chain.extend(best);
        memo.insert(node, chain.clone());
        Some(chain)
    }

    /// Each service-binding cycle as a path that starts and ends at its smallest id
    /// (`["products", "users", "products"]`): the shortest way round, one per group of
    /// [`Self::service_cycles`], sorted.
    pub fn service_cycle_paths(&self) -> Vec<Vec<NodeId>> {
        let mut paths = Vec::new();
        for members in self.service_cycles() {
            let inside: BTreeSet<NodeIndex> = members
                .iter()
                .filter_map(|id| self.index.get(id.as_str()).copied())
                .collect();
            let Some(&start) = members.first().and_then(|id| self.index.get(id.as_str())) else {
                continue;
            };
            // Breadth first from `start` inside the group until an edge leads back to it.
            let mut parent: FxHashMap<NodeIndex, NodeIndex> = FxHashMap::default();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut last = None;
            'search: while let Some(n) = queue.pop_front() {
                let mut next: Vec<NodeIndex> = self
                    .graph
                    .neighbors_directed(n, Direction::Outgoing)
                    .filter(|m| inside.contains(m) && self.is_service_edge(n, *m))
                    .collect();
                next.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
                for m in next {
                    if m == start {
                        last = Some(n);
                        break 'search;
                    }
                    if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(m) {
                        e.insert(n);
                        queue.push_back(m);
                    }
                }
            }
            let Some(mut at) = last else { continue };
            let mut path = vec![self.graph[start].id.clone()];
            while at != start {
                path.push(self.graph[at].id.clone());
                at = parent[&at];
            }
            path.push(self.graph[start].id.clone());
            path.reverse();
            paths.push(path);
        }
        paths.sort();
        paths
    }

    /// Ids of the nodes that no request from any Client reaches, Clients and Notes left out,
    /// sorted. Linear in the graph (one shared visited set).
    pub fn unreachable_from_clients(&self) -> Vec<NodeId> {
        let mut seen = vec![false; self.graph.node_count()];
        let mut stack: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| self.kind(n) == Kind::Client)
            .collect();
        for &n in &stack {
            seen[n.index()] = true;
        }
        while let Some(n) = stack.pop() {
            for m in self.graph.neighbors_directed(n, Direction::Outgoing) {
                if !seen[m.index()] {
                    seen[m.index()] = true;
                    stack.push(m);
                }
            }
        }
        let mut ids: Vec<NodeId> = self
            .graph
            .node_indices()
            .filter(|&n| !seen[n.index()] && !matches!(self.kind(n), Kind::Client | Kind::Note))
            .map(|n| self.graph[n].id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// [`Self::longest_call_chain`] for several entries at once, sharing the work; one answer
    /// per entry (`None` for an unknown id). `None` overall on a cycle.
    pub fn longest_call_chains(&self, entries: &[&str]) -> Option<Vec<Option<Vec<NodeId>>>> {
        // Longest chain length from each node and the callee that continues it.
        let mut memo: FxHashMap<NodeIndex, (usize, Option<NodeIndex>)> = FxHashMap::default();
        let mut visiting = BTreeSet::new();
        let mut chains = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(&start) = self.index.get(entry) else {
                chains.push(None);
                continue;
            };
            self.chain_length(start, &mut memo, &mut visiting)?;
            let mut chain = vec![self.graph[start].id.clone()];
            let mut at = start;
            while let Some(&(_, Some(next))) = memo.get(&at) {
                chain.push(self.graph[next].id.clone());
                at = next;
            }
            chains.push(Some(chain));
        }
        Some(chains)
    }

    fn chain_length(
        &self,
        node: NodeIndex,
        memo: &mut FxHashMap<NodeIndex, (usize, Option<NodeIndex>)>,
        visiting: &mut BTreeSet<NodeIndex>,
    ) -> Option<usize> {
        if let Some(&(length, _)) = memo.get(&node) {
            return Some(length);
        }
        if !visiting.insert(node) {
            return None;
        }
        let mut best: (usize, Option<NodeIndex>) = (1, None);
        for callee in self.service_callees(node) {
            let length = self.chain_length(callee, memo, visiting)? + 1;
            if length > best.0 {
                best = (length, Some(callee));
            }
        }
        visiting.remove(&node);
        memo.insert(node, best);
        Some(best.0)
    }

    /// Layers for a left-to-right layout: clients, then each node one column right of the
    /// furthest node that wires to it; notes and unconnected nodes last. Each layer sorted by id.
    pub fn layers(&self) -> Vec<Vec<NodeId>> {
        let mut column: BTreeMap<NodeIndex, usize> = BTreeMap::new();
        let acyclic =
            toposort(&self.graph, None).unwrap_or_else(|_| self.graph.node_indices().collect());
        for &n in &acyclic {
            let c = self
                .graph
                .neighbors_directed(n, Direction::Incoming)
                .filter_map(|m| column.get(&m))
                .map(|c| c + 1)
                .max()
                .unwrap_or(0);
            column.insert(n, c);
        }
        // Data stores share the last column so the picture reads clients -> compute -> data.
        let last_compute = column
            .iter()
            .filter(|(n, _)| !self.kind(**n).is_store())
            .map(|(_, c)| *c)
            .max()
            .unwrap_or(0);
        let mut layers: BTreeMap<usize, Vec<NodeId>> = BTreeMap::new();
        for (n, c) in column {
            let kind = self.kind(n);
            let c = if kind.is_store() {
                last_compute + 1
            } else if kind == Kind::Note {
                last_compute + 2
            } else {
                c
            };
            layers.entry(c).or_default().push(self.graph[n].id.clone());
        }
        layers
            .into_values()
            .map(|mut ids| {
                ids.sort();
                ids
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeKind, Worker};

    fn worker(id: &str) -> Node {
        Node::new(id, NodeKind::Worker(Worker::default()))
    }

    #[test]
    fn kv_to_worker_is_refused_with_a_reason() {
        let err = wire_role(Kind::Kv, Kind::Worker).expect_err("KV cannot call");
        assert!(err.contains("data store"), "{err}");
        assert_eq!(wire_role(Kind::Worker, Kind::D1), Ok(WireRole::Resource));
        assert_eq!(
            wire_role(Kind::Client, Kind::Gateway),
            Ok(WireRole::Requests)
        );
    }

    #[test]
    fn cycles_and_deploy_order() {
        let mut design = Design::new("t");
        design.nodes = vec![worker("a"), worker("b"), worker("c")];
        design.wires = vec![Wire::new("a", "b", "B"), Wire::new("b", "c", "C")];
        let graph = DesignGraph::new(&design);
        assert!(graph.service_cycles().is_empty());
        let resolved = DesignGraph::from_resolved(
            &design,
            design.wires.iter().map(|w| {
                let at = |id: &str| design.nodes.iter().position(|n| n.id == id).unwrap_or(0);
                (at(&w.from), at(&w.to), w)
            }),
        );
        assert_eq!(resolved.deploy_order(), graph.deploy_order());
        assert_eq!(
            graph.deploy_order(),
            Some(vec!["c".into(), "b".into(), "a".into()])
        );
        assert_eq!(
            graph.longest_call_chain("a"),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );

        assert_eq!(
            graph.longest_call_chains(&["a", "b", "x"]),
            Some(vec![
                Some(vec!["a".into(), "b".into(), "c".into()]),
                Some(vec!["b".into(), "c".into()]),
                None
            ])
        );
        assert_eq!(graph.unreachable_from_clients(), vec!["a", "b", "c"]);

        design.wires.push(Wire::new("c", "a", "A"));
        let graph = DesignGraph::new(&design);
        assert_eq!(
            graph.service_cycles(),
            vec![vec!["a".to_owned(), "b".into(), "c".into()]]
        );
        assert_eq!(graph.deploy_order(), None);
        assert_eq!(
            graph.service_cycle_paths(),
            vec![vec!["a".to_owned(), "b".into(), "c".into(), "a".into()]]
        );
        assert_eq!(graph.longest_call_chains(&["a"]), None);
    }

    /// The wires the platform allows, pair by pair: what each kind's entry says adds up to
    /// exactly this table.
    #[test]
    fn the_allowed_wires_are_exactly_these() {
        use Kind::{Client, D1, Gateway, Hyperdrive, Kv, Worker};
        let allowed = [
            (Client, Gateway, WireRole::Requests),
            (Client, Worker, WireRole::Requests),
            (Gateway, Worker, WireRole::Service),
            (Worker, Worker, WireRole::Service),
            (Gateway, Kv, WireRole::Resource),
            (Worker, Kv, WireRole::Resource),
            (Worker, D1, WireRole::Resource),
            (Worker, Hyperdrive, WireRole::Resource),
        ];
        for from in Kind::ALL {
            for to in Kind::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, t, _)| *f == from && *t == to)
                    .map(|(_, _, role)| *role);
                match (wire_role(from, to), expected) {
                    (Ok(role), Some(want)) => assert_eq!(role, want, "{from} -> {to}"),
                    (Err(why), None) => assert!(!why.is_empty(), "{from} -> {to}"),
                    (got, want) => panic!("{from} -> {to}: {got:?}, expected {want:?}"),
                }
            }
        }
    }
}
