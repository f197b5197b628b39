//! The canvas: nodes as cards, wires as labelled curves, pan and zoom, selection, moving,
//! wiring, box-select, context menus and the minimap.
//!
//! The canvas draws into its own layer whose transform is the view (pan and zoom), like
//! [`egui::Scene`]: everything inside is in canvas coordinates. Pan, zoom, hover, drags and
//! the selection rectangle are view state ([`CanvasState`]); changes to the design are pushed
//! as [`Command`]s.

pub mod card;
mod overlay;
mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use edgewire_engine::graph::wire_role;
use edgewire_engine::validate::{Severity, Target};
use edgewire_engine::{Kind, Node, NodeId, Pos};
use eframe::egui::{
    self, Align2, Color32, CursorIcon, FontId, Id, Key, LayerId, Order, PointerButton, Pos2, Rect,
    Role, Sense, Shape, Stroke, StrokeKind, UiBuilder, Vec2, WidgetInfo, emath::TSTransform,
    epaint::CubicBezierShape, pos2, vec2,
};

use super::commands::{Command, CommandQueue, Selection, UiCommand, fuzzy_score};
use super::document::Document;
use super::kinds;
use super::ops;
use super::theme::{Palette, size};
use text::SceneText;

/// View state of the canvas. Never saved in the design.
pub struct CanvasState {
    /// Canvas units to screen points.
    pub zoom: f32,
    /// Screen offset of the canvas origin from the top-left of the canvas area.
    pub pan: Vec2,
    pub show_grid: bool,
    pub show_minimap: bool,
    /// The screen rectangle of the canvas last frame.
    pub rect: Rect,
    fit_pending: bool,
    reveal_pending: Option<NodeId>,
    /// Nodes to bring into view on the next frame (a selected trace's).
    show_pending: Option<Vec<NodeId>>,
    drag: Option<NodeDrag>,
    wiring: Option<NodeId>,
    box_select: Option<BoxSelect>,
    hovered_wire: Option<(NodeId, NodeId)>,
    context_at: Pos,
    context_wire: Option<(NodeId, NodeId)>,
    add_menu: Option<AddMenu>,
    cache: Cache,
    /// What a running engine shows on the canvas (set by the app each frame).
    pub overlay: crate::ui::run::CanvasOverlay,
}

struct NodeDrag {
    start_pointer: Pos2,
    starts: Vec<(NodeId, Pos)>,
    offset: Vec2,
}

struct BoxSelect {
    start: Pos2,
    end: Pos2,
    additive: bool,
}

struct AddMenu {
    at: Pos,
    screen: Pos2,
    query: String,
    opened: bool,
}

/// What the canvas derives from the design, rebuilt when the document changes.
#[derive(Default)]
struct Cache {
    revision: Option<u64>,
    index: HashMap<NodeId, usize>,
    sizes: Vec<Vec2>,
    problems: HashMap<NodeId, (usize, Severity)>,
    wire_problems: HashMap<(NodeId, NodeId), Severity>,
}

impl Default for CanvasState {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            pan: Vec2::ZERO,
            show_grid: true,
            show_minimap: true,
            rect: Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0)),
            fit_pending: true,
            reveal_pending: None,
            show_pending: None,
            drag: None,
            wiring: None,
            box_select: None,
            hovered_wire: None,
            context_at: Pos::default(),
            context_wire: None,
            add_menu: None,
            cache: Cache::default(),
            overlay: crate::ui::run::CanvasOverlay::default(),
        }
    }
}

impl CanvasState {
    /// The view transform: canvas coordinates to screen points.
    pub fn transform(&self) -> TSTransform {
        TSTransform::new(self.rect.min.to_vec2() + self.pan, self.zoom)
    }

    pub fn to_canvas(&self, screen: Pos2) -> Pos2 {
        self.transform().inverse() * screen
    }

    pub fn to_screen(&self, canvas: Pos2) -> Pos2 {
        self.transform() * canvas
    }

    /// The canvas point at the centre of the view.
    pub fn center(&self) -> Pos {
        let c = self.to_canvas(self.rect.center());
        Pos::new(c.x, c.y)
    }

    /// Fit the whole design into the view on the next frame.
    pub fn request_fit(&mut self) {
        self.fit_pending = true;
    }

    /// Centre the view on a node on the next frame.
    pub fn reveal(&mut self, id: &str) {
        self.reveal_pending = Some(id.to_owned());
    }

