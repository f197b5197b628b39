//! What every rule needs, built once per validation run: node and binding indices (so no rule
//! scans the node list per lookup), the petgraph view, and a step walker that formats step
//! positions only when a diagnostic needs them.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use crate::graph::DesignGraph;
use crate::model::{
    Client, D1, Design, Gateway, Hyperdrive, Kind, Kv, Node, NodeKind, Route, Step, Wire, Worker,
};

use super::Target;

/// Indices over one design, shared by every rule of a run.
pub(crate) struct Ctx<'a> {
    pub design: &'a Design,
    pub graph: DesignGraph<'a>,
    /// The secret names of the design's `.dev.vars`, when known.
    pub declared_secrets: Option<&'a BTreeSet<String>>,
    nodes: HashMap<&'a str, &'a Node>,
    outgoing: HashMap<&'a str, Vec<&'a Wire>>,
}

impl<'a> Ctx<'a> {
    pub fn new(design: &'a Design, declared_secrets: Option<&'a BTreeSet<String>>) -> Self {
        let mut nodes = HashMap::with_capacity(design.nodes.len());
        for node in &design.nodes {
            nodes.entry(node.id.as_str()).or_insert(node);
        }
        let mut outgoing: HashMap<&str, Vec<&Wire>> = HashMap::with_capacity(design.nodes.len());
        for wire in &design.wires {
            outgoing.entry(wire.from.as_str()).or_default().push(wire);
        }
        Self {
            design,
            graph: DesignGraph::new(design),
            declared_secrets,
            nodes,
            outgoing,
        }
    }

    /// The node with this id (the first one, should ids repeat).
    pub fn node(&self, id: &str) -> Option<&'a Node> {
        self.nodes.get(id).copied()
    }

    /// Wires leaving `id`, in design order.
    pub fn wires_from(&self, id: &str) -> &[&'a Wire] {
        self.outgoing.get(id).map_or(&[], Vec::as_slice)
    }

    /// The node behind binding `binding` of node `from`.
    pub fn binding_target(&self, from: &str, binding: &str) -> Option<&'a Node> {
        self.wires_from(from)
            .iter()
            .find(|w| w.binding == binding)
            .and_then(|w| self.node(&w.to))
    }

    /// Whether `from` has a wire with this binding name (whatever it points to).
    pub fn has_binding(&self, from: &str, binding: &str) -> bool {
        self.wires_from(from).iter().any(|w| w.binding == binding)
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

    pub fn workers(&self) -> impl Iterator<Item = (&'a Node, &'a Worker)> + 'a {
        self.design.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Worker(w) => Some((n, w)),
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

    /// Visit every step of every Worker route, depth first, in design order.
    pub fn for_each_step(&self, visit: &mut dyn FnMut(&StepAt<'a, '_>)) {
        for (node, worker) in self.workers() {
            for (route_index, route) in worker.routes.iter().enumerate() {
                walk(&route.steps, &mut |path, step| {
                    visit(&StepAt {
                        node,
                        route_index,
                        path,
                        step,
                    });
                });
            }
        }
    }
}

/// A step with where it is.
pub(crate) struct StepAt<'a, 'p> {
    pub node: &'a Node,
    pub route_index: usize,
    pub path: &'p StepPath,
    pub step: &'a Step,
}

impl StepAt<'_, '_> {
    pub fn target(&self) -> Target {
        step_target(self.node, self.route_index, self.path)
    }
}

/// The diagnostic target of a step.
pub(crate) fn step_target(node: &Node, route: usize, path: &StepPath) -> Target {
    Target::Step {
        node: node.id.clone(),
        route,
        step: path.to_string(),
    }
}

/// One segment of a step position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    Index(usize),
    Then,
    Otherwise,
}

/// A step's position (`3.then.0`), kept as segments and formatted only when displayed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StepPath(Vec<Segment>);

impl StepPath {
    pub fn push_index(&mut self, index: usize) {
        self.0.push(Segment::Index(index));
    }

    pub fn push_branch(&mut self, then: bool) {
        self.0.push(if then {
            Segment::Then
        } else {
            Segment::Otherwise
        });
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }
}

impl fmt::Display for StepPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match segment {
                Segment::Index(n) => write!(f, "{n}")?,
                Segment::Then => f.write_str("then")?,
                Segment::Otherwise => f.write_str("otherwise")?,
            }
        }
        Ok(())
    }
}

/// Visit every step of a list depth first (an `If` before its branches), with its position.
pub(crate) fn walk<'a>(steps: &'a [Step], visit: &mut dyn FnMut(&StepPath, &'a Step)) {
    fn go<'a>(path: &mut StepPath, steps: &'a [Step], visit: &mut dyn FnMut(&StepPath, &'a Step)) {
        for (index, step) in steps.iter().enumerate() {
            path.push_index(index);
            visit(path, step);
            if let Step::If {
                then, otherwise, ..
            } = step
            {
                path.push_branch(true);
                go(path, then, visit);
                path.pop();
                path.push_branch(false);
                go(path, otherwise, visit);
                path.pop();
            }
            path.pop();
        }
    }
    go(&mut StepPath::default(), steps, visit);
}

/// Whether `text` is a plain identifier: an ASCII letter or `_`, then letters, digits, `_`.
pub(crate) fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A short description of a route for messages: `GET /products/:id`.
pub(crate) fn route_label(route: &Route) -> String {
    format!("{} {}", route.method, route.path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Condition, Expr};

    #[test]
    fn walk_formats_positions_like_the_model() {
        let steps = vec![
            Step::Set {
                name: "a".into(),
                value: Expr::Json(serde_json::json!(1)),
            },
            Step::If {
                cond: Condition::Exists("a".into()),
                then: vec![],
                otherwise: vec![Step::Respond {
                    status: 200,
                    body: None,
                    headers: std::collections::BTreeMap::new(),
                }],
            },
        ];
        let mut seen = Vec::new();
        walk(&steps, &mut |path, _| seen.push(path.to_string()));
        let mut expected = Vec::new();
        crate::model::walk_steps(&steps, &mut |path, _| expected.push(path.to_owned()));
        assert_eq!(seen, expected);
        assert_eq!(seen, ["0", "1", "1.otherwise.0"]);
    }
}
