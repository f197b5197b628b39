//! Everything the engine does with a service Worker: routes and their handlers. Its plain facts
//! (label, badge, colours) are its entry in [`crate::model::KINDS`].

mod export;
pub(crate) mod runtime;
mod validate;

pub(crate) struct Def;

impl crate::simulate::KindHop for Def {}
