//! Node cards: their size, what they say, and how they are painted.

use edgewire_engine::model::Role;
use edgewire_engine::validate::Severity;
use edgewire_engine::{Kind, Node};
use eframe::egui::{
    Align2, Color32, FontFamily, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2,
    pos2, text::LayoutJob, vec2,
};

use super::text::SceneText;
use crate::ui::kinds;
use crate::ui::theme::{self, Palette, size};

/// How big a node's card is, in canvas units.
pub fn size(node: &Node) -> Vec2 {
    if let Some(text) = kinds::of(node.kind.kind()).note_text(&node.kind) {
        let chars = text.chars().count().max(1);
        let lines = (chars / 34 + 1).min(9) as f32;
        vec2(size::NOTE_WIDTH, 20.0 + lines * 16.0)
    } else {
        let lines = summary(node).len() as f32;
        vec2(
            size::CARD_WIDTH,
            size::CARD_HEADER + 2.0 * size::CARD_PAD + lines.max(1.0) * size::CARD_LINE - 4.0,
        )
    }
}

/// Whether wires can start at a node of this kind (it has an output port): callers and
/// Workers.
pub fn has_output(kind: Kind) -> bool {
    matches!(kind.spec().role, Role::Caller | Role::Worker)
}

/// Whether wires can end at a node of this kind (it has an input port): Workers and stores.
pub fn has_input(kind: Kind) -> bool {
    matches!(kind.spec().role, Role::Worker | Role::Store)
}

/// Where the output port is.
pub fn output_port(rect: Rect) -> Pos2 {
    pos2(rect.right(), rect.top() + size::CARD_HEADER / 2.0)
}

/// Where the input port is.
pub fn input_port(rect: Rect) -> Pos2 {
    pos2(rect.left(), rect.top() + size::CARD_HEADER / 2.0)
}

/// The curve of a wire from one card's output port to another's input port, in canvas
/// coordinates (the canvas and the SVG picture draw the same one).
pub fn wire_points(from: Rect, to: Rect) -> [Pos2; 4] {
    let a = output_port(from);
    let b = input_port(to);
    let dx = ((b.x - a.x).abs() * 0.5).max(50.0);
    [a, a + vec2(dx, 0.0), b - vec2(dx, 0.0), b]
}

/// The summary lines a card shows: what the node holds.
/// The short upper-case name at the right of a card's title bar: the kind's, or `CODE` for
/// a code Worker and `EXTERNAL` for a Worker outside the project.
pub fn badge(node: &Node) -> &'static str {
    match &node.kind {
        edgewire_engine::NodeKind::Worker(edgewire_engine::model::Worker {
            code: Some(code),
            ..
        }) => {
            if code.external {
                "EXTERNAL"
            } else {
                "CODE"
            }
        }
        kind => kind.kind().spec().badge,
    }
}

pub fn summary(node: &Node) -> Vec<String> {
    let mut lines = kinds::of(node.kind.kind()).summary(&node.kind);
    if lines.len() > size::CARD_MAX_LINES {
        let more = lines.len() - size::CARD_MAX_LINES + 1;
        lines.truncate(size::CARD_MAX_LINES - 1);
        lines.push(format!("+{more} more"));
    }
    lines
}

/// How a card is drawn this frame.
pub struct CardLook {
    pub selected: bool,
    pub hovered: bool,
    /// Highlighted as a wire target: `Some(true)` accepted, `Some(false)` refused.
    pub target: Option<bool>,
    /// Problems of the node: how many and the worst severity.
    pub problems: Option<(usize, Severity)>,
    /// Draw text and icons (false when zoomed far out).
    pub detailed: bool,
    /// How text is laid out at the current zoom.
    pub text: SceneText,
}

