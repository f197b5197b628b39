//! The design as an SVG picture for documents and slides: the canvas's cards, wires and
//! binding labels where the canvas puts them, in the light theme. Text stays text (it can be
//! selected and searched) in the viewer's UI font, so its widths are estimates: long lines
//! are cut with `…` to stay inside their card.

use std::fmt::Write as _;

use edgewire_engine::graph::wire_role;
use edgewire_engine::{Design, Kind, Node};
use eframe::egui::epaint::CubicBezierShape;
use eframe::egui::{Color32, Pos2, Rect, Stroke, Visuals, pos2, vec2};

use super::canvas::card;
use super::kinds;
use super::theme::{Palette, size};

/// Space around the design, in canvas units.
const MARGIN: f32 = 32.0;
/// An estimate of the average advance of a proportional glyph, in ems.
const PROPORTIONAL_EM: f32 = 0.55;
/// The advance of a monospace glyph, in ems.
const MONOSPACE_EM: f32 = 0.6;
const TITLE_SIZE: f32 = 15.0;
const KIND_SIZE: f32 = 10.5;
/// The advance of a capital letter, in ems (capitals are wider than the average glyph).
const CAPITALS_EM: f32 = 0.7;
/// How much wider a semibold glyph is than a regular one (an estimate).
const BOLD_WIDER: f32 = 1.12;
/// Characters per line and line spacing of a note, as the canvas sizes notes.
const NOTE_CHARS: usize = 34;
const NOTE_LINE: f32 = 16.0;
const FONT: &str = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const MONO: &str = "'JetBrains Mono', ui-monospace, Menlo, Consolas, monospace";

/// The whole design as a standalone SVG document.
pub fn design_svg(design: &Design) -> String {
    let palette = Palette::of(&Visuals::light());
    let rect_of = |node: &Node| {
        let pos = design
            .layout
            .get(&node.id)
            .map_or(Pos2::ZERO, |p| pos2(p.x, p.y));
        Rect::from_min_size(pos, card::size(node))
    };
    let bounds = design
        .nodes
        .iter()
        .map(rect_of)
        .reduce(Rect::union)
        .unwrap_or_else(|| Rect::from_min_size(Pos2::ZERO, vec2(200.0, 100.0)))
        .expand(MARGIN);

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="{}" height="{}" font-family="{}">"#,
        num(bounds.min.x),
        num(bounds.min.y),
        num(bounds.width()),
        num(bounds.height()),
        num(bounds.width()),
        num(bounds.height()),
        xml(FONT)
    );
    let _ = writeln!(out, "<title>{}</title>", xml(&design.name));
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
        num(bounds.min.x),
        num(bounds.min.y),
        num(bounds.width()),
        num(bounds.height()),
        hex(palette.canvas)
    );

    // Wires first, so that cards cover their ends.
    let mut labels = String::new();
    for wire in &design.wires {
        let (Some(from), Some(to)) = (design.node(&wire.from), design.node(&wire.to)) else {
            continue;
        };
        let (from_kind, to_kind) = (from.kind.kind(), to.kind.kind());
        let valid = wire_role(from_kind, to_kind).is_ok();
        let color = if valid {
            palette.kind(to_kind).gamma_multiply(0.85)
        } else {
            palette.invalid
        };
        let points = card::wire_points(rect_of(from), rect_of(to));
        let [a, c1, c2, b] = points;
        let _ = writeln!(
            out,
            r#"<path data-wire="{} {}" d="M{} {} C{} {} {} {} {} {}" fill="none" stroke="{}"{} stroke-width="2"{}/>"#,
            xml(&wire.from),
            xml(&wire.to),
            num(a.x),
            num(a.y),
            num(c1.x),
            num(c1.y),
            num(c2.x),
            num(c2.y),
            num(b.x),
            num(b.y),
            hex(color),
            opacity("stroke-opacity", color),
            if valid {
                ""
            } else {
                r#" stroke-dasharray="8 5""#
            }
        );
        let tip = b - vec2(size::PORT_RADIUS + 1.0, 0.0);
        let _ = writeln!(
            out,
            r#"<polygon points="{},{} {},{} {},{}" fill="{}"{}/>"#,
            num(tip.x),
            num(tip.y),
            num(tip.x - 9.0),
            num(tip.y - 5.0),
            num(tip.x - 9.0),
            num(tip.y + 5.0),
            hex(color),
            opacity("fill-opacity", color)
        );
        let (label, mono) = if wire.binding.is_empty() {
            if from_kind == Kind::Client {
                ("requests", false)
            } else {
                continue;
            }
        } else {
            (wire.binding.as_str(), true)
        };
        let mid =
            CubicBezierShape::from_points_stroke(points, false, Color32::TRANSPARENT, Stroke::NONE)
                .sample(0.5);
        let font_size = if mono { 11.5 } else { 11.0 };
        let em = if mono { MONOSPACE_EM } else { PROPORTIONAL_EM };
        #[allow(clippy::cast_precision_loss)] // a label's character count
        let width = label.chars().count() as f32 * font_size * em + 12.0;
        let height = font_size + 7.0;
        let _ = writeln!(
            labels,
            r#"<g data-label="{} {}"><rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{}" stroke="{}"{}/><text x="{}" y="{}" font-size="{}"{} text-anchor="middle" fill="{}">{}</text></g>"#,
            xml(&wire.from),
            xml(&wire.to),
            num(mid.x - width / 2.0),
            num(mid.y - height / 2.0),
            num(width),
            num(height),
            num(height / 2.0),
            hex(palette.wire_label_bg),
            hex(color),
            opacity("stroke-opacity", color),
            num(mid.x),
            num(baseline(mid.y, font_size)),
            num(font_size),
            if mono {
                format!(r#" font-family="{}""#, xml(MONO))
            } else {
                String::new()
            },
            hex(palette.text),
            xml(label)
        );
    }
    out.push_str(&labels);
    for node in &design.nodes {
        card_svg(&mut out, &palette, node, rect_of(node));
    }
    out.push_str("</svg>\n");
    out
}

