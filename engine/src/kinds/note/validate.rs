//! Notes: free text for the architect.

use crate::model::NodeKind;

use crate::validate::context::Ctx;
use crate::validate::run::Rule;
use crate::validate::{Diagnostic, Severity, Target};

/// NOT001 (info): a Note without text shows an empty box on the canvas.
pub fn empty_notes(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        if let NodeKind::Note(note) = &node.kind
            && note.text.trim().is_empty()
        {
            out.push(
                Diagnostic::new(
                    "NOT001",
                    Severity::Info,
                    Target::Node {
                        node: node.id.clone(),
                    },
                    "this note is empty",
                )
                .help("write what the reader should know, for example \"Products are cached in KV for 5 minutes\", or delete the note"),
            );
        }
    }
}

impl crate::validate::KindRules for super::Def {
    fn design_rules(&self) -> &'static [Rule] {
        &[empty_notes]
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Node, NodeKind, Note};
    use crate::validate::testkit::{base, reported_after};

    #[test]
    fn empty_note_is_an_info() {
        let mut design = base();
        design.nodes.push(Node::new(
            "about",
            NodeKind::Note(Note {
                text: "Items are cached in KV".into(),
            }),
        ));
        reported_after(design, "NOT001", |design| {
            design
                .nodes
                .push(Node::new("blank", NodeKind::Note(Note::default())));
        });
    }
}