    /// Bring these nodes into view on the next frame, moving the view only when some of
    /// them are out of it (zooming out as far as needed, never in).
    pub fn show_nodes(&mut self, ids: Vec<NodeId>) {
        self.show_pending = Some(ids);
    }

    fn show_now(&mut self, doc: &Document, ids: &[NodeId]) {
        let Some(bounds) = ids
            .iter()
            .filter_map(|id| doc.design.node(id))
            .map(|node| self.node_rect(node, &doc.design.layout))
            .reduce(Rect::union)
        else {
            return;
        };
        let margin = 28.0;
        let view = self.rect.shrink(margin);
        let on_screen = Rect::from_min_max(self.to_screen(bounds.min), self.to_screen(bounds.max));
        if view.contains_rect(on_screen) {
            return;
        }
        let room = view.size().max(vec2(50.0, 50.0));
        let fits = (room.x / bounds.width()).min(room.y / bounds.height());
        self.zoom = self.zoom.min(fits).clamp(size::MIN_ZOOM, size::MAX_ZOOM);
        self.pan = self.rect.size() / 2.0 - bounds.center().to_vec2() * self.zoom;
    }

    /// Zoom by `factor` keeping the screen point `around` still.
    pub fn zoom_by(&mut self, factor: f32, around: Pos2) {
        let fixed = self.to_canvas(around);
        self.zoom = (self.zoom * factor).clamp(size::MIN_ZOOM, size::MAX_ZOOM);
        self.pan = around - self.rect.min - fixed.to_vec2() * self.zoom;
    }

    /// Zoom to an absolute level around the view's centre.
    pub fn set_zoom(&mut self, zoom: f32) {
        let factor = zoom / self.zoom;
        self.zoom_by(factor, self.rect.center());
    }

    /// Forget drags and hovers (after the document is replaced).
    pub fn reset_interaction(&mut self) {
        self.drag = None;
        self.wiring = None;
        self.box_select = None;
        self.hovered_wire = None;
        self.add_menu = None;
        self.cache.revision = None;
    }

    /// Whether a node drag, a wire drag or a box selection is under way.
    pub fn is_interacting(&self) -> bool {
        self.drag.is_some() || self.wiring.is_some() || self.box_select.is_some()
    }

    /// Where a node is drawn, in canvas coordinates (following a drag in progress).
    pub fn node_rect(&self, node: &Node, layout: &BTreeMap<NodeId, Pos>) -> Rect {
        let pos = self.display_pos(&node.id, layout);
        let size = self
            .cache
            .index
            .get(&node.id)
            .and_then(|&i| self.cache.sizes.get(i).copied())
            .unwrap_or_else(|| card::size(node));
        Rect::from_min_size(pos, size)
    }

    /// Where a node is drawn on screen.
    pub fn node_screen_rect(&self, doc: &Document, id: &str) -> Option<Rect> {
        let node = doc.design.node(id)?;
        Some(self.transform() * self.node_rect(node, &doc.design.layout))
    }

    /// Where a node's output port is on screen.
    pub fn output_port_screen(&self, doc: &Document, id: &str) -> Option<Pos2> {
        let node = doc.design.node(id)?;
        Some(self.to_screen(card::output_port(self.node_rect(node, &doc.design.layout))))
    }

    fn display_pos(&self, id: &str, layout: &BTreeMap<NodeId, Pos>) -> Pos2 {
        if let Some(drag) = &self.drag
            && let Some((_, start)) = drag.starts.iter().find(|(d, _)| d == id)
        {
            return self.moved(*start, drag.offset);
        }
        layout.get(id).map_or(Pos2::ZERO, |p| pos2(p.x, p.y))
    }

    fn moved(&self, start: Pos, offset: Vec2) -> Pos2 {
        let (x, y) = (start.x + offset.x, start.y + offset.y);
        if self.show_grid {
            pos2(ops::snap(x), ops::snap(y))
        } else {
            pos2(x.round(), y.round())
        }
    }

