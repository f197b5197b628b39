//! Everything the engine does with a Client: who calls the API, from where, with what traffic.
//! Its plain facts (label, badge, colours) are its entry in [`crate::model::KINDS`].

mod export;
mod runtime;
mod validate;

pub(crate) struct Def;

impl crate::simulate::KindHop for Def {}
