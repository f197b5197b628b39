//! The canvas: nodes as cards, wires as labelled curves, pan and zoom, selection, moving,
//! wiring, box-select, context menus and the minimap.
//!
//! The canvas draws into its own layer whose transform is the view (pan and zoom), like
//! [`egui::Scene`]: everything inside is in canvas coordinates. Pan, zoom, hover, drags and
//! the selection rectangle are view state ([`CanvasState`]); changes to the design are pushed
//! as [`Command`](super::commands::Command)s.
//!
//! This module holds the view state and the frame's pass; the parts are by concern:
//! `background` (pan, zoom, box selection, clicks on the empty canvas), `nodes` (cards:
//! select, move, ports), `wires` (drawing, hit-testing, wiring), `menus` (context menus, the
//! add-node popup), `minimap`, `overlay` (the Run overlay), `card` (card geometry and
//! painting) and `text` (text at every zoom).

mod background;
pub mod card;
mod menus;
mod minimap;
mod nodes;
mod overlay;
mod text;
mod wires;

use std::collections::{BTreeMap, HashMap};

use edgewire_engine::validate::{Severity, Target};
use edgewire_engine::{Node, NodeId, Pos};
use eframe::egui::{
    self, Align2, FontId, Key, LayerId, Pos2, Rect, Role, Sense, Stroke, StrokeKind, UiBuilder,
    Vec2, WidgetInfo, emath::TSTransform, pos2, vec2,
};

use super::commands::{CommandQueue, Selection};
use super::document::Document;
use super::ops;
use super::theme::{Palette, size};

pub use menus::command_button;

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

/// What the parts of one canvas pass all read: the document, the selection, the colours,
/// the visible part of the canvas, and whether the zoom shows details.
#[derive(Clone, Copy)]
struct Frame<'a> {
    doc: &'a Document,
    selection: &'a Selection,
    palette: &'a Palette,
    visible: Rect,
    detailed: bool,
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

        let frame = Frame {
            doc,
            selection,
            palette: &palette,
            visible,
            detailed,
        };
        self.wires_ui(&mut scene, frame, queue);
        let rects = self.nodes_ui(&mut scene, frame, queue, space);
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
