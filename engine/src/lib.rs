//! Edgewire's engine: everything Edgewire does, without a UI.
//!
//! # Layout
//! - [`model`]: the design model (nodes, wires, layout) and the handler language.
//! - `cache`: bounded process-wide memos of work that depends only on a text.
//! - [`contract`]: checking requests against a route's contract (typed parameters, body schema).
//! - [`mod@format`]: loading and saving `.ron` design files (canonical, atomic, precise errors).
//! - [`edit`]: edits as data ([`edit::Edit`]), applied by [`model::Design::apply`].
//! - [`graph`]: the petgraph view of a design that the algorithms use.
//! - `kinds`: the node kinds, one folder each, and the registry the layers read them from.
//! - [`validate`]: rules that turn a design into [`validate::Diagnostics`].
//! - [`runtime`]: the local engine that runs a design over HTTP on 127.0.0.1.
//! - [`simulate`]: the global latency and cost simulator.
//! - [`export`]: the multi-Worker Wrangler project generator.
//! - [`openapi`]: the OpenAPI 3.1 document of what clients of a design see.
//! - [`regions`]: the world regions of Clients and origins (the round-trip table's rows).
//! - [`semantics`]: constants shared by the local engine and the exporter.
//! - [`secrets`]: the `.dev.vars` file of secrets beside a design.
//! - `testing` (the `test-support` feature): designs built in code for tests and benchmarks.

mod cache;
pub mod contract;
pub mod diagram;
pub mod edit;
pub mod export;
pub mod format;
pub mod generate;
pub mod graph;
pub mod import;
pub(crate) mod kinds;
pub mod model;
pub mod openapi;
pub mod regions;
pub mod runtime;
pub mod secrets;
pub mod semantics;
pub mod simulate;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod validate;

pub use model::{Design, Kind, Node, NodeId, NodeKind, Pos, Wire};
