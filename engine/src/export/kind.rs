//! What the exporter needs from each node kind ([`crate::kinds`] implements it per kind).

/// A node kind's part in the exported project.
pub trait KindExport {}