/// Paint a card in canvas coordinates.
pub fn paint(painter: &Painter, palette: &Palette, node: &Node, rect: Rect, look: &CardLook) {
    let kind = node.kind.kind();
    let rounding = theme::card_rounding();
    let accent = palette.kind(kind);
    if let Some(text) = kinds::of(kind).note_text(&node.kind) {
        painter.rect_filled(rect.translate(vec2(0.0, 2.0)), rounding, palette.shadow);
        painter.rect_filled(rect, rounding, palette.note);
        if look.detailed {
            let job = wrapped(text, rect.width() - 20.0, 12.5, palette.note_text, 9);
            let galley = look.text.layout_job(painter, job);
            painter.galley(rect.min + vec2(10.0, 10.0), galley, palette.note_text);
        }
        outline(painter, palette, rect, look, accent.gamma_multiply(0.6));
        return;
    }
    if !look.detailed {
        painter.rect_filled(rect, rounding, palette.card);
        let header = Rect::from_min_max(rect.min, pos2(rect.max.x, rect.min.y + size::CARD_HEADER));
        painter.rect_filled(header, rounding, accent);
        outline(painter, palette, rect, look, palette.card_border);
        return;
    }
    painter.rect_filled(rect.translate(vec2(0.0, 3.0)), rounding, palette.shadow);
    painter.rect_filled(rect, rounding, palette.card);
    let header = Rect::from_min_max(rect.min, pos2(rect.max.x, rect.min.y + size::CARD_HEADER));
    painter.rect_filled(
        header,
        eframe::egui::CornerRadius {
            nw: size::CARD_ROUNDING,
            ne: size::CARD_ROUNDING,
            sw: 0,
            se: 0,
        },
        palette.kind_soft(kind),
    );
    // A thin accent stripe under the title bar.
    painter.line_segment(
        [
            pos2(header.left(), header.bottom()),
            pos2(header.right(), header.bottom()),
        ],
        Stroke::new(1.5, accent),
    );
    let icon_center = pos2(header.left() + 18.0, header.center().y);
    kinds::paint_icon_at(painter, icon_center, 18.0, kind, accent);
    let title = look.text.layout_job(
        painter,
        single_line(&node.id, header.width() - 92.0, 15.0, palette.text),
    );
    painter.galley(
        pos2(
            header.left() + 34.0,
            header.center().y - title.size().y / 2.0,
        ),
        title,
        palette.text,
    );
    look.text.text(
        painter,
        pos2(header.right() - 14.0, header.center().y),
        Align2::RIGHT_CENTER,
        badge(node),
        FontId::proportional(10.5),
        palette.text_weak,
    );
    let mut y = header.bottom() + size::CARD_PAD;
    for line in summary(node) {
        let job = single_line(&line, rect.width() - 20.0, 12.5, palette.text_weak);
        let galley = look.text.layout_job(painter, job);
        painter.galley(pos2(rect.left() + 10.0, y), galley, palette.text_weak);
        y += size::CARD_LINE;
    }
    outline(painter, palette, rect, look, palette.card_border);
    if let Some((count, severity)) = look.problems {
        let center = pos2(rect.right() - 2.0, rect.top() + 2.0);
        painter.circle(
            center,
            9.0,
            palette.severity(severity),
            Stroke::new(2.0, palette.card),
        );
        look.text.text(
            painter,
            center,
            Align2::CENTER_CENTER,
            count.min(99).to_string(),
            FontId::proportional(10.5),
            Color32::WHITE,
        );
    }
}

fn outline(painter: &Painter, palette: &Palette, rect: Rect, look: &CardLook, normal: Color32) {
    let stroke = match look.target {
        Some(true) => Stroke::new(2.5, palette.selection),
        Some(false) => Stroke::new(2.5, palette.invalid),
        None if look.selected => Stroke::new(2.0, palette.selection),
        None if look.hovered => Stroke::new(1.5, palette.text_weak),
        None => Stroke::new(1.0, normal),
    };
    painter.rect_stroke(rect, theme::card_rounding(), stroke, StrokeKind::Outside);
    if look.selected {
        painter.add(Shape::rect_stroke(
            rect.expand(3.0),
            eframe::egui::CornerRadius::same(size::CARD_ROUNDING + 3),
            Stroke::new(1.0, palette.selection.gamma_multiply(0.4)),
            StrokeKind::Outside,
        ));
    }
}

/// Paint a wire port.
pub fn paint_port(
    painter: &Painter,
    palette: &Palette,
    center: Pos2,
    color: Color32,
    active: bool,
) {
    let radius = if active {
        size::PORT_RADIUS + 1.5
    } else {
        size::PORT_RADIUS
    };
    painter.circle(center, radius, palette.card, Stroke::new(2.0, color));
    if active {
        painter.circle_filled(center, radius - 3.0, color);
    }
}

fn single_line(text: &str, width: f32, font_size: f32, color: Color32) -> LayoutJob {
    let mut job = LayoutJob::single_section(
        text.to_owned(),
        eframe::egui::TextFormat {
            font_id: FontId::new(font_size, FontFamily::Proportional),
            color,
            ..Default::default()
        },
    );
    job.wrap.max_width = width;
    job.wrap.max_rows = 1;
    job.wrap.break_anywhere = true;
    job
}

fn wrapped(text: &str, width: f32, font_size: f32, color: Color32, rows: usize) -> LayoutJob {
    let mut job = single_line(text, width, font_size, color);
    job.wrap.max_rows = rows;
    job.wrap.break_anywhere = false;
    job
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::examples;
    use edgewire_engine::format;

    #[test]
    fn reference_cards_do_not_overlap() {
        let design = format::parse(examples::reference().text).expect("parses");
        let rects: Vec<(String, Rect)> = design
            .nodes
            .iter()
            .map(|n| {
                let pos = design.layout[&n.id];
                (
                    n.id.clone(),
                    Rect::from_min_size(pos2(pos.x, pos.y), size(n)),
                )
            })
            .collect();
        for (i, (a, ra)) in rects.iter().enumerate() {
            for (b, rb) in &rects[i + 1..] {
                assert!(!ra.intersects(*rb), "{a} overlaps {b}");
            }
        }
    }

    #[test]
    fn summaries_say_what_nodes_hold() {
        let design = format::parse(examples::reference().text).expect("parses");
        let products = design.node("products").expect("products");
        let lines = summary(products);
        assert!(lines.iter().any(|l| l == "GET /products"), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("uses ")), "{lines:?}");
        let db = design.node("app-db").expect("app-db");
        assert_eq!(summary(db)[0], "2 migrations");
    }
}
