//! The Note in the exported project: its text goes into the README and the public Workers'
//! `wrangler.jsonc` header.

use crate::export::kind::KindExport;
use crate::model::{Node, NodeKind};

impl KindExport for super::Def {
    fn design_note<'n>(&self, node: &'n Node) -> Option<&'n str> {
        match &node.kind {
            NodeKind::Note(text) => Some(&text.text),
            _ => None,
        }
    }
}
