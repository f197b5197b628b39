//! Wires: drawn as labelled curves (dashed when not allowed), found under the pointer, and
//! drawn from an output port to a card to connect two nodes.

use edgewire_engine::graph::wire_role;
use edgewire_engine::{Kind, NodeId};
use eframe::egui::epaint::CubicBezierShape;
use eframe::egui::{
    self, Color32, FontId, Id, LayerId, Order, Pos2, Rect, Role, Sense, Shape, Stroke, StrokeKind,
    WidgetInfo, vec2,
};

use super::menus::wire_menu;
use super::text::SceneText;
use super::{CanvasState, Frame, card};
use crate::ui::commands::{Command, CommandQueue, Selection};
use crate::ui::document::Document;
use crate::ui::theme::{Palette, size};

impl CanvasState {
    pub(super) fn wire_ends(
        &self,
        doc: &Document,
        from: &str,
        to: &str,
    ) -> Option<(Rect, Rect, Kind, Kind)> {
        let a = &doc.design.nodes[*self.cache.index.get(from)?];
        let b = &doc.design.nodes[*self.cache.index.get(to)?];
        Some((
            self.node_rect(a, &doc.design.layout),
            self.node_rect(b, &doc.design.layout),
            a.kind.kind(),
            b.kind.kind(),
        ))
    }

