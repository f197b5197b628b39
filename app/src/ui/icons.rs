//! The pen node kind icons are drawn with: simple vector shapes in units of the icon's
//! radius, so they stay crisp at every zoom. Each kind draws its own icon (`kinds/`).

use eframe::egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, pos2};

/// Draws one icon: points are given in radii from the icon's centre.
pub struct Pen<'a> {
    pub painter: &'a Painter,
    pub color: Color32,
    /// The outline stroke, thicker for bigger icons.
    pub stroke: Stroke,
    center: Pos2,
    radius: f32,
}

impl<'a> Pen<'a> {
    /// A pen for an icon inside `rect` (square works best) in `color`.
    pub fn new(painter: &'a Painter, rect: Rect, color: Color32) -> Self {
        let radius = rect.width().min(rect.height()) / 2.0;
        Self {
            painter,
            color,
            stroke: Stroke::new((radius * 0.16).max(1.2), color),
            center: rect.center(),
            radius,
        }
    }

    /// The point `x` radii right of and `y` radii below the centre.
    pub fn p(&self, x: f32, y: f32) -> Pos2 {
        pos2(
            self.center.x + x * self.radius,
            self.center.y + y * self.radius,
        )
    }

    /// A circle outline around `center`, `radius` radii wide.
    pub fn circle(&self, center: Pos2, radius: f32) {
        self.painter
            .circle_stroke(center, self.radius * radius, self.stroke);
    }

    /// A straight line.
    pub fn segment(&self, from: Pos2, to: Pos2) {
        self.painter.line_segment([from, to], self.stroke);
    }

    /// An open line through `points`.
    pub fn line(&self, points: Vec<Pos2>) {
        self.painter.add(Shape::line(points, self.stroke));
    }

    /// A closed outline through `points`.
    pub fn closed_line(&self, points: Vec<Pos2>) {
        self.painter.add(Shape::closed_line(points, self.stroke));
    }
}
