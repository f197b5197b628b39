//! Everything the engine does with a D1 database: relational data in SQLite. Its plain facts
//! (label, badge, colours) are its entry in [`crate::model::KINDS`].

mod export;

pub(crate) struct Def;

impl crate::runtime::KindRuntime for Def {}
impl crate::simulate::KindHop for Def {}
impl crate::validate::KindRules for Def {}
