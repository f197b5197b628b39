//! The node kinds, one folder each, and the registry that lists them.
//!
//! A kind's folder says everything the engine does with nodes of that kind, layer by layer:
//! the validation rules about it, the binding the local engine opens for it, its wrangler
//! entry and `Env` type in the export, its hop in the simulator. Each layer states what it
//! needs from a kind as a trait of its own ([`crate::validate::KindRules`],
//! [`crate::runtime::KindRuntime`], [`crate::export::kind::KindExport`],
//! [`crate::simulate::KindHop`]); a kind's `Def` implements them, and the layers reach a
//! kind only through [`def`] and [`of`]. Plain facts (label, id base, default binding,
//! colours, diagram shape) are the kind's entry in [`crate::model::KINDS`], where the model
//! and the app read them.
//!
//! Adding a kind: a new folder here whose `mod.rs` declares `pub(crate) struct Def;` and
//! whose files implement the layers' traits for it, and one line in [`REGISTRY`].

pub mod client;
pub mod d1;
pub mod gateway;
pub mod hyperdrive;
pub mod kv;
pub mod note;
pub mod worker;

use crate::model::{Kind, NodeKind};

/// What the engine does with one kind of node: every layer's trait.
pub(crate) trait NodeKindDef:
    crate::validate::KindRules
    + crate::runtime::KindRuntime
    + crate::export::kind::KindExport
    + crate::simulate::KindHop
    + Sync
{
}

impl<T> NodeKindDef for T where
    T: crate::validate::KindRules
        + crate::runtime::KindRuntime
        + crate::export::kind::KindExport
        + crate::simulate::KindHop
        + Sync
{
}

/// Every kind with what the engine does with it, in [`Kind`]'s order.
pub(crate) static REGISTRY: [(Kind, &dyn NodeKindDef); Kind::ALL.len()] = [
    (Kind::Client, &client::Def),
    (Kind::Gateway, &gateway::Def),
    (Kind::Worker, &worker::Def),
    (Kind::Kv, &kv::Def),
    (Kind::D1, &d1::Def),
    (Kind::Hyperdrive, &hyperdrive::Def),
    (Kind::Note, &note::Def),
];

/// What the engine does with nodes of `kind`.
pub(crate) fn def(kind: Kind) -> &'static dyn NodeKindDef {
    REGISTRY[kind as usize].1
}

/// What the engine does with `node`'s kind.
pub(crate) fn of(node: &NodeKind) -> &'static dyn NodeKindDef {
    def(node.kind())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_sits_at_its_own_index() {
        for (index, (kind, _)) in REGISTRY.iter().enumerate() {
            assert_eq!(*kind as usize, index, "{kind}");
            assert_eq!(Kind::ALL[index], *kind);
        }
    }
}
