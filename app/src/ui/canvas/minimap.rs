//! The minimap: the whole design in the corner of a big canvas; click or drag to move there.

use eframe::egui::{
    self, Id, Order, Pos2, Rect, Role, Sense, Stroke, StrokeKind, WidgetInfo, pos2, vec2,
};

use super::CanvasState;
use crate::ui::document::Document;
use crate::ui::theme::{Palette, size};

impl CanvasState {
    pub(super) fn minimap_ui(&mut self, ui: &egui::Ui, doc: &Document, palette: &Palette) {
        let Some(bounds) = self.bounds(doc) else {
            return;
        };
        let map_size = vec2(size::MINIMAP[0], size::MINIMAP[1]);
        let map = Rect::from_min_size(self.rect.max - map_size - vec2(12.0, 12.0), map_size);
        let view = self.transform().inverse() * self.rect;
        let world = bounds.union(view).expand(40.0);
        let scale = (map.width() / world.width()).min(map.height() / world.height());
        let offset = map.center().to_vec2() - world.center().to_vec2() * scale;
        let to_map = |p: Pos2| pos2(p.x * scale, p.y * scale) + offset;
        let response = egui::Area::new(Id::unique("canvas_minimap"))
            .order(Order::Middle)
            .fixed_pos(map.min)
            .show(ui.ctx(), |ui| {
                let (rect, response) = ui.allocate_exact_size(map_size, Sense::click_and_drag());
                response.widget_info(|| WidgetInfo::labeled(Role::Image, true, "Minimap"));
                let painter = ui.painter();
                painter.rect(
                    rect,
                    6.0,
                    palette.card.gamma_multiply(0.92),
                    Stroke::new(1.0, palette.card_border),
                    StrokeKind::Inside,
                );
                for node in &doc.design.nodes {
                    let r = self.node_rect(node, &doc.design.layout);
                    let r = Rect::from_min_max(to_map(r.min), to_map(r.max));
                    painter.rect_filled(r, 1.0, palette.kind(node.kind.kind()).gamma_multiply(0.8));
                }
                let v = Rect::from_min_max(to_map(view.min), to_map(view.max)).intersect(rect);
                painter.rect_stroke(
                    v,
                    2.0,
                    Stroke::new(1.5, palette.selection),
                    StrokeKind::Inside,
                );
                response
            })
            .inner;
        if (response.clicked() || response.dragged())
            && let Some(p) = response.interact_pointer_pos()
        {
            let target = pos2((p.x - offset.x) / scale, (p.y - offset.y) / scale);
            self.pan = self.rect.size() / 2.0 - target.to_vec2() * self.zoom;
        }
    }
}
