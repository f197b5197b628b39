//! The world map's marks: the site symbols, arrow heads and the legend under the map.

use edgewire_engine::Kind;
use edgewire_engine::simulate::SimulationReport;
use edgewire_engine::simulate::geo::{MapLayout, SiteKind};
use eframe::egui::{self, Color32, Pos2, Rect, Sense, Shape, Stroke, vec2};

use crate::ui::theme::{Palette, SimulationPalette};

/// A filled arrow head pointing at `tip` from the direction of `from`, `short_of` points
/// before it.
pub(super) fn arrow_head(
    painter: &egui::Painter,
    from: Pos2,
    tip: Pos2,
    short_of: f32,
    size: f32,
    colour: Color32,
) {
    let direction = (tip - from).normalized();
    let tip = tip - direction * short_of;
    let across = vec2(-direction.y, direction.x) * size * 0.5;
    let back = tip - direction * size;
    painter.add(Shape::convex_polygon(
        vec![tip, back + across, back - across],
        colour,
        Stroke::NONE,
    ));
}

/// A site's symbol: a diamond for D1 (hollow for a replica), a triangle for a Hyperdrive
/// origin, a square for a placed Worker or the single region.
pub(super) fn symbol(
    painter: &egui::Painter,
    kind: SiteKind,
    c: Pos2,
    size: f32,
    palette: &Palette,
    colours: &SimulationPalette,
) {
    let outline = Stroke::new(1.5, colours.text);
    let shape = |points: Vec<Pos2>, fill: Color32, stroke: Stroke| {
        painter.add(Shape::convex_polygon(points, fill, stroke));
    };
    let diamond = vec![
        c + vec2(0.0, -size),
        c + vec2(size, 0.0),
        c + vec2(0.0, size),
        c + vec2(-size, 0.0),
    ];
    let square = |s: f32| Rect::from_center_size(c, vec2(2.0 * s, 2.0 * s));
    match kind {
        SiteKind::D1Primary => shape(diamond, palette.kind(Kind::D1), outline),
        SiteKind::D1Replica => shape(
            diamond,
            colours.label_bg,
            Stroke::new(2.0, palette.kind(Kind::D1)),
        ),
        SiteKind::HyperdriveOrigin => shape(
            vec![
                c + vec2(0.0, -size),
                c + vec2(size, size * 0.8),
                c + vec2(-size, size * 0.8),
            ],
            palette.kind(Kind::Hyperdrive),
            outline,
        ),
        SiteKind::PlacedWorker => {
            painter.rect(
                square(size * 0.8),
                1.0,
                palette.kind(Kind::Worker),
                outline,
                egui::StrokeKind::Middle,
            );
        }
        SiteKind::SingleRegion => {
            painter.rect(
                square(size),
                2.0,
                colours.single,
                outline,
                egui::StrokeKind::Middle,
            );
        }
    }
}

/// What the symbols and colours mean, under the map.
pub(super) fn legend_ui(ui: &mut egui::Ui, layout: MapLayout, report: &SimulationReport) {
    let palette = Palette::of(ui.visuals());
    let colours = SimulationPalette::of(ui.visuals());
    let swatch = |ui: &mut egui::Ui, draw: &dyn Fn(&egui::Painter, Pos2)| {
        let (rect, _) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
        draw(ui.painter(), rect.center());
    };
    // A swatch and its text, kept on one line; a new row when the line has no room for it
    // (a horizontal group inside a wrapped row does not wrap by itself).
    let item = |ui: &mut egui::Ui, draw: &dyn Fn(&egui::Painter, Pos2), text: &str| {
        let galley = egui::WidgetText::from(egui::RichText::new(text).small()).into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Small,
        );
        if ui.available_size_before_wrap().x < galley.size().x + 17.0 {
            ui.end_row();
        }
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 3.0;
            swatch(ui, draw);
            ui.small(text);
        });
    };
    let p50_colour = colours.latency(20.0);
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 10.0;
        item(
            ui,
            &|p, c| {
                p.circle(
                    c,
                    5.0,
                    p50_colour.gamma_multiply(0.45),
                    Stroke::new(1.5, p50_colour),
                );
            },
            "client region: size by traffic, colour by p50",
        );
        for (ms, text) in [(20.0, "< 40 ms"), (100.0, "100 ms"), (220.0, "≥ 200 ms")] {
            item(
                ui,
                &|p, c| {
                    p.circle_filled(c, 4.0, colours.latency(ms));
                },
                text,
            );
        }
        if layout == MapLayout::Global {
            item(
                ui,
                &|p, c| {
                    p.circle_stroke(c, 5.0, Stroke::new(1.5, colours.edge));
                },
                "edge next to the clients (Workers, KV)",
            );
        }
        item(
            ui,
            &|p, c| {
                let tip = c + vec2(6.0, 0.0);
                p.line_segment([c - vec2(6.0, 0.0), tip], Stroke::new(1.5, p50_colour));
                arrow_head(p, c, tip, 0.0, 6.0, p50_colour);
            },
            match layout {
                MapLayout::Global => "share of a region's requests that travel to another region",
                MapLayout::SingleRegion => "every request travels to the single region (its p50)",
            },
        );
        let mut sites = match layout {
            MapLayout::Global => vec![
                (SiteKind::D1Primary, "D1 primary (writes)"),
                (SiteKind::D1Replica, "D1 read replica"),
                (SiteKind::HyperdriveOrigin, "Hyperdrive origin"),
            ],
            MapLayout::SingleRegion => vec![(SiteKind::SingleRegion, "the single region")],
        };
        if layout == MapLayout::Global && !report.placement.workers.is_empty() {
            sites.push((SiteKind::PlacedWorker, "Smart Placement"));
        }
        for (kind, text) in sites {
            item(
                ui,
                &|p, c| symbol(p, kind, c, 5.0, &palette, &colours),
                text,
            );
        }
        if let Some(failure) = &report.options.failure {
            item(
                ui,
                &|p, c| {
                    p.circle_stroke(c, 5.0, Stroke::new(2.0, colours.failing));
                },
                &format!("{} fails", failure.node),
            );
        }
    });
}
