//! Everything the engine does with a Hyperdrive: an existing PostgreSQL reached through a pool.
//! Its plain facts (label, badge, colours) are its entry in [`crate::model::KINDS`].

mod export;
pub(crate) mod runtime;
mod simulate;
mod validate;

pub(crate) struct Def;
