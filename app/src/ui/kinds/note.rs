//! Note: a sheet icon; drawn as a sticky note showing its text; the form edits the text.

use edgewire_engine::NodeKind;
use eframe::egui::{self, Stroke};

use super::KindUi;
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{FormContext, section};

pub struct NoteUi;

impl KindUi for NoteUi {
    fn icon(&self, pen: &Pen<'_>) {
        // A sheet with a folded corner.
        pen.closed_line(vec![
            pen.p(-0.65, -0.85),
            pen.p(0.3, -0.85),
            pen.p(0.65, -0.5),
            pen.p(0.65, 0.85),
            pen.p(-0.65, 0.85),
        ]);
        for y in [-0.25, 0.1, 0.45] {
            pen.painter.line_segment(
                [pen.p(-0.4, y), pen.p(0.4, y)],
                Stroke::new(pen.stroke.width * 0.7, pen.color),
            );
        }
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        self.note_text(kind)
            .map(str::to_owned)
            .into_iter()
            .collect()
    }

    fn note_text<'a>(&self, kind: &'a NodeKind) -> Option<&'a str> {
        if let NodeKind::Note(note) = kind {
            Some(&note.text)
        } else {
            None
        }
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, _cx: &FormContext<'_>) {
        if let NodeKind::Note(note) = kind {
            section(ui, "Note");
            ui.add(
                egui::TextEdit::multiline(&mut note.text)
                    .desired_rows(6)
                    .desired_width(f32::INFINITY),
            )
            .accessible_name("Note");
        }
    }
}
