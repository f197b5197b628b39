//! What validation needs from each node kind ([`crate::kinds`] implements it per kind).

/// A node kind's rules.
pub trait KindRules {}
