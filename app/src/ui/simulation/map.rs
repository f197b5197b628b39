//! The world map of the Simulation tab: the land, the client regions sized by their share of
//! the traffic and coloured by p50, the edge next to them, the D1 primary and replicas, the
//! Hyperdrive origins and the Workers Smart Placement moves, and an arc from each client
//! region to every region its requests travel to ([`geo::map_view`]). A switch shows the
//! global design or the single-region one; a failure what-if marks where the node fails and
//! adds each region's failing share.

use std::cell::RefCell;

use edgewire_engine::regions;
use edgewire_engine::simulate::SimulationReport;
use edgewire_engine::simulate::geo::{self, MapLayout, MapView, Site, SiteKind};
use eframe::egui::{
    self, Align2, Color32, FontId, Pos2, Rect, Role, Sense, Stroke, TextureHandle, WidgetInfo,
    pos2, text::LayoutJob, vec2,
};

use super::land;
use super::marks::{arrow_head, legend_ui, symbol};
use crate::ui::theme::{Palette, SimulationPalette};

/// The map's switch and its land, rasterised for the size it was last drawn at.
pub struct MapState {
    pub layout: MapLayout,
    land: Option<(TextureHandle, [usize; 2])>,
}

impl Default for MapState {
    fn default() -> Self {
        Self {
            layout: MapLayout::Global,
            land: None,
        }
    }
}

/// Tallest the map is drawn (points); it is as wide as the room allows up to this.
const MAX_HEIGHT: f32 = 320.0;

impl MapState {
    pub fn ui(&mut self, ui: &mut egui::Ui, report: &SimulationReport) {
        let single = &report.placement.single_region;
        ui.horizontal(|ui| {
            ui.strong("World map");
            ui.selectable_value(&mut self.layout, MapLayout::Global, "Global design");
            ui.selectable_value(
                &mut self.layout,
                MapLayout::SingleRegion,
                format!("Single region ({single})"),
            );
        });
        let width = ui.available_width().min(MAX_HEIGHT * land::ASPECT);
        let (rect, response) =
            ui.allocate_exact_size(vec2(width, width / land::ASPECT), Sense::hover());
        let view = geo::map_view(report, self.layout);
        let summary = describe(report, self.layout, &view);
        response.widget_info(|| WidgetInfo::labeled(Role::Image, true, &summary));
        if ui.is_rect_visible(rect) {
            let colours = SimulationPalette::of(ui.visuals());
            let painter = ui.painter_at(rect);
            painter.rect_filled(rect, 4.0, colours.ocean);
            graticule(&painter, rect, colours.graticule);
            let land = self.land_texture(ui.ctx(), rect);
            let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
            painter.image(land.id(), rect, uv, colours.land);
            let draw = Draw {
                painter: &painter,
                rect,
                colours,
                layout: self.layout,
                taken: RefCell::new(Vec::new()),
            };
            let arc_labels = draw.flows(report, &view);
            draw.regions(ui, report);
            draw.sites(ui, report, &view);
            draw.failing(&view);
            draw.arc_labels(arc_labels);
        }
        legend_ui(ui, self.layout, report);
    }

    /// The land mask for `rect`, rasterised again when the size changed by more than a step
    /// (so dragging the panel's edge does not rasterise every frame).
    fn land_texture(&mut self, ctx: &egui::Context, rect: Rect) -> TextureHandle {
        const STEP: f32 = 64.0;
        let pixels = rect.width() * ctx.pixels_per_point();
        // A size in pixels: small and positive.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let width = ((pixels / STEP).ceil() * STEP).max(STEP) as usize;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let height = (width as f32 / land::ASPECT).round() as usize;
        match &self.land {
            Some((texture, size)) if *size == [width, height] => texture.clone(),
            _ => {
                let image = land::mask(&land::RINGS, width, height);
                let texture = ctx.load_texture("world_land", image, egui::TextureOptions::LINEAR);
                self.land = Some((texture.clone(), [width, height]));
                texture
            }
        }
    }
}

