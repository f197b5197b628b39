//! Everything the engine knows about an API Gateway: the public entry that checks, authenticates and forwards. Its plain facts (label, badge,
//! colours) are its entry in [`crate::model::KINDS`]; what each layer does with it is here.

pub(crate) mod runtime;

use crate::model::Kind;

use super::NodeKindDef;

/// The Gateway kind.
pub struct Def;

impl NodeKindDef for Def {
    fn kind(&self) -> Kind {
        Kind::Gateway
    }
}

impl crate::export::KindExport for Def {}
impl crate::simulate::KindHop for Def {}
impl crate::validate::KindRules for Def {}
