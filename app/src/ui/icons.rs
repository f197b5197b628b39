//! Node kind icons, drawn as simple vector shapes so they stay crisp at every zoom.

use edgewire_engine::Kind;
use eframe::egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, pos2, vec2};

/// Paint the icon of `kind` inside `rect` (square works best) in `color`.
pub fn paint(painter: &Painter, rect: Rect, kind: Kind, color: Color32) {
    let c = rect.center();
    let r = rect.width().min(rect.height()) / 2.0;
    let stroke = Stroke::new((r * 0.16).max(1.2), color);
    let p = |x: f32, y: f32| pos2(c.x + x * r, c.y + y * r);
    match kind {
        Kind::Client => {
            // A person: head and shoulders.
            painter.circle_stroke(p(0.0, -0.38), r * 0.32, stroke);
            let shoulders: Vec<Pos2> = (0..=16)
                .map(|i| {
                    let a = std::f32::consts::PI * (i as f32 / 16.0);
                    p(-0.72 * a.cos(), 0.85 - 0.62 * a.sin())
                })
                .collect();
            painter.add(Shape::line(shoulders, stroke));
            painter.line_segment([p(-0.72, 0.85), p(0.72, 0.85)], stroke);
        }
        Kind::Gateway => {
            // A shield with a check: the entry that checks requests.
            let shield = vec![
                p(0.0, -0.9),
                p(0.75, -0.6),
                p(0.7, 0.1),
                p(0.0, 0.9),
                p(-0.7, 0.1),
                p(-0.75, -0.6),
            ];
            painter.add(Shape::closed_line(shield, stroke));
            painter.add(Shape::line(
                vec![p(-0.32, 0.0), p(-0.05, 0.28), p(0.38, -0.3)],
                stroke,
            ));
        }
        Kind::Worker => {
            // Code brackets: a Worker runs code.
            painter.add(Shape::line(
                vec![p(-0.25, -0.7), p(-0.8, 0.0), p(-0.25, 0.7)],
                stroke,
            ));
            painter.add(Shape::line(
                vec![p(0.25, -0.7), p(0.8, 0.0), p(0.25, 0.7)],
                stroke,
            ));
            painter.line_segment([p(0.12, -0.8), p(-0.12, 0.8)], stroke);
        }
        Kind::Kv => {
            // A key.
            painter.circle_stroke(p(-0.45, 0.0), r * 0.36, stroke);
            painter.line_segment([p(-0.09, 0.0), p(0.85, 0.0)], stroke);
            painter.line_segment([p(0.55, 0.0), p(0.55, 0.35)], stroke);
            painter.line_segment([p(0.8, 0.0), p(0.8, 0.3)], stroke);
        }
        Kind::D1 => {
            // A database cylinder.
            let ellipse = |y: f32, top: bool| -> Vec<Pos2> {
                (0..=20)
                    .map(|i| {
                        let a = std::f32::consts::PI * (i as f32 / 20.0);
                        let dy = if top { -a.sin() } else { a.sin() };
                        p(-0.7 * a.cos(), y + 0.22 * dy)
                    })
                    .collect()
            };
            let mut top = ellipse(-0.55, true);
            top.extend(ellipse(-0.55, false).into_iter().rev());
            painter.add(Shape::closed_line(top, stroke));
            painter.add(Shape::line(ellipse(0.0, false), stroke));
            painter.add(Shape::line(ellipse(0.55, false), stroke));
            painter.line_segment([p(-0.7, -0.55), p(-0.7, 0.55)], stroke);
            painter.line_segment([p(0.7, -0.55), p(0.7, 0.55)], stroke);
        }
        Kind::Hyperdrive => {
            // A lightning bolt: accelerated access to a far database.
            let bolt = vec![
                p(0.15, -0.95),
                p(-0.55, 0.12),
                p(-0.02, 0.12),
                p(-0.15, 0.95),
                p(0.55, -0.12),
                p(0.02, -0.12),
            ];
            painter.add(Shape::convex_polygon(
                bolt.clone(),
                color.gamma_multiply(0.35),
                Stroke::NONE,
            ));
            painter.add(Shape::closed_line(bolt, stroke));
        }
        Kind::Note => {
            // A sheet with a folded corner.
            let sheet = vec![
                p(-0.65, -0.85),
                p(0.3, -0.85),
                p(0.65, -0.5),
                p(0.65, 0.85),
                p(-0.65, 0.85),
            ];
            painter.add(Shape::closed_line(sheet, stroke));
            for y in [-0.25, 0.1, 0.45] {
                painter.line_segment(
                    [p(-0.4, y), p(0.4, y)],
                    Stroke::new(stroke.width * 0.7, color),
                );
            }
        }
    }
}

/// Paint an icon in a small square at `center` (palette entries, lists).
pub fn paint_at(painter: &Painter, center: Pos2, side: f32, kind: Kind, color: Color32) {
    paint(
        painter,
        Rect::from_center_size(center, vec2(side, side)),
        kind,
        color,
    );
}