/// What the map shows, in words (its accessibility label).
fn describe(report: &SimulationReport, layout: MapLayout, view: &MapView) -> String {
    let design = match layout {
        MapLayout::Global => "global design".to_owned(),
        MapLayout::SingleRegion => format!("all in {}", report.placement.single_region),
    };
    let mut text = format!(
        "World map, {design}: {} client region(s), {} trip(s) to other regions",
        report.regions.len(),
        view.flows.len()
    );
    if !view.failing_regions.is_empty() {
        text.push_str("; failing in ");
        text.push_str(&view.failing_regions.join(", "));
    }
    text
}

/// Meridians and parallels every 30 degrees.
fn graticule(painter: &egui::Painter, rect: Rect, colour: Color32) {
    let stroke = Stroke::new(1.0, colour);
    for lon in (-150..=150).step_by(30) {
        let x = land::project(rect, lon as f32, 0.0).x;
        painter.vline(x, rect.y_range(), stroke);
    }
    for lat in (-30..=60).step_by(30) {
        let y = land::project(rect, 0.0, lat as f32).y;
        painter.hline(rect.x_range(), y, stroke);
    }
}

fn at(rect: Rect, region: &str) -> Option<Pos2> {
    regions::location(region).map(|(lon, lat)| {
        // Degrees on a map: f32 is plenty.
        #[allow(clippy::cast_possible_truncation)]
        land::project(rect, lon as f32, lat as f32)
    })
}

/// The p50 the map shows for a region's latency.
fn p50(latency: &edgewire_engine::simulate::Comparison, layout: MapLayout) -> f64 {
    match layout {
        MapLayout::Global => latency.global.p50_ms,
        MapLayout::SingleRegion => latency.single_region.p50_ms,
    }
}

/// Radius of a client region's circle: its area follows its share of the traffic.
fn radius(share: f64) -> f32 {
    // A share in 0..=1: f32 is enough for a radius.
    #[allow(clippy::cast_possible_truncation)]
    let share = share.clamp(0.0, 1.0) as f32;
    5.0 + 15.0 * share.sqrt()
}

struct Draw<'p> {
    painter: &'p egui::Painter,
    rect: Rect,
    colours: SimulationPalette,
    layout: MapLayout,
    /// Where labels are already drawn.
    taken: RefCell<Vec<Rect>>,
}

