//! Exports that come back: `edgewire export` writes the design as [`DESIGN_FILE`] at the
//! project's root. Importing that folder gives that design when the configurations still
//! say what it says (the same Workers, each with the same bindings of the same kinds to the
//! same services); otherwise it starts from it and applies what changed in the
//! configurations: Workers, bindings and stores added or removed, and a gateway's rate limit
//! (its `ratelimits` entry) changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::format::FileError;
use crate::model::{Design, Kind, NodeId, NodeKind};

/// The design file an export writes at the project's root.
pub const DESIGN_FILE: &str = "edgewire.ron";

/// What importing a folder with [`DESIGN_FILE`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundTrip {
    /// The design file used.
    pub file: PathBuf,
    /// What changed in the configurations, as applied (empty: the design as saved).
    pub changes: Vec<String>,
}

impl RoundTrip {
    pub fn render(&self) -> String {
        if self.changes.is_empty() {
            return format!(
                "{}: the configurations match it, so it is the design\n",
                self.file.display()
            );
        }
        let mut out = format!(
            "{}: started from it and applied {} change(s) found in the configurations:\n",
            self.file.display(),
            self.changes.len()
        );
        for change in &self.changes {
            let _ = writeln!(out, "  {change}");
        }
        out
    }
}

/// The design saved in the (first) folder imported, if it has one.
pub fn saved_design(paths: &[PathBuf]) -> Option<(PathBuf, Result<Design, FileError>)> {
    let file = paths.first()?.join(DESIGN_FILE);
    file.is_file()
        .then(|| (file.clone(), crate::format::load(&file)))
}

/// One binding as the configurations say it: its name, the kind it reaches, and for a
/// service the Worker it calls.
type Binding = (String, Kind, String);

/// The Workers a design deploys (by the name they are deployed as) with their bindings.
fn facts(design: &Design, exported: bool) -> BTreeMap<String, BTreeSet<Binding>> {
    let name = |id: &str| -> String {
        let code = matches!(
            design.node(id).map(|n| &n.kind),
            Some(NodeKind::Worker(w)) if w.is_code()
        );
        if exported && !code {
            crate::export::project::folder_of(id)
        } else {
            id.to_owned()
        }
    };
    let mut out: BTreeMap<String, BTreeSet<Binding>> = BTreeMap::new();
    for node in &design.nodes {
        let external = matches!(&node.kind, NodeKind::Worker(w) if w.code.as_ref().is_some_and(|c| c.external));
        if !node.kind.kind().is_worker() || external {
            continue;
        }
        let bindings = out.entry(name(&node.id)).or_default();
        for wire in design.wires_from(&node.id) {
            let Some(target) = design.node(&wire.to) else {
                continue;
            };
            let kind = target.kind.kind();
            let service = if kind.is_worker() {
                name(&target.id)
            } else {
                String::new()
            };
            bindings.insert((wire.binding.clone(), kind, service));
        }
    }
    out
}

/// What the configurations say: the design imported from them, and each Worker's first
/// rate limit (limit, period).
pub struct Configs<'a> {
    pub design: &'a Design,
    pub rate_limits: &'a BTreeMap<NodeId, (u32, u32)>,
}

/// Gateways take the rate limit their configuration now has (its `ratelimits` entry), or
/// lose theirs when it is gone.
fn rate_limits(
    saved: &mut Design,
    limits: &BTreeMap<NodeId, (u32, u32)>,
    configs: &BTreeSet<&String>,
    changes: &mut Vec<String>,
) {
    for node in &mut saved.nodes {
        let NodeKind::Gateway(gateway) = &mut node.kind else {
            continue;
        };
        let name = crate::export::project::folder_of(&node.id);
        if !configs.contains(&name) {
            continue;
        }
        let was = gateway
            .rate_limit
            .as_ref()
            .map(|l| (l.requests, l.period_secs));
        let now = limits.get(&name).copied();
        if was == now {
            continue;
        }
        if let Some((requests, period_secs)) = now {
            let key = gateway
                .rate_limit
                .as_ref()
                .map(|l| l.key)
                .unwrap_or_default();
            gateway.rate_limit = Some(crate::model::RateLimit {
                requests,
                period_secs,
                key,
            });
            changes.push(format!(
                "~ rate limit of {}: {requests} requests per {period_secs} s",
                node.id
            ));
        } else {
            gateway.rate_limit = None;
            changes.push(format!("- rate limit of {}", node.id));
        }
    }
}

