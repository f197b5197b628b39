//! D1 database: a cylinder icon; the card shows migrations, location and seed; the form
//! edits the location, migrations and seed SQL.

use edgewire_engine::NodeKind;
use edgewire_engine::model::{D1, D1_LOCATION_HINTS, Migration};
use eframe::egui::{self, RichText};

use super::{KindUi, plural};
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{self, FormContext, apply_action, item_buttons, section};

pub struct D1Ui;

impl KindUi for D1Ui {
    fn icon(&self, pen: &Pen<'_>) {
        // A database cylinder.
        let ellipse = |y: f32, top: bool| -> Vec<_> {
            (0..=20)
                .map(|i| {
                    let a = std::f32::consts::PI * (i as f32 / 20.0);
                    let dy = if top { -a.sin() } else { a.sin() };
                    pen.p(-0.7 * a.cos(), y + 0.22 * dy)
                })
                .collect()
        };
        let mut top = ellipse(-0.55, true);
        top.extend(ellipse(-0.55, false).into_iter().rev());
        pen.closed_line(top);
        pen.line(ellipse(0.0, false));
        pen.line(ellipse(0.55, false));
        pen.segment(pen.p(-0.7, -0.55), pen.p(-0.7, 0.55));
        pen.segment(pen.p(0.7, -0.55), pen.p(0.7, 0.55));
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        let NodeKind::D1(d1) = kind else {
            return Vec::new();
        };
        let mut lines = vec![plural(d1.migrations.len(), "migration", "migrations")];
        let location = d1.location_hint.as_deref().unwrap_or("auto location");
        lines.push(if d1.read_replication {
            format!("{location} · read replicas")
        } else {
            location.to_owned()
        });
        if !d1.seed.is_empty() {
            lines.push("seeded".into());
        }
        lines
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, _cx: &FormContext<'_>) {
        if let NodeKind::D1(d1) = kind {
            d1_ui(ui, d1);
        }
    }
}

fn d1_ui(ui: &mut egui::Ui, d1: &mut D1) {
    section(ui, "Location");
    fields::form_grid("d1_grid").show(ui, |ui| {
        ui.label("Primary location hint");
        fields::optional_choice(
            ui,
            "d1_hint",
            &mut d1.location_hint,
            ("automatic", &D1_LOCATION_HINTS),
            "Primary location hint",
        );
        ui.end_row();
        ui.label("");
        ui.checkbox(&mut d1.read_replication, "Read replicas (Sessions API)");
        ui.end_row();
    });
    section(ui, "Migrations");
    let len = d1.migrations.len();
    let mut action = (0, None);
    for (index, migration) in d1.migrations.iter_mut().enumerate() {
        ui.push_id(("migration", index), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{:04}_", index + 1)).monospace());
                fields::code_field(ui, &mut migration.name, 140.0, "Name");
                if let Some(a) = item_buttons(ui, index, len, "migration") {
                    action = (index, Some(a));
                }
            });
            fields::sql(ui, &mut migration.sql, 4, "Migration SQL");
        });
    }
    apply_action(&mut d1.migrations, action.0, action.1);
    if ui.small_button("+ Migration").clicked() {
        d1.migrations.push(Migration {
            name: format!("migration_{}", len + 1),
            sql: String::new(),
        });
    }
    section(ui, "Seed SQL");
    fields::sql(ui, &mut d1.seed, 4, "Seed SQL");
}
