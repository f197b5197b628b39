//! Everything the engine knows about a KV namespace: read-heavy key-value data. Its plain facts (label, badge,
//! colours) are its entry in [`crate::model::KINDS`]; what each layer does with it is here.

pub(crate) mod runtime;

use crate::model::Kind;

use super::NodeKindDef;

/// The KV namespace kind.
pub struct Def;

impl NodeKindDef for Def {
    fn kind(&self) -> Kind {
        Kind::Kv
    }
}

impl crate::export::KindExport for Def {}
impl crate::simulate::KindHop for Def {}
impl crate::validate::KindRules for Def {}
