//! Everything the engine does with a Note: a comment on the canvas, for the reader only. Its
//! plain facts (label, badge, colours) are its entry in [`crate::model::KINDS`].

mod export;
mod validate;

pub(crate) struct Def;

impl crate::runtime::KindRuntime for Def {}
impl crate::simulate::KindHop for Def {}
