//! Edits as data.
//!
//! Every change to a design, from the app, the CLI or a test, is an [`Edit`] applied by
//! [`Design::apply`]. An edit either applies whole or leaves the design untouched. Undo is a
//! bounded [`History`] of whole designs: one entry per edit, so a drag or a text edit that the
//! app sends as one edit is one undo step.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::model::{Design, NamedSchemas, Node, NodeId, NodeKind, Pos, Step, Wire, walk_steps_mut};

/// One change to a design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Edit {
    /// Add a node at a position. Its id must be new.
    AddNode { node: Node, pos: Pos },
    /// Remove nodes and every wire that touches them.
    RemoveNodes { ids: Vec<NodeId> },
    /// Give a node a new id; wires and the layout follow.
    RenameNode { from: NodeId, to: NodeId },
    /// Replace a node's properties. The kind may not change.
    SetNode { id: NodeId, kind: NodeKind },
    /// Add a wire. Both ends must exist; there may be one wire per (from, to).
    Connect { wire: Wire },
    /// Remove the wire from `from` to `to`.
    Disconnect { from: NodeId, to: NodeId },
    /// Rename a binding of `node`; the wire, gateway routes and handler steps follow.
    RenameBinding {
        node: NodeId,
        from: String,
        to: String,
    },
    /// Move nodes (one drag of several nodes is one edit).
    Move { positions: BTreeMap<NodeId, Pos> },
    /// Rename the design.
    SetName { name: String },
    /// Change the design's description.
    SetDescription { text: String },
    /// Replace the design's named schemas (the route contracts' `#/$defs/Name`).
    SetSchemas { schemas: NamedSchemas },
    /// Several edits as one (paste, duplicate, auto-layout): all apply or none.
    Batch { edits: Vec<Edit> },
}

/// Why an edit cannot be applied. The design is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("there is no node `{0}`")]
    NoSuchNode(NodeId),
    #[error("a node `{0}` already exists; pick another id")]
    DuplicateNode(NodeId),
    #[error("a node id cannot be empty")]
    EmptyId,
    #[error("node `{id}` is a {existing}, it cannot become a {new}")]
    KindChange {
        id: NodeId,
        existing: &'static str,
        new: &'static str,
    },
    #[error("`{from}` is already wired to `{to}`")]
    DuplicateWire { from: NodeId, to: NodeId },
    #[error("a node cannot be wired to itself (`{0}`)")]
    SelfWire(NodeId),
    #[error("there is no wire from `{from}` to `{to}`")]
    NoSuchWire { from: NodeId, to: NodeId },
    #[error("node `{node}` has no binding `{binding}`")]
    NoSuchBinding { node: NodeId, binding: String },
    #[error("node `{node}` already has a binding `{binding}`")]
    DuplicateBinding { node: NodeId, binding: String },
}

impl Design {
    /// Apply one edit. On error the design is unchanged.
    pub fn apply(&mut self, edit: &Edit) -> Result<(), EditError> {
        match edit {
            Edit::Batch { edits } => {
                let mut draft = self.clone();
                for edit in edits {
                    draft.apply(edit)?;
                }
                *self = draft;
                Ok(())
            }
            other => self.apply_one(other),
        }
    }

