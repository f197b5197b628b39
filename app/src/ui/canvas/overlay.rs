//! The Run overlay on the canvas: the selected trace's wires, request dots travelling
//! along wires, failing nodes flashing, and a metrics line under each card.

use eframe::egui::epaint::CubicBezierShape;
use eframe::egui::{self, Align2, Color32, FontId, Stroke};

use super::CanvasState;
use crate::ui::document::Document;

const HIGHLIGHT: Color32 = Color32::from_rgb(250, 200, 60);
const DOT: Color32 = Color32::from_rgb(255, 230, 120);
const FLASH: Color32 = Color32::from_rgb(230, 60, 60);

impl CanvasState {
    /// Paint the Run overlay in canvas coordinates.
    pub(super) fn paint_overlay(&self, painter: &egui::Painter, doc: &Document) {
        let text = super::text::SceneText::at_zoom(self.zoom);
        let overlay = &self.overlay;
        if overlay.is_empty() {
            return;
        }
        let width = 1.0 / self.zoom.max(0.1);
        for (from, to) in &overlay.highlighted {
            if let Some((a, b, _, _)) = self.wire_ends(doc, from, to) {
                painter.add(CubicBezierShape::from_points_stroke(
                    super::card::wire_points(a, b),
                    false,
                    Color32::TRANSPARENT,
                    Stroke::new(4.0 * width, HIGHLIGHT.gamma_multiply(0.8)),
                ));
            }
        }
        for (from, to, t) in &overlay.dots {
            if let Some((a, b, _, _)) = self.wire_ends(doc, from, to) {
                let curve = CubicBezierShape::from_points_stroke(
                    super::card::wire_points(a, b),
                    false,
                    Color32::TRANSPARENT,
                    Stroke::NONE,
                );
                let p = curve.sample(*t);
                painter.circle_filled(p, 6.0 * width.max(0.6), DOT);
                painter.circle_stroke(p, 6.0 * width.max(0.6), Stroke::new(width, Color32::BLACK));
            }
        }
        for (node, strength) in &overlay.flashing {
            if let Some(n) = doc.design.node(node) {
                let rect = self.node_rect(n, &doc.design.layout).expand(4.0);
                painter.rect_stroke(
                    rect,
                    8.0,
                    Stroke::new(4.0 * width.max(0.5), FLASH.gamma_multiply(*strength)),
                    egui::StrokeKind::Outside,
                );
            }
        }
        for (node, line) in &overlay.metrics {
            if let Some(n) = doc.design.node(node) {
                let rect = self.node_rect(n, &doc.design.layout);
                text.text(
                    painter,
                    rect.center_bottom() + egui::vec2(0.0, 4.0),
                    Align2::CENTER_TOP,
                    line,
                    FontId::monospace(10.0),
                    HIGHLIGHT,
                );
            }
        }
    }
}
