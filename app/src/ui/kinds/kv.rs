//! KV namespace: a key icon; the card shows its seed; the form edits the seed entries.

use edgewire_engine::NodeKind;
use edgewire_engine::model::{Kv, KvEntry};
use eframe::egui::{self, RichText};

use super::{KindUi, plural};
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{self, FormContext, section};

pub struct KvUi;

impl KindUi for KvUi {
    fn icon(&self, pen: &Pen<'_>) {
        // A key.
        pen.circle(pen.p(-0.45, 0.0), 0.36);
        pen.segment(pen.p(-0.09, 0.0), pen.p(0.85, 0.0));
        pen.segment(pen.p(0.55, 0.0), pen.p(0.55, 0.35));
        pen.segment(pen.p(0.8, 0.0), pen.p(0.8, 0.3));
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        let NodeKind::Kv(kv) = kind else {
            return Vec::new();
        };
        vec![if kv.seed.is_empty() {
            "empty namespace".to_owned()
        } else {
            plural(kv.seed.len(), "seed entry", "seed entries")
        }]
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, _cx: &FormContext<'_>) {
        if let NodeKind::Kv(kv) = kind {
            kv_ui(ui, kv);
        }
    }
}

fn kv_ui(ui: &mut egui::Ui, kv: &mut Kv) {
    section(ui, "Seed entries");
    let mut remove = None;
    egui::Grid::new("kv_seed")
        .num_columns(3)
        .striped(true)
        .spacing([6.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Key").strong());
            ui.label(RichText::new("Value").strong());
            ui.label("");
            ui.end_row();
            for (index, entry) in kv.seed.iter_mut().enumerate() {
                ui.push_id(("kv", index), |ui| {
                    fields::code_field(ui, &mut entry.key, 110.0, "Key");
                });
                ui.push_id(("kv_value", index), |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut entry.value)
                            .font(egui::TextStyle::Monospace)
                            .desired_rows(1)
                            .desired_width(150.0),
                    )
                    .accessible_name("Seed value");
                });
                if ui.small_button("×").on_hover_text("Remove entry").clicked() {
                    remove = Some(index);
                }
                ui.end_row();
            }
        });
    if let Some(index) = remove {
        kv.seed.remove(index);
    }
    if ui.small_button("+ Entry").clicked() {
        let key = (1..=10_000)
            .map(|n| format!("key:{n}"))
            .find(|k| !kv.seed.iter().any(|e| e.key == *k))
            .unwrap_or_default();
        kv.seed.push(KvEntry {
            key,
            value: String::new(),
        });
    }
}