fn card_svg(out: &mut String, palette: &Palette, node: &Node, rect: Rect) {
    let kind = node.kind.kind();
    let radius = f32::from(size::CARD_ROUNDING);
    let _ = write!(out, r#"<g data-node="{}">"#, xml(&node.id));
    if let Some(text) = kinds::of(kind).note_text(&node.kind) {
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{}" stroke="{}"/>"#,
            num(rect.min.x),
            num(rect.min.y),
            num(rect.width()),
            num(rect.height()),
            num(radius),
            hex(palette.note),
            hex(palette.kind(kind))
        );
        // As the canvas sizes a note: about 34 characters a line, 16 units apart.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rows = ((rect.height() - 20.0) / NOTE_LINE).round().max(1.0) as usize;
        let lines = wrap(text, NOTE_CHARS, rows);
        text_lines(
            out,
            &lines,
            rect.min + vec2(10.0, 10.0 + 12.0),
            12.5,
            NOTE_LINE,
            palette.note_text,
        );
        out.push_str("</g>\n");
        return;
    }
    let accent = palette.kind(kind);
    let header_bottom = rect.min.y + size::CARD_HEADER;
    // The card, its title bar (square below), the accent stripe under it.
    let _ = write!(
        out,
        r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{card}" stroke="{border}"/><path d="M{x} {hb} V{yr} Q{x} {y} {xr} {y} H{xw_r} Q{xw} {y} {xw} {yr} V{hb} Z" fill="{soft}"/><line x1="{x}" y1="{hb}" x2="{xw}" y2="{hb}" stroke="{accent}" stroke-width="1.5"/><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="none" stroke="{border}"/>"#,
        x = num(rect.min.x),
        y = num(rect.min.y),
        w = num(rect.width()),
        h = num(rect.height()),
        r = num(radius),
        hb = num(header_bottom),
        yr = num(rect.min.y + radius),
        xr = num(rect.min.x + radius),
        xw = num(rect.max.x),
        xw_r = num(rect.max.x - radius),
        card = hex(palette.card),
        border = hex(palette.card_border),
        soft = hex(palette.kind_soft(kind)),
        accent = hex(accent),
    );
    let middle = rect.min.y + size::CARD_HEADER / 2.0;
    // The kind's colour where the canvas draws its icon.
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="12" height="12" rx="3" fill="{}"/>"#,
        num(rect.min.x + 12.0),
        num(middle - 6.0),
        hex(accent)
    );
    // The title bar holds the id and, when both fit, the kind's short name at the right. The
    // id matters more: a long one takes the kind's place (the colour still tells the kind).
    let title_room = rect.width() - 34.0 - 14.0;
    let title = cut(&node.id, title_room, TITLE_SIZE * BOLD_WIDER);
    let kind_name = crate::ui::canvas::card::badge(node);
    #[allow(clippy::cast_precision_loss)] // short texts
    let needed = title.chars().count() as f32 * TITLE_SIZE * BOLD_WIDER * PROPORTIONAL_EM
        + kind_name.len() as f32 * KIND_SIZE * CAPITALS_EM
        + 8.0;
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" font-weight="600" fill="{}">{}</text>"#,
        num(rect.min.x + 34.0),
        num(baseline(middle, TITLE_SIZE)),
        num(TITLE_SIZE),
        hex(palette.text),
        xml(&title)
    );
    if needed <= title_room {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>"#,
            num(rect.max.x - 14.0),
            num(baseline(middle, KIND_SIZE)),
            num(KIND_SIZE),
            hex(palette.text_weak),
            kind_name
        );
    }
    let lines: Vec<String> = card::summary(node)
        .iter()
        .map(|line| cut(line, rect.width() - 20.0, 12.5))
        .collect();
    text_lines(
        out,
        &lines,
        pos2(rect.min.x + 10.0, header_bottom + size::CARD_PAD + 12.5),
        12.5,
        size::CARD_LINE,
        palette.text_weak,
    );
    out.push_str("</g>\n");
}

