//! The Run overlay on the canvas: the selected trace's wires, request dots travelling
//! along wires, failing nodes flashing, and a metrics line under each card.

use eframe::egui::epaint::CubicBezierShape;
use eframe::egui::{self, Align2, Color32, FontId, Stroke};

use super::CanvasState;
use crate::ui::document::Document;

const HIGHLIGHT: Color32 = Color32::from_rgb(250, 200, 60);
const DOT: Color32 = Color32::from_rgb(255, 230, 120);
const FLASH: Color32 = Color32::from_rgb(230, 60, 60);
const FAULT: Color32 = crate::ui::run::faults::FAULT_COLOUR;

impl CanvasState {
    /// The fault set on a node in the local run (`down`, `error`, `slow 500 ms`).
    pub(super) fn fault_of(&self, node: &str) -> Option<&str> {
        self.overlay
            .faults
            .iter()
            .find(|(id, _)| id == node)
            .map(|(_, fault)| fault.as_str())
    }

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
            let stroke = Stroke::new(4.0 * width.max(0.5), FLASH.gamma_multiply(*strength));
            self.ring(painter, doc, node, 4.0, stroke);
        }
        for (node, fault) in &overlay.faults {
            let stroke = Stroke::new(3.0 * width.max(0.5), FAULT);
            if let Some(rect) = self.ring(painter, doc, node, 2.0, stroke) {
                // A red pill above the card's right corner says what is wrong.
                pill(
                    painter,
                    text,
                    format!("FAULT: {}", fault.to_uppercase()),
                    (11.0, FAULT, Color32::WHITE),
                    (
                        rect.right_top() - egui::vec2(6.0, 6.0),
                        Align2::RIGHT_BOTTOM,
                    ),
                );
            }
        }
        if let Some(replay) = &overlay.replay {
            self.paint_replay(painter, doc, replay, text, width);
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

    /// A ring `gap` outside a node's card; the card's rect, if the node exists.
    fn ring(
        &self,
        painter: &egui::Painter,
        doc: &Document,
        node: &str,
        gap: f32,
        stroke: Stroke,
    ) -> Option<egui::Rect> {
        let rect = self.node_rect(doc.design.node(node)?, &doc.design.layout);
        painter.rect_stroke(
            rect.expand(gap),
            8.0 + gap / 2.0,
            stroke,
            egui::StrokeKind::Outside,
        );
        Some(rect)
    }

    /// Presentation mode's hop: the node ringed, its wire drawn bold, a large dot on its way
    /// and the hop's times beside the dot.
    fn paint_replay(
        &self,
        painter: &egui::Painter,
        doc: &Document,
        replay: &crate::ui::run::Replay,
        text: super::text::SceneText,
        width: f32,
    ) {
        let mut label_at = None;
        if let Some((from, to)) = &replay.wire
            && let Some((a, b, _, _)) = self.wire_ends(doc, from, to)
        {
            let curve = CubicBezierShape::from_points_stroke(
                super::card::wire_points(a, b),
                false,
                Color32::TRANSPARENT,
                Stroke::new(6.0 * width, HIGHLIGHT),
            );
            let p = curve.sample(replay.t);
            painter.add(curve);
            painter.circle_filled(p, 10.0 * width.max(0.6), DOT);
            painter.circle_stroke(
                p,
                10.0 * width.max(0.6),
                Stroke::new(2.0 * width, Color32::BLACK),
            );
            label_at = Some(p + egui::vec2(0.0, -14.0));
        }
        let stroke = Stroke::new(4.0 * width.max(0.5), HIGHLIGHT);
        if let Some(rect) = self.ring(painter, doc, &replay.node, 6.0, stroke)
            && (replay.t >= 1.0 || label_at.is_none())
        {
            label_at = Some(rect.center_top() + egui::vec2(0.0, -10.0));
        }
        if let Some(at) = label_at {
            pill(
                painter,
                text,
                replay.times.clone(),
                (14.0, DOT, Color32::BLACK),
                (at, Align2::CENTER_BOTTOM),
            );
        }
    }
}

/// Words on a filled rounded box: `(font size, fill, ink)`, and the box's `anchor` point at
/// `at` (canvas units).
fn pill(
    painter: &egui::Painter,
    text: super::text::SceneText,
    words: String,
    (size, fill, ink): (f32, Color32, Color32),
    (at, anchor): (egui::Pos2, Align2),
) {
    let galley = text.layout_no_wrap(painter, words, FontId::proportional(size), ink);
    let padding = egui::vec2(0.5, 0.25) * size;
    let rect = anchor.anchor_size(at, galley.size() + 2.0 * padding);
    painter.rect_filled(rect, size * 0.4, fill);
    painter.galley(rect.min + padding, galley, ink);
}
