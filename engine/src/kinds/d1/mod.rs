//! Everything the engine does with a D1 database: relational data in SQLite. Its plain facts
//! (label, badge, colours) are its entry in [`crate::model::KINDS`].

mod export;
pub(crate) mod runtime;
mod simulate;
pub(crate) mod validate;

pub(crate) struct Def;
