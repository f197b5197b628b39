//! What the simulator needs from each node kind ([`crate::kinds`] implements it per kind):
//! where its nodes are placed, and what one of its hops costs in network time.

use std::collections::BTreeMap;

use super::data::Tables;
use super::paths::Hop;
use super::{Mode, Placement, Resolved, WhatIf};
use crate::model::Node;

/// What placing a node sees and where it writes.
pub(crate) struct Placing<'a> {
    pub options: &'a WhatIf,
    pub tables: &'a Tables,
    /// The region with the most traffic (automatic placement goes near it).
    pub busiest: usize,
    /// Requests per second by client region.
    pub traffic_by_region: &'a BTreeMap<usize, f64>,
    /// The Hyperdrive cache hit ratio of the run.
    pub hit_ratio: f64,
    pub warnings: &'a mut Vec<String>,
    pub resolved: &'a mut Resolved,
    pub placement: &'a mut Placement,
}

/// A node kind's part in the simulator.
pub(crate) trait KindHop {
    /// Place `node` (its region, its options) for the run.
    fn place(&self, _node: &Node, _at: &mut Placing<'_>) {}

    /// The network time of `hop` (one of this kind's) for a client in `client`, as
    /// (milliseconds, probability) pairs; `None` when it crosses no network (a hop at the
    /// edge).
    fn leg(
        &self,
        _hop: &Hop,
        _client: usize,
        _mode: Mode,
        _tables: &Tables,
        _resolved: &Resolved,
    ) -> Option<Vec<(f64, f64)>> {
        None
    }

    /// Where `hop` (one of this kind's, starting in `from`) is served, for the failure
    /// what-if ([`super::failure`]): its possible outcomes, each with the regions it touches
    /// and its chance (the chances sum to 1). By default a hop is served where it starts in
    /// the global design (the Worker's location: the edge next to the client, or where Smart
    /// Placement runs it), and in the one region in the single-region design.
    fn served_in(
        &self,
        _hop: &Hop,
        from: usize,
        mode: Mode,
        _tables: &Tables,
        _resolved: &Resolved,
    ) -> Vec<(Vec<usize>, f64)> {
        match mode {
            Mode::Global => vec![(vec![from], 1.0)],
            Mode::SingleRegion(r) => vec![(vec![r], 1.0)],
        }
    }
}
