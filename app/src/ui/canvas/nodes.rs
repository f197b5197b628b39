//! Cards on the canvas: clicking and shift-clicking to select, dragging to move, their ports
//! and the problems shown on hover.

use std::collections::{BTreeMap, BTreeSet};

use edgewire_engine::graph::wire_role;
use edgewire_engine::{NodeId, Pos};
use eframe::egui::{
    self, CursorIcon, Id, PointerButton, Pos2, Rect, Role, Sense, Vec2, WidgetInfo, vec2,
};

use super::menus::node_menu;
use super::text::SceneText;
use super::{CanvasState, Frame, NodeDrag, card};
use crate::ui::commands::{Command, CommandQueue, Selection};
use crate::ui::document::Document;

impl CanvasState {
    pub(super) fn nodes_ui(
        &mut self,
        scene: &mut egui::Ui,
        frame: Frame<'_>,
        queue: &mut CommandQueue,
        space: bool,
    ) -> Vec<(NodeId, Rect)> {
        let painter = scene.painter().clone();
        let mut rects = Vec::new();
        let in_box = self
            .box_select
            .as_ref()
            .map(|b| Rect::from_two_pos(b.start, b.end));
        let wiring_from = self
            .wiring
            .as_ref()
            .and_then(|id| frame.doc.design.node(id))
            .map(|n| n.kind.kind());
        let pointer_canvas = scene.ctx().pointer_latest_pos().map(|p| self.to_canvas(p));
        for node in &frame.doc.design.nodes {
            let rect = self.node_rect(node, &frame.doc.design.layout);
            if !frame.visible.intersects(rect.expand(12.0)) {
                continue;
            }
            rects.push((node.id.clone(), rect));
            let kind = node.kind.kind();
            let id = Id::unique(("node", &node.id));
            let sense = if space {
                Sense::hover()
            } else {
                Sense::click_and_drag()
            };
            let response = scene.interact(rect, id, sense);
            let selected = frame.selection.nodes.contains(&node.id)
                || in_box.is_some_and(|b| b.intersects(rect));
            let label = format!("Node {}", node.id);
            response.widget_info(|| WidgetInfo::selected(Role::Button, true, selected, &label));
            let target = match (&self.wiring, wiring_from) {
                (Some(from), Some(from_kind))
                    if *from != node.id && pointer_canvas.is_some_and(|p| rect.contains(p)) =>
                {
                    Some(wire_role(from_kind, kind).is_ok())
                }
                _ => None,
            };
            let look = card::CardLook {
                selected,
                hovered: response.hovered(),
                target,
                problems: self.cache.problems.get(&node.id).copied(),
                detailed: frame.detailed,
                text: SceneText::at_zoom(self.zoom),
            };
            card::paint(&painter, frame.palette, node, rect, &look);

            if response.clicked() {
                let shift = scene.input(|i| i.modifiers.shift);
                let mut next = if shift {
                    frame.selection.clone()
                } else {
                    Selection::default()
                };
                next.wire = None;
                if shift && next.nodes.contains(&node.id) {
                    next.nodes.remove(&node.id);
                } else {
                    next.nodes.insert(node.id.clone());
                }
                queue.push(Command::Select(next));
            }
            if response.secondary_clicked() && !frame.selection.nodes.contains(&node.id) {
                queue.push(Command::Select(Selection::node(&node.id)));
            }
            if response.drag_started_by(PointerButton::Primary) {
                let shift = scene.input(|i| i.modifiers.shift);
                let ids: BTreeSet<NodeId> = if frame.selection.nodes.contains(&node.id) {
                    frame.selection.nodes.clone()
                } else {
                    let mut next = if shift {
                        frame.selection.nodes.clone()
                    } else {
                        BTreeSet::new()
                    };
                    next.insert(node.id.clone());
                    queue.push(Command::Select(Selection {
                        nodes: next.clone(),
                        wire: None,
                    }));
                    next
                };
                if let Some(start) = pointer_canvas {
                    self.drag = Some(NodeDrag {
                        start_pointer: start,
                        starts: ids
                            .iter()
                            .map(|id| {
                                let pos =
                                    frame.doc.design.layout.get(id).copied().unwrap_or_default();
                                (id.clone(), pos)
                            })
                            .collect(),
                        offset: Vec2::ZERO,
                    });
                }
            }
            if response.hovered() && self.drag.is_none() {
                scene.ctx().set_cursor_icon(CursorIcon::PointingHand);
            }
            // The menu first: a card's problem tooltip must not keep its menu from opening.
            let fault = self.fault_of(&node.id);
            response.context_menu(|ui| node_menu(ui, &frame.doc.design, &node.id, fault, queue));
            let problems = problem_lines(frame.doc, &node.id);
            if !problems.is_empty() && !self.is_interacting() && !response.context_menu_opened() {
                response.on_hover_text(problems.join("\n"));
            }

            if frame.detailed && card::has_input(kind) {
                let active = target == Some(true);
                card::paint_port(
                    &painter,
                    frame.palette,
                    card::input_port(rect),
                    frame.palette.kind(kind),
                    active,
                );
            }
            if frame.detailed && card::has_output(kind) && !space {
                let port = card::output_port(rect);
                let port_response = scene.interact(
                    Rect::from_center_size(port, vec2(18.0, 18.0)),
                    id.with("out"),
                    Sense::drag(),
                );
                let port_label = format!("Connect from {}", node.id);
                port_response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &port_label));
                let active = port_response.hovered() || self.wiring.as_ref() == Some(&node.id);
                card::paint_port(
                    &painter,
                    frame.palette,
                    port,
                    frame.palette.kind(kind),
                    active,
                );
                if port_response.hovered() {
                    scene.ctx().set_cursor_icon(CursorIcon::Crosshair);
                }
                if port_response.drag_started() {
                    self.wiring = Some(node.id.clone());
                }
                port_response.on_hover_text("Drag to another node to wire it");
            }
        }
        rects
    }

    pub(super) fn finish_node_drag(
        &mut self,
        ctx: &egui::Context,
        pointer: Option<Pos2>,
        queue: &mut CommandQueue,
    ) {
        let Some(drag) = &mut self.drag else { return };
        if let Some(p) = pointer {
            drag.offset = p - drag.start_pointer;
        }
        if ctx.input(|i| i.pointer.primary_down()) {
            return;
        }
        let Some(drag) = self.drag.take() else { return };
        let positions: BTreeMap<NodeId, Pos> = drag
            .starts
            .iter()
            .map(|(id, start)| {
                let p = self.moved(*start, drag.offset);
                (id.clone(), Pos::new(p.x, p.y))
            })
            .filter(|(id, pos)| drag.starts.iter().any(|(d, s)| d == id && s != pos))
            .collect();
        if !positions.is_empty() {
            queue.push(Command::Edit {
                edit: edgewire_engine::edit::Edit::Move { positions },
                coalesce: None,
            });
        }
    }
}

/// The first problems of `node`, one a line, for its tooltip.
fn problem_lines(doc: &Document, node: &str) -> Vec<String> {
    doc.diagnostics()
        .for_node(node)
        .take(5)
        .map(|d| {
            format!(
                "{} {}: {}",
                crate::ui::theme::severity_icon(d.severity),
                d.code,
                d.message
            )
        })
        .collect()
}
