//! Smart Placement in the simulator. A Worker with `placement: Smart` (or every Worker that
//! queries a D1 database or Hyperdrive, with the what-if switched on) runs in the region of
//! the store it queries most: a request pays the way from its caller's location once (the
//! client's edge, for the entry), then each query to that store is a round trip inside one
//! region. Workers it calls through service bindings run where it runs, unless placed
//! themselves.

use std::collections::BTreeMap;

use super::paths::Hop;
use super::{Mode, Placement, REGIONS, Resolved, Tables, WorkerPlacementReport};
use crate::model::{Design, NodeKind, Step, WorkerPlacement, walk_steps};

/// Places the Workers that Smart Placement moves (after the stores are placed), and sorts
/// the placement report.
pub(super) fn place_workers(
    design: &Design,
    smart_what_if: Option<bool>,
    resolved: &mut Resolved,
    placement: &mut Placement,
    warnings: &mut Vec<String>,
) {
    for node in &design.nodes {
        let NodeKind::Worker(worker) = &node.kind else {
            continue;
        };
        let smart = smart_what_if.unwrap_or(worker.placement == WorkerPlacement::Smart);
        if !smart {
            continue;
        }
        // Queries per store over all the Worker's routes.
        let mut queries: BTreeMap<&str, usize> = BTreeMap::new();
        for route in &worker.routes {
            walk_steps(&route.steps, &mut |_, step| {
                if let Step::D1 { binding, .. } | Step::Hyperdrive { binding, .. } = step
                    && let Some(wire) = design.binding(&node.id, binding)
                {
                    *queries.entry(wire.to.as_str()).or_default() += 1;
                }
            });
        }
        let near = queries
            .iter()
            .filter_map(|(store, n)| {
                let region = resolved
                    .d1
                    .get(*store)
                    .map(|d1| d1.primary)
                    .or_else(|| resolved.hyperdrive.get(*store).map(|h| h.0))?;
                Some((*n, *store, region))
            })
            .max_by_key(|(n, store, _)| (*n, std::cmp::Reverse(*store)));
        match near {
            Some((_, store, region)) => {
                resolved.placed.insert(node.id.clone(), region);
                placement.workers.push(WorkerPlacementReport {
                    node: node.id.clone(),
                    region: REGIONS[region].to_owned(),
                    near: store.to_owned(),
                });
            }
            None if smart_what_if.is_none() => warnings.push(format!(
                "Worker `{}` has Smart Placement but queries no D1 database or Hyperdrive; it runs next to the client",
                node.id
            )),
            None => {}
        }
    }
    placement.d1.sort_by(|a, b| a.node.cmp(&b.node));
    placement.hyperdrive.sort_by(|a, b| a.node.cmp(&b.node));
}

/// Where each hop starts: the region its Worker runs in. A Worker hop itself costs the way
/// from its caller's region to its own when Smart Placement moved it (in the global design).
pub(super) struct Locations<'p> {
    client: usize,
    at: BTreeMap<&'p str, usize>,
}

impl<'p> Locations<'p> {
    pub(super) fn new(client: usize) -> Self {
        Self {
            client,
            at: BTreeMap::new(),
        }
    }

    /// The region `hop` starts from, and the extra network time of entering a Worker that
    /// runs elsewhere than its caller.
    pub(super) fn enter(
        &mut self,
        hop: &'p Hop,
        mode: Mode,
        tables: &Tables,
        resolved: &Resolved,
    ) -> (usize, Option<f64>) {
        let of = |at: &BTreeMap<&str, usize>, worker: &str| at.get(worker).copied();
        match hop {
            Hop::Worker { node, caller, .. } => {
                let from = caller
                    .as_deref()
                    .and_then(|c| of(&self.at, c))
                    .unwrap_or(self.client);
                let here = match mode {
                    Mode::Global => resolved.placed.get(node).copied().unwrap_or(from),
                    Mode::SingleRegion(_) => from,
                };
                self.at.insert(node, here);
                let way = (here != from).then(|| tables.rtt_ms(from, here));
                (here, way)
            }
            Hop::D1 { by, .. } | Hop::Hyperdrive { by, .. } => {
                (of(&self.at, by).unwrap_or(self.client), None)
            }
            _ => (self.client, None),
        }
    }
}
