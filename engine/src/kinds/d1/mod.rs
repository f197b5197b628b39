//! Everything the engine knows about a D1 database: relational data in SQLite. Its plain facts (label, badge,
//! colours) are its entry in [`crate::model::KINDS`]; what each layer does with it is here.

pub(crate) mod runtime;

use crate::model::Kind;

use super::NodeKindDef;

/// The D1 database kind.
pub struct Def;

impl NodeKindDef for Def {
    fn kind(&self) -> Kind {
        Kind::D1
    }
}

impl crate::export::KindExport for Def {}
impl crate::simulate::KindHop for Def {}
impl crate::validate::KindRules for Def {}
