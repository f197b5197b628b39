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
}
