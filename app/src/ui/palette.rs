//! The palette: node kinds to drag onto the canvas (or click to add at the view's centre).

use edgewire_engine::Kind;
use eframe::egui::{
    self, Align2, FontId, Id, LayerId, Order, Role, Sense, Stroke, StrokeKind, WidgetInfo, vec2,
};

use super::commands::{Command, CommandQueue};
use super::kinds;
use super::theme::Palette;

pub fn ui(ui: &mut egui::Ui, queue: &mut CommandQueue) {
    let palette = Palette::of(ui.visuals());
    ui.add_space(4.0);
    super::theme::heading(ui, "Nodes");
    ui.add_space(2.0);
    for kind in Kind::ALL {
        let width = ui.available_width();
        let (rect, response) = ui.allocate_exact_size(vec2(width, 46.0), Sense::click_and_drag());
        let label = format!("Add {}", kind.label());
        response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
        let painter = ui.painter();
        let fill = if response.hovered() {
            ui.visuals().widgets.hovered.weak_bg_fill
        } else {
            ui.visuals().faint_bg_color
        };
        painter.rect(
            rect,
            8.0,
            fill,
            Stroke::new(1.0, palette.card_border),
            StrokeKind::Inside,
        );
        let icon_rect =
            egui::Rect::from_center_size(rect.left_center() + vec2(22.0, 0.0), vec2(30.0, 30.0));
        painter.rect_filled(icon_rect, 7.0, palette.kind_soft(kind));
        kinds::paint_icon(painter, icon_rect.shrink(6.0), kind, palette.kind(kind));
        painter.text(
            rect.left_top() + vec2(44.0, 8.0),
            Align2::LEFT_TOP,
            kind.label(),
            FontId::proportional(13.5),
            palette.text,
        );
        painter.text(
            rect.left_top() + vec2(44.0, 26.0),
            Align2::LEFT_TOP,
            kind.spec().blurb,
            FontId::proportional(11.0),
            palette.text_weak,
        );
        if response.drag_started() {
            response.dnd_set_drag_payload(kind);
        }
        if response.dragged()
            && let Some(p) = ui.ctx().pointer_latest_pos()
        {
            let painter = ui
                .ctx()
                .layer_painter(LayerId::new(Order::Tooltip, Id::unique("palette_ghost")));
            let ghost = egui::Rect::from_min_size(p + vec2(8.0, 8.0), vec2(150.0, 34.0));
            painter.rect(
                ghost,
                8.0,
                palette.kind_soft(kind),
                Stroke::new(1.5, palette.kind(kind)),
                StrokeKind::Inside,
            );
            kinds::paint_icon_at(
                &painter,
                ghost.left_center() + vec2(18.0, 0.0),
                18.0,
                kind,
                palette.kind(kind),
            );
            painter.text(
                ghost.left_center() + vec2(34.0, 0.0),
                Align2::LEFT_CENTER,
                kind.label(),
                FontId::proportional(13.0),
                palette.text,
            );
        }
        if response.clicked() {
            queue.push(Command::AddNode { kind, pos: None });
        }
        response.on_hover_text(format!(
            "{}: drag onto the canvas, or click to add",
            kind.spec().blurb
        ));
        ui.add_space(2.0);
    }
    ui.add_space(10.0);
    super::theme::heading(ui, "Tips");
    for tip in [
        "Drag from a node's right port to wire it",
        "Double-click the canvas to add by name",
        "Shift+drag to box-select",
        "Ctrl+K finds any command or node",
    ] {
        ui.label(egui::RichText::new(tip).small().color(palette.text_weak));
    }
}
