//! Hyperdrive: a lightning icon; the card shows the origin and the query cache; the form
//! edits the origin, the cache and the seed SQL of a local origin.

use edgewire_engine::NodeKind;
use edgewire_engine::model::{Hyperdrive, Origin};
use eframe::egui::{self, DragValue, Shape, Stroke};

use super::KindUi;
use crate::ui::icons::Pen;
use crate::ui::inspector::fields::{self, FormContext, section};

pub struct HyperdriveUi;

impl KindUi for HyperdriveUi {
    fn icon(&self, pen: &Pen<'_>) {
        // A lightning bolt: accelerated access to a far database.
        let bolt = vec![
            pen.p(0.15, -0.95),
            pen.p(-0.55, 0.12),
            pen.p(-0.02, 0.12),
            pen.p(-0.15, 0.95),
            pen.p(0.55, -0.12),
            pen.p(0.02, -0.12),
        ];
        pen.painter.add(Shape::convex_polygon(
            bolt.clone(),
            pen.color.gamma_multiply(0.35),
            Stroke::NONE,
        ));
        pen.closed_line(bolt);
    }

    fn summary(&self, kind: &NodeKind) -> Vec<String> {
        let NodeKind::Hyperdrive(hd) = kind else {
            return Vec::new();
        };
        let origin = match &hd.origin {
            Origin::Auto => "local PostgreSQL".to_owned(),
            Origin::ConnectionString { secret } => format!("origin ${secret}"),
        };
        let cache = if hd.caching.enabled {
            format!("cache {}s", hd.caching.max_age_secs)
        } else {
            "no cache".to_owned()
        };
        vec![origin, format!("{} · {cache}", hd.origin_region)]
    }

    fn form_ui(&self, ui: &mut egui::Ui, kind: &mut NodeKind, _cx: &FormContext<'_>) {
        if let NodeKind::Hyperdrive(hd) = kind {
            hyperdrive_ui(ui, hd);
        }
    }
}

fn hyperdrive_ui(ui: &mut egui::Ui, hd: &mut Hyperdrive) {
    section(ui, "Origin");
    let mut auto = matches!(hd.origin, Origin::Auto);
    fields::form_grid("hd_grid").show(ui, |ui| {
        ui.label("Database");
        fields::named(
            egui::ComboBox::from_id_salt("hd_origin")
                .selected_text(if auto {
                    "local PostgreSQL (auto)"
                } else {
                    "connection string"
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut auto, true, "local PostgreSQL (auto)");
                    ui.selectable_value(&mut auto, false, "connection string");
                }),
            "Origin database",
        );
        ui.end_row();
        if auto != matches!(hd.origin, Origin::Auto) {
            hd.origin = if auto {
                Origin::Auto
            } else {
                Origin::ConnectionString {
                    secret: "DATABASE_URL".into(),
                }
            };
        }
        if let Origin::ConnectionString { secret } = &mut hd.origin {
            ui.label("Secret name");
            fields::code_line(ui, secret, "Secret")
                .on_hover_text("The connection string is read from this secret");
            ui.end_row();
        }
        ui.label("Origin region");
        fields::text(ui, &mut hd.origin_region, "Origin region");
        ui.end_row();
    });
    section(ui, "Query cache");
    ui.checkbox(&mut hd.caching.enabled, "Cache read-only queries");
    ui.add_enabled_ui(hd.caching.enabled, |ui| {
        fields::form_grid("hd_cache").show(ui, |ui| {
            ui.label("max_age (s)");
            ui.add(DragValue::new(&mut hd.caching.max_age_secs).range(0..=3600))
                .accessible_name("Max age seconds");
            ui.end_row();
            ui.label("stale_while_revalidate (s)");
            ui.add(DragValue::new(&mut hd.caching.stale_while_revalidate_secs).range(0..=3600))
                .accessible_name("Stale while revalidate seconds");
            ui.end_row();
        });
    });
    if matches!(hd.origin, Origin::Auto) {
        section(ui, "Seed SQL (auto origin)");
        fields::sql(ui, &mut hd.seed, 5, "Seed SQL");
    }
}