/// Lines of text, the first baseline at `first`, `spacing` apart.
fn text_lines(
    out: &mut String,
    lines: &[String],
    first: Pos2,
    font_size: f32,
    spacing: f32,
    color: Color32,
) {
    for (i, line) in lines.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)] // a handful of lines
        let y = first.y + i as f32 * spacing;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}" xml:space="preserve">{}</text>"#,
            num(first.x),
            num(y),
            num(font_size),
            hex(color),
            xml(line)
        );
    }
}

/// The baseline that centres a line of `font_size` text on `middle` (viewers disagree on
/// `dominant-baseline`, so it is not used).
fn baseline(middle: f32, font_size: f32) -> f32 {
    middle + font_size * 0.35
}

/// How many glyphs of `font_size` fit in `width` (an estimate).
fn fits(width: f32, font_size: f32) -> usize {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = (width / (font_size * PROPORTIONAL_EM)).floor().max(1.0) as usize;
    n
}

/// `text` on one line of `width`, cut with `…` when it would not fit.
fn cut(text: &str, width: f32, font_size: f32) -> String {
    cut_to(text, fits(width, font_size))
}

/// `text` in at most `max` characters, cut with `…`.
fn cut_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// `text` wrapped at spaces into at most `rows` lines of `max` characters.
fn wrap(text: &str, max: usize, rows: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if !line.is_empty() && needed > max {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    if lines.len() > rows {
        lines.truncate(rows);
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    lines.iter().map(|line| cut_to(line, max)).collect()
}

/// A number for SVG: at most two decimals, no trailing zeros.
fn num(value: f32) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// The colour without its alpha (see [`opacity`]); egui's colours are premultiplied.
fn hex(color: Color32) -> String {
    let [r, g, b, _] = color.to_srgba_unmultiplied();
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// ` name="alpha"` for a colour that is not opaque.
fn opacity(name: &str, color: Color32) -> String {
    if color.a() == u8::MAX {
        String::new()
    } else {
        format!(r#" {name}="{}""#, num(f32::from(color.a()) / 255.0))
    }
}

/// Text escaped for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(1.0 / 3.0), "0.33");
    }

    #[test]
    fn long_text_is_cut_and_notes_wrap() {
        assert_eq!(cut("short", 200.0, 12.5), "short");
        let long = "x".repeat(100);
        let kept = cut(&long, 100.0, 12.5);
        assert!(kept.ends_with('…') && kept.chars().count() == fits(100.0, 12.5));
        let lines = wrap("one two three four five six", 9, 2);
        assert_eq!(lines, ["one two", "three …"]);
        assert_eq!(
            wrap(
                "a

b", 9, 5
            ),
            ["a", "", "b"]
        );
        assert_eq!(wrap(&"y".repeat(12), 9, 5), ["yyyyyyyy…"]);
    }
}
