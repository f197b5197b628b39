//! What the simulator needs from each node kind ([`crate::kinds`] implements it per kind).

/// A node kind's part in the simulator.
pub trait KindHop {}
