//! The node kinds, one folder each, and the registry that lists them.
//!
//! A kind's folder says everything the engine does with nodes of that kind, layer by layer:
//! the validation rules about it, the binding the local engine opens for it, its wrangler
//! entry and `Env` type in the export, its hop in the simulator. Each layer states what it
//! needs from a kind as a trait of its own ([`crate::validate::KindRules`],
//! [`crate::runtime::KindRuntime`], [`crate::export::kind::KindExport`],
//! [`crate::simulate::KindHop`]); a kind's `Def` implements them, and the layers reach a
//! kind only through [`def`]. Plain facts (label, id base, default binding, colours,
//! diagram shape) are the kind's entry in [`crate::model::KINDS`], where the model and the
//! app read them.
//!
//! Adding a kind: a new folder here with its `Def`, and one line in [`REGISTRY`].

pub mod client;
pub mod d1;
pub mod gateway;
pub mod hyperdrive;
pub mod kv;
pub mod note;
pub mod worker;

use crate::model::{Kind, NodeKind};

/// What the engine does with one kind of node: every layer's trait, and which kind it is.
pub(crate) trait NodeKindDef:
    crate::validate::KindRules
    + crate::runtime::KindRuntime
    + crate::export::kind::KindExport
    + crate::simulate::KindHop
    + Sync
{
    fn kind(&self) -> Kind;
}

/// Every kind, in [`Kind`]'s order.
pub(crate) static REGISTRY: [&dyn NodeKindDef; Kind::ALL.len()] = [
    &client::Def,
    &gateway::Def,
    &worker::Def,
    &kv::Def,
    &d1::Def,
    &hyperdrive::Def,
    &note::Def,
];

/// What the engine does with nodes of `kind`.
pub(crate) fn def(kind: Kind) -> &'static dyn NodeKindDef {
    let def = REGISTRY[kind as usize];
    debug_assert_eq!(
        def.kind(),
        kind,
        "the registry lists kinds in `Kind`'s order"
    );
    def
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
        for (index, def) in REGISTRY.iter().enumerate() {
            assert_eq!(def.kind() as usize, index, "{}", def.kind().label());
            assert_eq!(Kind::ALL[index], def.kind());
        }
    }
}