impl Draw<'_> {
    /// Arcs from each client region to where its requests go, coloured by the region's p50,
    /// as thick as the share of its requests that travel, labelled with that share.
    ///
    /// The arcs' labels are returned, with the points along each arc where they may go, to
    /// be placed last where they hide no other label ([`Draw::arc_labels`]).
    fn flows(&self, report: &SimulationReport, view: &MapView) -> Vec<(Vec<Pos2>, LayoutJob)> {
        let mut labels = Vec::new();
        for flow in &view.flows {
            let (Some(a), Some(b)) = (at(self.rect, &flow.from), at(self.rect, &flow.to)) else {
                continue;
            };
            let latency = report.regions.iter().find(|r| r.region == flow.from);
            let colour = latency.map_or(self.colours.text, |r| {
                self.colours.latency(p50(&r.latency, self.layout))
            });
            // Bend each arc to the left of its way (so a trip and its return are two arcs),
            // more for longer trips.
            let way = b - a;
            let control = a.lerp(b, 0.5) + vec2(way.y, -way.x) * 0.22;
            // Thicker for a larger share: f32 is plenty.
            #[allow(clippy::cast_possible_truncation)]
            let width = 1.2 + 3.0 * flow.share as f32;
            let stroke = Stroke::new(width, colour.gamma_multiply(0.9));
            self.painter
                .add(egui::epaint::QuadraticBezierShape::from_points_stroke(
                    [a, control, b],
                    false,
                    Color32::TRANSPARENT,
                    stroke,
                ));
            // The head stops at the destination's client circle (and edge ring), if any.
            let short_of = report
                .regions
                .iter()
                .find(|r| r.region == flow.to)
                .map_or(4.0, |r| radius(r.traffic_share) + 5.0);
            arrow_head(self.painter, control, b, short_of, 7.0 + width, colour);
            let along = |t: f32| a.lerp(control, t).lerp(control.lerp(b, t), t);
            let spots = [0.5, 0.4, 0.6, 0.3, 0.7].map(along).to_vec();
            let text = match self.layout {
                MapLayout::Global => format!("{:.0}%", flow.share * 100.0),
                MapLayout::SingleRegion => latency.map_or_else(String::new, |r| {
                    format!("p50 {:.0} ms", p50(&r.latency, self.layout))
                }),
            };
            labels.push((spots, plain(&text, colour, 10.0)));
        }
        labels
    }

    /// Each arc's label at the first of its spots where it overlaps no label drawn so far;
    /// none when there is no such spot.
    fn arc_labels(&self, labels: Vec<(Vec<Pos2>, LayoutJob)>) {
        for (spots, job) in labels {
            let galley = self.painter.layout_job(job);
            let free = spots.into_iter().find_map(|spot| {
                let plate = Align2::CENTER_CENTER
                    .anchor_size(spot, galley.size())
                    .expand(2.0);
                let clear = self.rect.contains_rect(plate)
                    && !self.taken.borrow().iter().any(|t| t.intersects(plate));
                clear.then_some(plate)
            });
            if let Some(plate) = free {
                self.painter.rect_filled(plate, 3.0, self.colours.label_bg);
                self.painter
                    .galley(plate.min + vec2(2.0, 2.0), galley, self.colours.text);
                self.taken.borrow_mut().push(plate);
            }
        }
    }

    /// The stores and placed Workers, in a row under their region's point, with their names.
    fn sites(&self, ui: &egui::Ui, report: &SimulationReport, view: &MapView) {
        let palette = Palette::of(ui.visuals());
        let mut by_region: Vec<(&str, Vec<&Site>)> = Vec::new();
        for site in &view.sites {
            match by_region.iter_mut().find(|(r, _)| *r == site.region) {
                Some((_, list)) => list.push(site),
                None => by_region.push((&site.region, vec![site])),
            }
        }
        for (region, sites) in by_region {
            let Some(point) = at(self.rect, region) else {
                continue;
            };
            // Under the client circle of the region, if it has one.
            let below_client = report
                .regions
                .iter()
                .find(|r| r.region == region)
                .map_or(0.0, |r| radius(r.traffic_share) + 4.0);
            let point = point + vec2(0.0, below_client + 8.0);
            let count = sites.len() as f32;
            let mut names = Vec::new();
            for (i, site) in sites.iter().enumerate() {
                let centre = point + vec2((i as f32 - (count - 1.0) / 2.0) * 15.0, 0.0);
                symbol(
                    self.painter,
                    site.kind,
                    centre,
                    6.0,
                    &palette,
                    &self.colours,
                );
                names.push(match site.kind {
                    SiteKind::D1Primary => format!("{} primary", site.node),
                    SiteKind::D1Replica => format!("{} replica", site.node),
                    SiteKind::HyperdriveOrigin => format!("{} origin", site.node),
                    SiteKind::PlacedWorker => format!("{} (Smart Placement)", site.node),
                    SiteKind::SingleRegion => format!("everything in {region}"),
                });
            }
            let below = point + vec2(0.0, 9.0);
            let text = names.join("\n");
            self.label(
                below,
                Align2::CENTER_TOP,
                plain(&text, self.colours.text, 10.0),
            );
        }
    }

    /// The client regions: a circle sized by traffic and coloured by p50 (ringed by the edge
    /// in the global design), and a label with the share, the p50 and the failing share.
    fn regions(&self, ui: &egui::Ui, report: &SimulationReport) {
        for region in &report.regions {
            let Some(point) = at(self.rect, &region.region) else {
                continue;
            };
            let ms = p50(&region.latency, self.layout);
            let colour = self.colours.latency(ms);
            let r = radius(region.traffic_share);
            self.painter.circle(
                point,
                r,
                colour.gamma_multiply(0.45),
                Stroke::new(1.5, colour),
            );
            if self.layout == MapLayout::Global {
                self.painter
                    .circle_stroke(point, r + 3.0, Stroke::new(1.5, self.colours.edge));
            }
            let failing = region.failing.map(|f| match self.layout {
                MapLayout::Global => f.global,
                MapLayout::SingleRegion => f.single_region,
            });
            let mut job = LayoutJob::default();
            let font = FontId::proportional(11.0);
            let append = |job: &mut LayoutJob, text: &str, colour: Color32| {
                job.append(text, 0.0, egui::TextFormat::simple(font.clone(), colour));
            };
            append(
                &mut job,
                &format!(
                    "{} · {:.0}%\np50 {ms:.0} ms",
                    region.region,
                    region.traffic_share * 100.0
                ),
                self.colours.text,
            );
            if let Some(failing) = failing {
                append(
                    &mut job,
                    &format!("\n{:.1}% fail", failing * 100.0),
                    self.colours.failing,
                );
            }
            let (anchor, offset) = if point.x > self.rect.right() - 110.0 {
                (Align2::RIGHT_CENTER, vec2(-(r + 6.0), 0.0))
            } else {
                (Align2::LEFT_CENTER, vec2(r + 6.0, 0.0))
            };
            self.label(point + offset, anchor, job);
            let name = format!(
                "{}: {:.0}% of requests, p50 {ms:.0} ms{}",
                region.region,
                region.traffic_share * 100.0,
                failing.map_or_else(String::new, |f| format!(", {:.1}% fail", f * 100.0))
            );
            let id = ui.scope_id().with(("map_region", &region.region));
            let hover = Rect::from_center_size(point, vec2(2.0 * r, 2.0 * r));
            let response = ui.interact(hover, id, Sense::hover());
            response.widget_info(|| WidgetInfo::labeled(Role::Image, true, &name));
            response.on_hover_text(name);
        }
    }

    /// A red cross where the failing node fails.
    fn failing(&self, view: &MapView) {
        let stroke = Stroke::new(2.5, self.colours.failing);
        for region in &view.failing_regions {
            let Some(point) = at(self.rect, region) else {
                continue;
            };
            let c = point + vec2(0.0, -16.0);
            self.painter.circle_stroke(c, 8.0, stroke);
            self.painter
                .line_segment([c + vec2(-5.0, -5.0), c + vec2(5.0, 5.0)], stroke);
            self.painter
                .line_segment([c + vec2(-5.0, 5.0), c + vec2(5.0, -5.0)], stroke);
        }
    }

    /// A text on a translucent plate, kept inside the map.
    fn label(&self, pos: Pos2, anchor: Align2, job: LayoutJob) {
        let galley = self.painter.layout_job(job);
        let mut plate = anchor.anchor_size(pos, galley.size()).expand(2.0);
        plate = plate.translate(vec2(
            (self.rect.left() - plate.left()).max(0.0)
                - (plate.right() - self.rect.right()).max(0.0),
            (self.rect.top() - plate.top()).max(0.0)
                - (plate.bottom() - self.rect.bottom()).max(0.0),
        ));
        self.painter.rect_filled(plate, 3.0, self.colours.label_bg);
        self.painter
            .galley(plate.min + vec2(2.0, 2.0), galley, self.colours.text);
        self.taken.borrow_mut().push(plate);
    }
}

fn plain(text: &str, colour: Color32, size: f32) -> LayoutJob {
    LayoutJob::simple(
        text.to_owned(),
        FontId::proportional(size),
        colour,
        f32::INFINITY,
    )
}