    fn refresh_cache(&mut self, doc: &Document) {
        if self.cache.revision == Some(doc.revision()) {
            return;
        }
        let design = &doc.design;
        let mut cache = Cache {
            revision: Some(doc.revision()),
            index: design
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.clone(), i))
                .collect(),
            sizes: design.nodes.iter().map(card::size).collect(),
            ..Cache::default()
        };
        for diagnostic in doc.diagnostics() {
            if let Target::Wire { from, to } = &diagnostic.target {
                let entry = cache
                    .wire_problems
                    .entry((from.clone(), to.clone()))
                    .or_insert(diagnostic.severity);
                *entry = (*entry).min(diagnostic.severity);
            }
            if let Some(node) = diagnostic.target.node() {
                let entry = cache
                    .problems
                    .entry(node.to_owned())
                    .or_insert((0, diagnostic.severity));
                entry.0 += 1;
                entry.1 = entry.1.min(diagnostic.severity);
            }
        }
        self.cache = cache;
    }

    fn bounds(&self, doc: &Document) -> Option<Rect> {
        doc.design
            .nodes
            .iter()
            .map(|n| self.node_rect(n, &doc.design.layout))
            .reduce(eframe::egui::Rect::union)
    }

    fn fit_now(&mut self, doc: &Document) {
        let Some(bounds) = self.bounds(doc) else {
            self.zoom = 1.0;
            self.pan = self.rect.size() / 2.0;
            return;
        };
        let room = (self.rect.size() - vec2(56.0, 56.0)).max(vec2(50.0, 50.0));
        let zoom = (room.x / bounds.width()).min(room.y / bounds.height());
        self.zoom = zoom.clamp(size::MIN_ZOOM, 1.0);
        self.pan = self.rect.size() / 2.0 - bounds.center().to_vec2() * self.zoom;
    }

    /// Draw the canvas and handle its input.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        doc: &Document,
        selection: &Selection,
        queue: &mut CommandQueue,
    ) {
        self.refresh_cache(doc);
        let palette = Palette::of(ui.visuals());
        let (rect, bg) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        bg.widget_info(|| WidgetInfo::labeled(Role::Canvas, true, "Design canvas"));
        self.rect = rect;
        if self.fit_pending {
            self.fit_pending = false;
            self.fit_now(doc);
        }
        if let Some(id) = self.reveal_pending.take()
            && let Some(node) = doc.design.node(&id)
        {
            let center = self.node_rect(node, &doc.design.layout).center();
            self.zoom = self.zoom.max(0.6);
            self.pan = rect.size() / 2.0 - center.to_vec2() * self.zoom;
        }
        if let Some(ids) = self.show_pending.take() {
            self.show_now(doc, &ids);
        }

        let ctx = ui.ctx().clone();
        let typing = ctx.egui_wants_keyboard_input();
        let space = !typing && ui.input(|i| i.key_down(Key::Space));
        let pointer = ctx.pointer_latest_pos();
        let pointer_in = pointer.filter(|p| rect.contains(*p));
        let scene_layer = LayerId::new(ui.layer_id().order, ui.scope_id().with("canvas_scene"));
        let over_canvas = pointer_in.is_some_and(|p| {
            ctx.layer_id_at(p)
                .is_some_and(|layer| layer == ui.layer_id() || layer == scene_layer)
        });

        self.pan_and_zoom(ui, &bg, over_canvas, space);

        // Background and grid (screen space, below the scene layer).
        let background = ui.painter_at(rect);
        background.rect_filled(rect, 0.0, palette.canvas);
        if self.show_grid {
            self.paint_grid(&background, &palette);
        }

        // The scene layer: canvas coordinates.
        let to_screen = self.transform();
        ctx.set_sublayer(ui.layer_id(), scene_layer);
        ctx.set_transform_layer(scene_layer, to_screen);
        let visible = to_screen.inverse() * rect;
        let mut scene = ui.new_child(UiBuilder::new().layer_id(scene_layer).max_rect(visible));
        scene.set_clip_rect(visible);
        let detailed = self.zoom >= size::DETAIL_ZOOM;
        let pointer_canvas = pointer.map(|p| to_screen.inverse() * p);

        self.wires_ui(
            &mut scene, doc, selection, queue, &palette, visible, detailed,
        );
        let rects = self.nodes_ui(
            &mut scene, doc, selection, queue, &palette, visible, detailed, space,
        );
        self.paint_overlay(scene.painter(), doc);

        // Which node is under the pointer (the topmost, drawn last).
        let under_pointer = pointer_canvas.and_then(|p| {
            rects
                .iter()
                .rev()
                .find(|(_, r)| r.contains(p))
                .map(|(id, _)| id.clone())
        });
        self.hovered_wire = None;
        if bg.hovered()
            && !self.is_interacting()
            && let Some(p) = pointer_canvas
        {
            self.hovered_wire = self.wire_at(doc, p, visible);
        }

        self.finish_node_drag(&ctx, pointer_canvas, queue);
        self.finish_wiring(
            &ctx,
            doc,
            &scene,
            &palette,
            pointer_canvas,
            under_pointer.as_ref(),
            queue,
        );
        self.background_clicks(ui, &bg, doc, selection, queue, pointer_canvas, &rects);

        if let Some(b) = &self.box_select {
            let area = Rect::from_two_pos(b.start, b.end);
            scene.painter().rect(
                area,
                2.0,
                palette.selection.gamma_multiply(0.12),
                Stroke::new(1.0 / self.zoom, palette.selection),
                StrokeKind::Inside,
            );
        }

        if self.show_minimap && doc.design.nodes.len() > 12 {
            self.minimap_ui(ui, doc, &palette);
        }
        self.add_menu_ui(ui, queue);
        if doc.design.nodes.is_empty() {
            background.text(
                rect.center(),
                Align2::CENTER_CENTER,
                "Drag a node from the palette, or double-click here to add one",
                FontId::proportional(15.0),
                palette.text_weak,
            );
        }
    }

    fn pan_and_zoom(&mut self, ui: &egui::Ui, bg: &egui::Response, over_canvas: bool, space: bool) {
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

    fn paint_grid(&self, painter: &egui::Painter, palette: &Palette) {
        let mut step = size::GRID;
        while step * self.zoom < 14.0 {
            step *= 5.0;
        }
        let rect = self.rect;
        let top_left = self.to_canvas(rect.min);
        let bottom_right = self.to_canvas(rect.max);
        let minor = Stroke::new(1.0, palette.grid.gamma_multiply(0.55));
        let major = Stroke::new(1.0, palette.grid);
        let mut x = (top_left.x / step).floor() * step;
        while x <= bottom_right.x {
            let sx = self.to_screen(pos2(x, 0.0)).x;
            let is_major = (x / step).round().rem_euclid(5.0) < 0.5;
            painter.vline(sx, rect.y_range(), if is_major { major } else { minor });
            x += step;
        }
        let mut y = (top_left.y / step).floor() * step;
        while y <= bottom_right.y {
            let sy = self.to_screen(pos2(0.0, y)).y;
            let is_major = (y / step).round().rem_euclid(5.0) < 0.5;
            painter.hline(rect.x_range(), sy, if is_major { major } else { minor });
            y += step;
        }
    }

    fn wire_ends(&self, doc: &Document, from: &str, to: &str) -> Option<(Rect, Rect, Kind, Kind)> {
        let a = &doc.design.nodes[*self.cache.index.get(from)?];
        let b = &doc.design.nodes[*self.cache.index.get(to)?];
        Some((
            self.node_rect(a, &doc.design.layout),
            self.node_rect(b, &doc.design.layout),
            a.kind.kind(),
            b.kind.kind(),
        ))
    }

    fn wire_at(&self, doc: &Document, p: Pos2, visible: Rect) -> Option<(NodeId, NodeId)> {
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

    #[allow(clippy::too_many_arguments)] // The canvas pass hands each part the same frame data.
    fn wires_ui(
        &mut self,
        scene: &mut egui::Ui,
        doc: &Document,
        selection: &Selection,
        queue: &mut CommandQueue,
        palette: &Palette,
        visible: Rect,
        detailed: bool,
    ) {
        let painter = scene.painter().clone();
        for wire in &doc.design.wires {
            let Some((a, b, from_kind, to_kind)) = self.wire_ends(doc, &wire.from, &wire.to) else {
                continue;
            };
            if !visible.intersects(a.union(b).expand(60.0)) {
                continue;
            }
            let key = (wire.from.clone(), wire.to.clone());
            let role = wire_role(from_kind, to_kind);
            let selected = selection.wire.as_ref() == Some(&key);
            let hovered = self.hovered_wire.as_ref() == Some(&key);
            let problem = self.cache.wire_problems.get(&key).copied();
            let mut color = match (&role, problem) {
                (Err(_), _) => palette.invalid,
                (Ok(_), Some(severity)) => palette.severity(severity),
                (Ok(_), None) => palette.kind(to_kind).gamma_multiply(0.85),
            };
            let mut width = 2.0;
            if selected {
                color = palette.selection;
                width = 3.0;
            } else if hovered {
                width = 3.0;
            }
            let points = card::wire_points(a, b);
            if !detailed {
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
            if !visible.contains(mid) {
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
                palette.invalid
            } else {
                palette.text
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
                palette.wire_label_bg,
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
    fn nodes_ui(
        &mut self,
        scene: &mut egui::Ui,
        doc: &Document,
        selection: &Selection,
        queue: &mut CommandQueue,
        palette: &Palette,
        visible: Rect,
        detailed: bool,
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
            .and_then(|id| doc.design.node(id))
            .map(|n| n.kind.kind());
        let pointer_canvas = scene.ctx().pointer_latest_pos().map(|p| self.to_canvas(p));
        for node in &doc.design.nodes {
            let rect = self.node_rect(node, &doc.design.layout);
            if !visible.intersects(rect.expand(12.0)) {
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
            let selected =
                selection.nodes.contains(&node.id) || in_box.is_some_and(|b| b.intersects(rect));
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
                detailed,
                text: SceneText::at_zoom(self.zoom),
            };
            card::paint(&painter, palette, node, rect, &look);

            if response.clicked() {
                let shift = scene.input(|i| i.modifiers.shift);
                let mut next = if shift {
                    selection.clone()
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
            if response.secondary_clicked() && !selection.nodes.contains(&node.id) {
                queue.push(Command::Select(Selection::node(&node.id)));
            }
            if response.drag_started_by(PointerButton::Primary) {
                let shift = scene.input(|i| i.modifiers.shift);
                let ids: BTreeSet<NodeId> = if selection.nodes.contains(&node.id) {
                    selection.nodes.clone()
                } else {
                    let mut next = if shift {
                        selection.nodes.clone()
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
                                let pos = doc.design.layout.get(id).copied().unwrap_or_default();
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
            let problems: Vec<String> = doc
                .diagnostics()
                .for_node(&node.id)
                .take(5)
                .map(|d| {
                    format!(
                        "{} {}: {}",
                        super::theme::severity_icon(d.severity),
                        d.code,
                        d.message
                    )
                })
                .collect();
            let response = if problems.is_empty() || self.is_interacting() {
                response
            } else {
                response.on_hover_text(problems.join("\n"))
            };
            response.context_menu(|ui| node_menu(ui, queue));

            if detailed && card::has_input(kind) {
                let active = target == Some(true);
                card::paint_port(
                    &painter,
                    palette,
                    card::input_port(rect),
                    palette.kind(kind),
                    active,
                );
            }
            if detailed && card::has_output(kind) && !space {
                let port = card::output_port(rect);
                let port_response = scene.interact(
                    Rect::from_center_size(port, vec2(18.0, 18.0)),
                    id.with("out"),
                    Sense::drag(),
                );
                let port_label = format!("Connect from {}", node.id);
                port_response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &port_label));
                let active = port_response.hovered() || self.wiring.as_ref() == Some(&node.id);
                card::paint_port(&painter, palette, port, palette.kind(kind), active);
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

    fn finish_node_drag(
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

    #[allow(clippy::too_many_arguments)] // The canvas pass hands each part the same frame data.
    fn finish_wiring(
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

    #[allow(clippy::too_many_arguments)] // The canvas pass hands each part the same frame data.
    fn background_clicks(
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

    /// Open the search popup that adds a node at a canvas position.
    pub fn open_add_menu(&mut self, at: Pos, screen: Pos2) {
        self.add_menu = Some(AddMenu {
            at,
            screen,
            query: String::new(),
            opened: false,
        });
    }

    fn add_menu_ui(&mut self, ui: &egui::Ui, queue: &mut CommandQueue) {
        let Some(menu) = &mut self.add_menu else {
            return;
        };
        let mut close = false;
        let area = egui::Area::new(Id::unique("add_node_menu"))
            .order(Order::Foreground)
            .fixed_pos(menu.screen)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(220.0);
                    ui.label(egui::RichText::new("Add node").strong());
                    let edit = ui
                        .add(
                            egui::TextEdit::singleline(&mut menu.query)
                                .hint_text("Search kinds…")
                                .desired_width(f32::INFINITY),
                        )
                        .accessible_name("Search node kinds");
                    if !menu.opened {
                        edit.request_focus();
                        menu.opened = true;
                    }
                    let mut matches: Vec<(usize, Kind)> = Kind::ALL
                        .iter()
                        .filter_map(|k| fuzzy_score(&menu.query, k.label()).map(|s| (s, *k)))
                        .collect();
                    matches.sort_by_key(|m| std::cmp::Reverse(m.0));
                    let enter = ui.input(|i| i.key_pressed(Key::Enter));
                    for (index, (_, kind)) in matches.iter().enumerate() {
                        let palette = Palette::of(ui.visuals());
                        let clicked = ui
                            .horizontal(|ui| {
                                let (icon, _) =
                                    ui.allocate_exact_size(vec2(18.0, 18.0), Sense::hover());
                                kinds::paint_icon(ui.painter(), icon, *kind, palette.kind(*kind));
                                ui.selectable_label(
                                    index == 0 && !menu.query.is_empty(),
                                    kind.label(),
                                )
                                .clicked()
                            })
                            .inner;
                        if clicked || (enter && index == 0) {
                            queue.push(Command::AddNode {
                                kind: *kind,
                                pos: Some(menu.at),
                            });
                            close = true;
                        }
                    }
                    if matches.is_empty() {
                        ui.weak("No kind matches");
                    }
                });
            });
        if ui.input(|i| i.key_pressed(Key::Escape)) || area.response.clicked_elsewhere() {
            close = true;
        }
        if close {
            self.add_menu = None;
        }
    }

    fn minimap_ui(&mut self, ui: &egui::Ui, doc: &Document, palette: &Palette) {
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

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(f32::EPSILON)).clamp(0.0, 1.0);
    (a + ab * t).distance(p)
}

fn paint_tooltip(ctx: &egui::Context, at: Pos2, text: &str, palette: &Palette) {
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

/// A menu entry that runs a command, showing its shortcut.
pub fn command_button(ui: &mut egui::Ui, queue: &mut CommandQueue, command: UiCommand) {
    let mut button = egui::Button::new(command.name());
    if let Some(shortcut) = command.shortcut() {
        button = button.shortcut_text(ui.ctx().format_shortcut(&shortcut));
    }
    if ui.add(button).clicked() {
        queue.push(command);
    }
}

fn node_menu(ui: &mut egui::Ui, queue: &mut CommandQueue) {
    for command in [
        UiCommand::Duplicate,
        UiCommand::Copy,
        UiCommand::Cut,
        UiCommand::Delete,
    ] {
        command_button(ui, queue, command);
    }
    ui.separator();
    command_button(ui, queue, UiCommand::TidyUp);
}

fn wire_menu(ui: &mut egui::Ui, queue: &mut CommandQueue) {
    if ui.button("Delete wire").clicked() {
        queue.push(UiCommand::Delete);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Document {
        let text = crate::ui::examples::reference().text;
        let design = edgewire_engine::format::parse(text).expect("the reference example parses");
        Document::new(design, None)
    }

    fn on_screen(canvas: &CanvasState, doc: &Document, id: &str) -> bool {
        let node = doc.design.node(id).expect("node");
        let rect = canvas.node_rect(node, &doc.design.layout);
        canvas.rect.contains_rect(Rect::from_min_max(
            canvas.to_screen(rect.min),
            canvas.to_screen(rect.max),
        ))
    }

    #[test]
    fn showing_a_traces_nodes_brings_them_into_view_only_when_needed() {
        let doc = reference();
        let mut canvas = CanvasState {
            rect: Rect::from_min_size(pos2(0.0, 0.0), vec2(900.0, 500.0)),
            ..CanvasState::default()
        };
        canvas.fit_now(&doc);
        let trace = ["gateway", "products", "config", "app-db"].map(str::to_owned);

        // Already in view: the view stays where the user left it.
        let (zoom, pan) = (canvas.zoom, canvas.pan);
        canvas.show_now(&doc, &trace);
        assert_eq!((canvas.zoom, canvas.pan), (zoom, pan));

        // Scrolled away and zoomed in: centred on the nodes, zoomed out just enough.
        canvas.zoom = 2.0;
        canvas.pan = vec2(-5000.0, -3000.0);
        canvas.show_now(&doc, &trace);
        for id in &trace {
            assert!(on_screen(&canvas, &doc, id), "{id} is in view");
        }
        assert!(canvas.zoom < 2.0 && canvas.zoom >= size::MIN_ZOOM);

        // Unknown nodes (the design changed since) are ignored.
        let (zoom, pan) = (canvas.zoom, canvas.pan);
        canvas.show_now(&doc, &["gone".to_owned()]);
        assert_eq!((canvas.zoom, canvas.pan), (zoom, pan));
    }
}
