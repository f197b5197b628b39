//! The empty canvas under the cards: panning and zooming, box selection, clicks and double
//! clicks, its context menu, and palette entries dropped on it.

use edgewire_engine::{Kind, NodeId, Pos};
use eframe::egui::{self, CursorIcon, PointerButton, Pos2, Rect, pos2};

use super::menus::{command_button, wire_menu};
use super::{BoxSelect, CanvasState};
use crate::ui::commands::{Command, CommandQueue, Selection, UiCommand};
use crate::ui::document::Document;

impl CanvasState {
    pub(super) fn pan_and_zoom(
        &mut self,
        ui: &egui::Ui,
        bg: &egui::Response,
        over_canvas: bool,
        space: bool,
    ) {
        if over_canvas && self.add_menu.is_none() {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
            let factor = pinch * (scroll.y * 0.002).exp();
            if (factor - 1.0).abs() > f32::EPSILON
                && let Some(p) = ui.ctx().pointer_latest_pos()
            {
                self.zoom_by(factor, p);
            }
            if scroll.x.abs() > 0.0 {
                self.pan.x += scroll.x;
            }
        }
        let box_modifier = ui.input(|i| i.modifiers.shift || i.modifiers.command);
        if bg.drag_started_by(PointerButton::Primary)
            && box_modifier
            && !space
            && let Some(p) = bg.interact_pointer_pos()
        {
            let start = self.to_canvas(p);
            self.box_select = Some(BoxSelect {
                start,
                end: start,
                additive: ui.input(|i| i.modifiers.shift),
            });
        }
        if bg.dragged_by(PointerButton::Primary) || bg.dragged_by(PointerButton::Middle) {
            let from_screen = self.transform().inverse();
            match &mut self.box_select {
                Some(b) if bg.dragged_by(PointerButton::Primary) => {
                    if let Some(p) = ui.ctx().pointer_latest_pos() {
                        b.end = from_screen * p;
                    }
                }
                _ => {
                    self.pan += bg.drag_delta();
                    ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
                }
            }
        }
        if space && over_canvas {
            ui.ctx().set_cursor_icon(CursorIcon::Grab);
        }
    }

    #[allow(clippy::too_many_arguments)] // The canvas pass hands each part the same frame data.
    pub(super) fn background_clicks(
        &mut self,
        ui: &egui::Ui,
        bg: &egui::Response,
        doc: &Document,
        selection: &Selection,
        queue: &mut CommandQueue,
        pointer: Option<Pos2>,
        rects: &[(NodeId, Rect)],
    ) {
        if bg.drag_stopped()
            && let Some(b) = self.box_select.take()
        {
            let area = Rect::from_two_pos(b.start, b.end);
            let mut next = if b.additive {
                selection.clone()
            } else {
                Selection::default()
            };
            next.wire = None;
            next.nodes.extend(
                rects
                    .iter()
                    .filter(|(_, r)| area.intersects(*r))
                    .map(|(id, _)| id.clone()),
            );
            queue.push(Command::Select(next));
        }
        if bg.clicked() {
            self.add_menu = None;
            match &self.hovered_wire {
                Some((from, to)) => queue.push(Command::Select(Selection::wire(from, to))),
                None if !ui.input(|i| i.modifiers.shift) => {
                    queue.push(Command::Select(Selection::default()));
                }
                None => {}
            }
        }
        if bg.double_clicked()
            && let (Some(p), Some(screen)) = (pointer, bg.interact_pointer_pos())
        {
            self.open_add_menu(Pos::new(p.x, p.y), screen);
        }
        if bg.secondary_clicked() {
            if let Some(p) = pointer {
                self.context_at = Pos::new(p.x, p.y);
            }
            self.context_wire.clone_from(&self.hovered_wire);
            if let Some((from, to)) = &self.hovered_wire {
                queue.push(Command::Select(Selection::wire(from, to)));
            }
        }
        if let Some(kind) = bg.dnd_release_payload::<Kind>()
            && let Some(p) = pointer
        {
            queue.push(Command::AddNode {
                kind: *kind,
                pos: Some(Pos::new(p.x - 100.0, p.y - 30.0)),
            });
        }
        let on_wire = self.context_wire.is_some();
        let at = self.context_at;
        let mut open_add = false;
        bg.context_menu(|ui| {
            if on_wire {
                wire_menu(ui, queue);
                ui.separator();
            }
            ui.menu_button("Add node", |ui| {
                for kind in Kind::ALL {
                    if ui.button(kind.label()).clicked() {
                        queue.push(Command::AddNode {
                            kind,
                            pos: Some(at),
                        });
                    }
                }
            });
            if ui.button("Search nodes to add…").clicked() {
                open_add = true;
            }
            command_button(ui, queue, UiCommand::Paste);
            command_button(ui, queue, UiCommand::SelectAll);
            ui.separator();
            command_button(ui, queue, UiCommand::TidyUp);
            command_button(ui, queue, UiCommand::ZoomToFit);
            command_button(ui, queue, UiCommand::ZoomReset);
        });
        if open_add {
            let screen = self.to_screen(pos2(at.x, at.y));
            self.open_add_menu(at, screen);
        }
        let _ = doc;
    }
}
