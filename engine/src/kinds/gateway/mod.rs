//! Everything the engine does with an API Gateway: the public entry that checks, authenticates
//! and forwards. Its plain facts (label, badge, colours) are its entry in
//! [`crate::model::KINDS`].

mod export;
pub(crate) mod runtime;
mod validate;

pub(crate) struct Def;

impl crate::simulate::KindHop for Def {}
