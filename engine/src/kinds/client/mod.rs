//! Everything the engine knows about a Client: who calls the API, from where, with what traffic. Its plain facts (label, badge,
//! colours) are its entry in [`crate::model::KINDS`]; what each layer does with it is here.

mod runtime;

use crate::model::Kind;

use super::NodeKindDef;

/// The Client kind.
pub struct Def;

impl NodeKindDef for Def {
    fn kind(&self) -> Kind {
        Kind::Client
    }
}

impl crate::export::KindExport for Def {}
impl crate::simulate::KindHop for Def {}
impl crate::validate::KindRules for Def {}