    pub(super) fn wire_at(
        &self,
        doc: &Document,
        p: Pos2,
        visible: Rect,
    ) -> Option<(NodeId, NodeId)> {
        let threshold = 6.0 / self.zoom;
        let mut best: Option<(f32, &edgewire_engine::Wire)> = None;
        for wire in &doc.design.wires {
            let Some((a, b, _, _)) = self.wire_ends(doc, &wire.from, &wire.to) else {
                continue;
            };
            let bbox = a.union(b);
            if !bbox.expand(threshold).contains(p) || !visible.intersects(bbox) {
                continue;
            }
            let curve = CubicBezierShape::from_points_stroke(
                card::wire_points(a, b),
                false,
                Color32::TRANSPARENT,
                Stroke::NONE,
            );
            let mut prev = curve.sample(0.0);
            for i in 1..=24 {
                let next = curve.sample(i as f32 / 24.0);
                let d = distance_to_segment(p, prev, next);
                if d < threshold && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, wire));
                }
                prev = next;
            }
        }
        best.map(|(_, w)| (w.from.clone(), w.to.clone()))
    }

    pub(super) fn wires_ui(
        &mut self,
        scene: &mut egui::Ui,
        frame: Frame<'_>,
        queue: &mut CommandQueue,
    ) {
        let painter = scene.painter().clone();
        for wire in &frame.doc.design.wires {
            let Some((a, b, from_kind, to_kind)) = self.wire_ends(frame.doc, &wire.from, &wire.to)
            else {
                continue;
            };
            if !frame.visible.intersects(a.union(b).expand(60.0)) {
                continue;
            }
            let key = (wire.from.clone(), wire.to.clone());
            let role = wire_role(from_kind, to_kind);
            let selected = frame.selection.wire.as_ref() == Some(&key);
            let hovered = self.hovered_wire.as_ref() == Some(&key);
            let problem = self.cache.wire_problems.get(&key).copied();
            let mut color = match (&role, problem) {
                (Err(_), _) => frame.palette.invalid,
                (Ok(_), Some(severity)) => frame.palette.severity(severity),
                (Ok(_), None) => frame.palette.kind(to_kind).gamma_multiply(0.85),
            };
            let mut width = 2.0;
            if selected {
                color = frame.palette.selection;
                width = 3.0;
            } else if hovered {
                width = 3.0;
            }
            let points = card::wire_points(a, b);
            if !frame.detailed {
                painter.line_segment(
                    [points[0], points[3]],
                    Stroke::new(width / self.zoom.max(0.2), color),
                );
                continue;
            }
            let stroke = Stroke::new(width, color);
            if role.is_err() {
                let curve = CubicBezierShape::from_points_stroke(
                    points,
                    false,
                    Color32::TRANSPARENT,
                    Stroke::NONE,
                );
                let path: Vec<Pos2> = (0..=32).map(|i| curve.sample(i as f32 / 32.0)).collect();
                painter.extend(Shape::dashed_line(&path, stroke, 8.0, 5.0));
            } else {
                painter.add(CubicBezierShape::from_points_stroke(
                    points,
                    false,
                    Color32::TRANSPARENT,
                    stroke,
                ));
            }
            // Arrowhead just before the input port.
            let tip = points[3] - vec2(size::PORT_RADIUS + 1.0, 0.0);
            painter.add(Shape::convex_polygon(
                vec![tip, tip - vec2(9.0, 5.0), tip - vec2(9.0, -5.0)],
                color,
                Stroke::NONE,
            ));
            let curve = CubicBezierShape::from_points_stroke(
                points,
                false,
                Color32::TRANSPARENT,
                Stroke::NONE,
            );
            let mid = curve.sample(0.5);
            if !frame.visible.contains(mid) {
                // The label is off screen: nothing to draw or click.
                continue;
            }
            let label = if wire.binding.is_empty() {
                if role.is_err() {
                    "not allowed".to_owned()
                } else {
                    "requests".to_owned()
                }
            } else {
                wire.binding.clone()
            };
            let text_color = if role.is_err() {
                frame.palette.invalid
            } else {
                frame.palette.text
            };
            let font = if wire.binding.is_empty() {
                FontId::proportional(11.0)
            } else {
                FontId::monospace(11.5)
            };
            let galley =
                SceneText::at_zoom(self.zoom).layout_no_wrap(&painter, label, font, text_color);
            let label_rect = Rect::from_center_size(mid, galley.size() + vec2(12.0, 6.0));
            let response = scene.interact(
                label_rect,
                Id::unique(("wire", &wire.from, &wire.to)),
                Sense::click(),
            );
            let name = format!("Wire {} → {}: {}", wire.from, wire.to, wire.binding);
            response.widget_info(|| WidgetInfo::selected(Role::Button, true, selected, &name));
            painter.rect(
                label_rect,
                label_rect.height() / 2.0,
                frame.palette.wire_label_bg,
                Stroke::new(
                    if selected || response.hovered() {
                        1.5
                    } else {
                        1.0
                    },
                    color,
                ),
                StrokeKind::Inside,
            );
            painter.galley(
                label_rect.center() - galley.size() / 2.0,
                galley,
                text_color,
            );
            if response.clicked() {
                queue.push(Command::Select(Selection::wire(&wire.from, &wire.to)));
            }
            let response = match &role {
                Err(reason) => response.on_hover_text(reason.clone()),
                Ok(_) => {
                    response.on_hover_text("Click to select; rename the binding in the inspector")
                }
            };
            if response.secondary_clicked() {
                queue.push(Command::Select(Selection::wire(&wire.from, &wire.to)));
            }
            response.context_menu(|ui| wire_menu(ui, queue));
        }
    }

    #[allow(clippy::too_many_arguments)] // The canvas pass hands each part the same frame data.
    pub(super) fn finish_wiring(
        &mut self,
        ctx: &egui::Context,
        doc: &Document,
        scene: &egui::Ui,
        palette: &Palette,
        pointer: Option<Pos2>,
        target: Option<&NodeId>,
        queue: &mut CommandQueue,
    ) {
        let Some(from) = self.wiring.clone() else {
            return;
        };
        let Some(source) = doc.design.node(&from) else {
            self.wiring = None;
            return;
        };
        let target = target
            .filter(|t| **t != from)
            .and_then(|t| doc.design.node(t));
        let verdict = target.map(|t| wire_role(source.kind.kind(), t.kind.kind()));
        let start = card::output_port(self.node_rect(source, &doc.design.layout));
        if let Some(end) = pointer {
            let color = match &verdict {
                Some(Err(_)) => palette.invalid,
                _ => palette.selection,
            };
            let dx = ((end.x - start.x).abs() * 0.5).max(40.0);
            scene.painter().add(CubicBezierShape::from_points_stroke(
                [start, start + vec2(dx, 0.0), end - vec2(dx, 0.0), end],
                false,
                Color32::TRANSPARENT,
                Stroke::new(2.5, color),
            ));
            if let (Some(Err(reason)), Some(screen)) = (&verdict, ctx.pointer_latest_pos()) {
                paint_tooltip(ctx, screen + vec2(16.0, 16.0), reason, palette);
            }
        }
        if ctx.input(|i| i.pointer.primary_down()) {
            return;
        }
        self.wiring = None;
        match (target, verdict) {
            (Some(target), Some(Ok(_))) => {
                if doc
                    .design
                    .wires
                    .iter()
                    .any(|w| w.from == from && w.to == target.id)
                {
                    queue.push(Command::Notify(format!(
                        "{from} is already wired to {}",
                        target.id
                    )));
                } else {
                    queue.push(Command::Connect {
                        from,
                        to: target.id.clone(),
                    });
                }
            }
            (Some(_), Some(Err(reason))) => {
                queue.push(Command::Notify(format!("Wire refused: {reason}")));
            }
            _ => {}
        }
    }
}

pub(super) fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(f32::EPSILON)).clamp(0.0, 1.0);
    (a + ab * t).distance(p)
}

pub(super) fn paint_tooltip(ctx: &egui::Context, at: Pos2, text: &str, palette: &Palette) {
    let painter = ctx.layer_painter(LayerId::new(Order::Tooltip, Id::unique("wire_refusal")));
    let galley = painter.layout(
        text.to_owned(),
        FontId::proportional(13.0),
        palette.text,
        320.0,
    );
    let rect = Rect::from_min_size(at, galley.size() + vec2(16.0, 12.0));
    painter.rect(
        rect,
        6.0,
        palette.card,
        Stroke::new(1.5, palette.invalid),
        StrokeKind::Inside,
    );
    painter.galley(rect.min + vec2(8.0, 6.0), galley, palette.text);
}
