//! What the local engine needs from each node kind ([`crate::kinds`] implements it per kind).

/// A node kind's part in the local engine.
pub trait KindRuntime {}