    fn apply_one(&mut self, edit: &Edit) -> Result<(), EditError> {
        match edit {
            Edit::AddNode { node, pos } => {
                if node.id.is_empty() {
                    return Err(EditError::EmptyId);
                }
                if self.contains(&node.id) {
                    return Err(EditError::DuplicateNode(node.id.clone()));
                }
                self.nodes.push(node.clone());
                self.layout.insert(node.id.clone(), *pos);
            }
            Edit::RemoveNodes { ids } => {
                for id in ids {
                    if !self.contains(id) {
                        return Err(EditError::NoSuchNode(id.clone()));
                    }
                }
                self.nodes.retain(|n| !ids.contains(&n.id));
                self.wires
                    .retain(|w| !ids.contains(&w.from) && !ids.contains(&w.to));
                for id in ids {
                    self.layout.remove(id);
                }
            }
            Edit::RenameNode { from, to } => {
                if from == to {
                    return Ok(());
                }
                if to.is_empty() {
                    return Err(EditError::EmptyId);
                }
                if self.contains(to) {
                    return Err(EditError::DuplicateNode(to.clone()));
                }
                let node = self
                    .node_mut(from)
                    .ok_or_else(|| EditError::NoSuchNode(from.clone()))?;
                node.id.clone_from(to);
                for wire in &mut self.wires {
                    if wire.from == *from {
                        wire.from.clone_from(to);
                    }
                    if wire.to == *from {
                        wire.to.clone_from(to);
                    }
                }
                if let Some(pos) = self.layout.remove(from) {
                    self.layout.insert(to.clone(), pos);
                }
            }
            Edit::SetNode { id, kind } => {
                let node = self
                    .node_mut(id)
                    .ok_or_else(|| EditError::NoSuchNode(id.clone()))?;
                if node.kind.kind() != kind.kind() {
                    return Err(EditError::KindChange {
                        id: id.clone(),
                        existing: node.kind.kind().label(),
                        new: kind.kind().label(),
                    });
                }
                node.kind = kind.clone();
            }
            Edit::Connect { wire } => {
                for end in [&wire.from, &wire.to] {
                    if !self.contains(end) {
                        return Err(EditError::NoSuchNode(end.clone()));
                    }
                }
                if wire.from == wire.to {
                    return Err(EditError::SelfWire(wire.from.clone()));
                }
                if self
                    .wires
                    .iter()
                    .any(|w| w.from == wire.from && w.to == wire.to)
                {
                    return Err(EditError::DuplicateWire {
                        from: wire.from.clone(),
                        to: wire.to.clone(),
                    });
                }
                self.wires.push(wire.clone());
            }
            Edit::Disconnect { from, to } => {
                let before = self.wires.len();
                self.wires.retain(|w| !(w.from == *from && w.to == *to));
                if self.wires.len() == before {
                    return Err(EditError::NoSuchWire {
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
            }
            Edit::RenameBinding { node, from, to } => self.rename_binding(node, from, to)?,
            Edit::Move { positions } => {
                for id in positions.keys() {
                    if !self.contains(id) {
                        return Err(EditError::NoSuchNode(id.clone()));
                    }
                }
                for (id, pos) in positions {
                    self.layout.insert(id.clone(), *pos);
                }
            }
            Edit::SetName { name } => self.name.clone_from(name),
            Edit::SetDescription { text } => self.description.clone_from(text),
            Edit::SetSchemas { schemas } => self.schemas.clone_from(schemas),
            Edit::Batch { .. } => self.apply(edit)?,
        }
        Ok(())
    }

    fn rename_binding(&mut self, node_id: &str, from: &str, to: &str) -> Result<(), EditError> {
        if from == to {
            return Ok(());
        }
        if !self.contains(node_id) {
            return Err(EditError::NoSuchNode(node_id.to_owned()));
        }
        if self.binding(node_id, from).is_none() {
            return Err(EditError::NoSuchBinding {
                node: node_id.to_owned(),
                binding: from.to_owned(),
            });
        }
        if self.binding(node_id, to).is_some() {
            return Err(EditError::DuplicateBinding {
                node: node_id.to_owned(),
                binding: to.to_owned(),
            });
        }
        for wire in &mut self.wires {
            if wire.from == node_id && wire.binding == from {
                to.clone_into(&mut wire.binding);
            }
        }
        let Some(node) = self.node_mut(node_id) else {
            return Ok(());
        };
        match &mut node.kind {
            NodeKind::Gateway(gateway) => {
                for route in &mut gateway.routes {
                    if route.service == from {
                        to.clone_into(&mut route.service);
                    }
                }
            }
            NodeKind::Worker(worker) => {
                for route in &mut worker.routes {
                    walk_steps_mut(&mut route.steps, &mut |step: &mut Step| {
                        if let Some(binding) = step.binding_mut()
                            && binding == from
                        {
                            to.clone_into(binding);
                        }
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A bounded undo/redo history of whole designs.
#[derive(Clone, Debug)]
pub struct History {
    undo: VecDeque<Design>,
    redo: Vec<Design>,
    max_entries: usize,
}

impl Default for History {
    fn default() -> Self {
        Self::new(200)
    }
}

impl History {
    /// A history that keeps at most `max_entries` undo steps.
    pub fn new(max_entries: usize) -> Self {
        Self {
            undo: VecDeque::new(),
            redo: Vec::new(),
            max_entries: max_entries.max(1),
        }
    }

    /// Apply `edit` to `design`, remembering the design before it.
    pub fn apply(&mut self, design: &mut Design, edit: &Edit) -> Result<(), EditError> {
        let before = design.clone();
        design.apply(edit)?;
        if *design != before {
            self.push(before);
        }
        Ok(())
    }

    /// Remember `before` as an undo step (for changes made outside [`History::apply`]).
    pub fn push(&mut self, before: Design) {
        self.undo.push_back(before);
        while self.undo.len() > self.max_entries {
            self.undo.pop_front();
        }
        self.redo.clear();
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Step back; returns whether anything changed.
    pub fn undo(&mut self, design: &mut Design) -> bool {
        swap_in(design, self.undo.pop_back(), |current| {
            self.redo.push(current);
        })
    }

    /// Step forward again; returns whether anything changed.
    pub fn redo(&mut self, design: &mut Design) -> bool {
        swap_in(design, self.redo.pop(), |current| {
            self.undo.push_back(current);
        })
    }

    /// Forget everything (after opening another file).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

/// Puts `state`, when there is one, in the place of `design`, handing the design it replaces
/// to `keep`; returns whether there was one.
fn swap_in(design: &mut Design, state: Option<Design>, keep: impl FnOnce(Design)) -> bool {
    let Some(state) = state else {
        return false;
    };
    keep(std::mem::replace(design, state));
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Expr, HttpMethod, Kind, Route, Template, Worker};

    fn sample() -> Design {
        let mut design = Design::new("t");
        let worker = Worker {
            routes: vec![Route {
                method: HttpMethod::Get,
                path: "/x".into(),
                request: None,
                responses: std::collections::BTreeMap::new(),
                steps: vec![Step::KvGet {
                    binding: "CACHE".into(),
                    key: Template::new("k"),
                    format: crate::model::KvFormat::Text,
                    into: "v".into(),
                }],
            }],
            ..Worker::default()
        };
        for edit in [
            Edit::AddNode {
                node: Node::new("api", NodeKind::Worker(worker)),
                pos: Pos::new(0.0, 0.0),
            },
            Edit::AddNode {
                node: Node::new("kv", Kind::Kv.default_node_kind()),
                pos: Pos::new(100.0, 0.0),
            },
            Edit::Connect {
                wire: Wire::new("api", "kv", "CACHE"),
            },
        ] {
            design.apply(&edit).expect("sample edits apply");
        }
        design
    }

    #[test]
    fn rename_binding_updates_wire_and_steps() {
        let mut design = sample();
        design
            .apply(&Edit::RenameBinding {
                node: "api".into(),
                from: "CACHE".into(),
                to: "CONFIG".into(),
            })
            .expect("rename applies");
        assert_eq!(design.wires[0].binding, "CONFIG");
        let Some(NodeKind::Worker(worker)) = design.node("api").map(|n| &n.kind) else {
            panic!("api is a worker");
        };
        assert_eq!(worker.routes[0].steps[0].binding(), Some("CONFIG"));
    }

    #[test]
    fn rename_node_moves_wires_and_layout() {
        let mut design = sample();
        design
            .apply(&Edit::RenameNode {
                from: "kv".into(),
                to: "config".into(),
            })
            .expect("rename applies");
        assert_eq!(design.wires[0].to, "config");
        assert!(design.layout.contains_key("config"));
        assert!(!design.layout.contains_key("kv"));
    }

    #[test]
    fn failed_batch_leaves_design_untouched() {
        let mut design = sample();
        let before = design.clone();
        let result = design.apply(&Edit::Batch {
            edits: vec![
                Edit::SetName {
                    name: "changed".into(),
                },
                Edit::Disconnect {
                    from: "nope".into(),
                    to: "kv".into(),
                },
            ],
        });
        assert!(result.is_err());
        assert_eq!(design, before);
    }

    #[test]
    fn history_undo_redo_round_trips() {
        let mut design = sample();
        let original = design.clone();
        let mut history = History::new(10);
        history
            .apply(
                &mut design,
                &Edit::SetNode {
                    id: "api".into(),
                    kind: NodeKind::Worker(Worker::default()),
                },
            )
            .expect("set applies");
        let edited = design.clone();
        assert!(history.undo(&mut design));
        assert_eq!(design, original);
        assert!(history.redo(&mut design));
        assert_eq!(design, edited);
        let _ = Expr::Ref("unused".into());
    }

    #[test]
    fn history_is_bounded() {
        let mut design = Design::new("t");
        let mut history = History::new(3);
        for n in 0..10 {
            history
                .apply(
                    &mut design,
                    &Edit::SetName {
                        name: format!("n{n}"),
                    },
                )
                .expect("applies");
        }
        let mut undos = 0;
        while history.undo(&mut design) {
            undos += 1;
        }
        assert_eq!(undos, 3);
    }
}