/// The saved design, with what changed in the configurations applied.
pub fn reconcile(mut saved: Design, configs: &Configs<'_>, file: &Path) -> (Design, RoundTrip) {
    let imported = configs.design;
    let before = facts(&saved, true);
    let now = facts(imported, false);
    let mut round_trip = RoundTrip {
        file: file.to_path_buf(),
        changes: Vec::new(),
    };
    rate_limits(
        &mut saved,
        configs.rate_limits,
        &now.keys().collect(),
        &mut round_trip.changes,
    );
    if before == now {
        return (saved, round_trip);
    }
    // Saved node ids by deployed name, and imported ids to saved ids as they are matched.
    let by_name: BTreeMap<String, NodeId> = saved
        .nodes
        .iter()
        .filter(|n| n.kind.kind().is_worker())
        .map(|n| {
            let code = matches!(&n.kind, NodeKind::Worker(w) if w.is_code());
            let name = if code {
                n.id.clone()
            } else {
                crate::export::project::folder_of(&n.id)
            };
            (name, n.id.clone())
        })
        .collect();
    let mut ids: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    for name in now.keys() {
        if let Some(id) = by_name.get(name) {
            ids.insert(name.clone(), id.clone());
        }
    }
    let changes = &mut round_trip.changes;
    for (name, id) in &by_name {
        if now.contains_key(name) || !before.contains_key(name) {
            continue;
        }
        // Still bound by a Worker that is imported: another project's Worker now.
        let external = imported
            .node(name)
            .filter(|n| matches!(&n.kind, NodeKind::Worker(w) if w.code.as_ref().is_some_and(|c| c.external)));
        if let (Some(external), Some(node)) = (external, saved.node_mut(id)) {
            node.kind = external.kind.clone();
            saved.wires.retain(|w| &w.from != id);
            changes.push(format!(
                "~ Worker {id} is external now (its configuration is gone, but a Worker still binds it)"
            ));
        } else {
            saved.nodes.retain(|n| &n.id != id);
            saved.wires.retain(|w| &w.from != id && &w.to != id);
            changes.push(format!("- Worker {id} (its configuration is gone)"));
        }
    }
    let added: Vec<String> = now
        .keys()
        .filter(|n| !ids.contains_key(*n))
        .cloned()
        .collect();
    for name in &added {
        if let Some(node) = imported.node(name) {
            let id = saved.unique_id(&node.id);
            saved
                .nodes
                .push(crate::model::Node::new(id.clone(), node.kind.clone()));
            changes.push(format!("+ Worker {id} (a new configuration)"));
            ids.insert(name.clone(), id);
        }
    }
    // Stores: the saved one a kept binding of a matched Worker reaches.
    for wire in &imported.wires {
        let (Some(from), Some(target)) = (ids.get(&wire.from), imported.node(&wire.to)) else {
            continue;
        };
        if let Some(store) = saved.binding_target(from, &wire.binding)
            && store.kind.kind() == target.kind.kind()
            && target.kind.kind().is_store()
        {
            ids.entry(wire.to.clone())
                .or_insert_with(|| store.id.clone());
        }
    }
    let bound: BTreeSet<String> = saved.wires.iter().map(|w| w.to.clone()).collect();
    rewire(&mut saved, imported, &before, &now, &mut ids, changes);
    remove_unbound_stores(&mut saved, &bound, changes);
    saved.canonicalize();
    (saved, round_trip)
}

/// Wires removed and added where a Worker's bindings changed; a store the saved design does
/// not have is brought in from the imported one.
fn rewire(
    saved: &mut Design,
    imported: &Design,
    before: &BTreeMap<String, BTreeSet<Binding>>,
    now: &BTreeMap<String, BTreeSet<Binding>>,
    ids: &mut BTreeMap<NodeId, NodeId>,
    changes: &mut Vec<String>,
) {
    let empty = BTreeSet::new();
    for (name, bindings) in now {
        let Some(from) = ids.get(name).cloned() else {
            continue;
        };
        let old = before.get(name).unwrap_or(&empty);
        for (binding, kind, _) in old.difference(bindings) {
            saved
                .wires
                .retain(|w| !(w.from == from && &w.binding == binding));
            changes.push(format!("- {kind} binding {binding} of {from}"));
        }
        for (binding, kind, _) in bindings.difference(old) {
            let Some(wire) = imported.binding(name, binding) else {
                continue;
            };
            let target = if let Some(id) = ids.get(&wire.to) {
                id.clone()
            } else {
                let Some(node) = imported.node(&wire.to) else {
                    continue;
                };
                let id = saved.unique_id(&node.id);
                saved
                    .nodes
                    .push(crate::model::Node::new(id.clone(), node.kind.clone()));
                changes.push(format!("+ {kind} {id}"));
                ids.insert(wire.to.clone(), id.clone());
                id
            };
            saved
                .wires
                .retain(|w| !(w.from == from && &w.binding == binding));
            saved.wires.push(crate::model::Wire::new(
                from.clone(),
                target,
                binding.clone(),
            ));
            changes.push(format!("+ {kind} binding {binding} of {from}"));
        }
    }
}

/// Stores that were bound before and no wire reaches any more are removed with the
/// bindings that reached them.
fn remove_unbound_stores(saved: &mut Design, before: &BTreeSet<String>, changes: &mut Vec<String>) {
    let bound: BTreeSet<String> = saved.wires.iter().map(|w| w.to.clone()).collect();
    let gone: Vec<(String, Kind)> = saved
        .nodes
        .iter()
        .filter(|n| n.kind.kind().is_store() && before.contains(&n.id) && !bound.contains(&n.id))
        .map(|n| (n.id.clone(), n.kind.kind()))
        .collect();
    for (id, kind) in gone {
        saved.nodes.retain(|n| n.id != id);
        changes.push(format!("- {kind} {id} (no Worker binds it any more)"));
    }
}
