//! Colours, sizes and spacing: the design tokens every panel and the canvas read.
//!
//! Nothing else in the UI names a colour or a spacing; change the look here.

use edgewire_engine::Kind;
use edgewire_engine::validate::Severity;
use eframe::egui::{self, Color32, CornerRadius, Stroke, Visuals};

/// Which theme the user chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    Dark,
    Light,
}

impl ThemeChoice {
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
            ThemeChoice::Light => egui::ThemePreference::Light,
        }
    }
}

/// Canvas geometry, in canvas units (points at 100 %).
pub mod size {
    /// Width of a node card.
    pub const CARD_WIDTH: f32 = 200.0;
    /// Width of a note card.
    pub const NOTE_WIDTH: f32 = 230.0;
    /// Height of a card's title bar.
    pub const CARD_HEADER: f32 = 34.0;
    /// Height of one summary line on a card.
    pub const CARD_LINE: f32 = 17.0;
    /// Most summary lines a card shows (the last one says how many more).
    pub const CARD_MAX_LINES: usize = 4;
    /// Padding inside a card below the title bar.
    pub const CARD_PAD: f32 = 8.0;
    pub const CARD_ROUNDING: u8 = 8;
    /// Radius of a wire port.
    pub const PORT_RADIUS: f32 = 6.0;
    /// Grid spacing; moved nodes snap to it.
    pub const GRID: f32 = 20.0;
    /// Horizontal and vertical gaps used by tidy-up.
    pub const LAYOUT_COLUMN: f32 = 290.0;
    pub const LAYOUT_ROW_GAP: f32 = 40.0;
    /// Zoom limits.
    pub const MIN_ZOOM: f32 = 0.05;
    pub const MAX_ZOOM: f32 = 3.0;
    /// Below this zoom, cards are drawn without text.
    pub const DETAIL_ZOOM: f32 = 0.35;
    /// Minimap size in screen points.
    pub const MINIMAP: [f32; 2] = [200.0, 130.0];
}

/// The colours of the current theme.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub dark: bool,
    pub canvas: Color32,
    pub grid: Color32,
    pub card: Color32,
    pub card_border: Color32,
    pub text: Color32,
    pub text_weak: Color32,
    pub selection: Color32,
    pub wire: Color32,
    pub wire_label_bg: Color32,
    pub invalid: Color32,
    pub note: Color32,
    pub note_text: Color32,
    pub shadow: Color32,
}

impl Palette {
    pub fn of(visuals: &Visuals) -> Self {
        if visuals.dark_mode {
            Self {
                dark: true,
                canvas: Color32::from_rgb(24, 26, 31),
                grid: Color32::from_rgb(38, 41, 48),
                card: Color32::from_rgb(40, 43, 51),
                card_border: Color32::from_rgb(62, 66, 77),
                text: Color32::from_rgb(228, 231, 236),
                text_weak: Color32::from_rgb(178, 184, 196),
                selection: Color32::from_rgb(90, 160, 255),
                wire: Color32::from_rgb(132, 140, 158),
                wire_label_bg: Color32::from_rgb(33, 36, 43),
                invalid: Color32::from_rgb(239, 83, 80),
                note: Color32::from_rgb(66, 60, 38),
                note_text: Color32::from_rgb(236, 226, 190),
                shadow: Color32::from_black_alpha(90),
            }
        } else {
            Self {
                dark: false,
                canvas: Color32::from_rgb(246, 247, 249),
                grid: Color32::from_rgb(226, 229, 234),
                card: Color32::WHITE,
                card_border: Color32::from_rgb(208, 213, 221),
                text: Color32::from_rgb(30, 34, 42),
                text_weak: Color32::from_rgb(84, 92, 106),
                selection: Color32::from_rgb(30, 110, 235),
                wire: Color32::from_rgb(128, 136, 150),
                wire_label_bg: Color32::WHITE,
                invalid: Color32::from_rgb(214, 48, 49),
                note: Color32::from_rgb(255, 244, 194),
                note_text: Color32::from_rgb(74, 62, 20),
                shadow: Color32::from_black_alpha(28),
            }
        }
    }

    /// The accent colour of a node kind (title bar, icon, palette entry).
    pub fn kind(&self, kind: Kind) -> Color32 {
        let [r, g, b] = kind.spec().accent;
        Color32::from_rgb(r, g, b)
    }

    /// A soft version of the kind colour for card title bars.
    pub fn kind_soft(&self, kind: Kind) -> Color32 {
        let base = self.kind(kind);
        let behind = self.card;
        let t = if self.dark { 0.30 } else { 0.16 };
        lerp(behind, base, t)
    }

    pub fn severity(&self, severity: Severity) -> Color32 {
        match severity {
            Severity::Error => self.invalid,
            Severity::Warning => Color32::from_rgb(230, 160, 20),
            Severity::Info => Color32::from_rgb(80, 150, 230),
        }
    }

    pub fn selection_stroke(&self) -> Stroke {
        Stroke::new(2.0, self.selection)
    }
}

/// The Simulation tab's colours: the world map and the charts.
#[derive(Clone, Copy, Debug)]
pub struct SimulationPalette {
    pub ocean: Color32,
    pub land: Color32,
    pub graticule: Color32,
    /// The Cloudflare edge next to the clients (the map's ring around a client region).
    pub edge: Color32,
    /// The global design's series in the charts.
    pub global: Color32,
    /// The single-region design's series in the charts.
    pub single: Color32,
    /// Requests that fail (the failure what-if).
    pub failing: Color32,
    /// Behind a label on the map.
    pub label_bg: Color32,
    pub text: Color32,
}

impl SimulationPalette {
    pub fn of(visuals: &Visuals) -> Self {
        let base = Palette::of(visuals);
        let common = |ocean, land, graticule, label_bg| Self {
            ocean,
            land,
            graticule,
            edge: Color32::from_rgb(246, 130, 31),
            global: Color32::from_rgb(90, 150, 220),
            single: Color32::from_rgb(220, 140, 60),
            failing: base.invalid,
            label_bg,
            text: base.text,
        };
        if visuals.dark_mode {
            common(
                Color32::from_rgb(20, 27, 38),
                Color32::from_rgb(58, 66, 80),
                Color32::from_rgb(31, 40, 54),
                Color32::from_black_alpha(170),
            )
        } else {
            common(
                Color32::from_rgb(218, 231, 243),
                Color32::from_rgb(246, 244, 236),
                Color32::from_rgb(200, 216, 232),
                Color32::from_white_alpha(215),
            )
        }
    }

    /// A latency's colour: green up to 40 ms, yellow at 100 ms, red from 200 ms.
    pub fn latency(&self, ms: f64) -> Color32 {
        let green = Color32::from_rgb(70, 185, 110);
        let yellow = Color32::from_rgb(225, 190, 60);
        let red = Color32::from_rgb(225, 80, 70);
        // A share of the scale: f32 is enough for a colour.
        #[allow(clippy::cast_possible_truncation)]
        let ms = ms as f32;
        if ms <= 100.0 {
            lerp(green, yellow, ((ms - 40.0) / 60.0).clamp(0.0, 1.0))
        } else {
            lerp(yellow, red, ((ms - 100.0) / 100.0).clamp(0.0, 1.0))
        }
    }
}

fn lerp(a: Color32, b: Color32, t: f32) -> Color32 {
    let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round();
    // Channels stay within 0..=255 because t is within 0..=1.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let channel = |x: u8, y: u8| mix(x, y) as u8;
    Color32::from_rgb(
        channel(a.r(), b.r()),
        channel(a.g(), b.g()),
        channel(a.b(), b.b()),
    )
}

/// The icon character shown before severities in lists.
/// A heading of the side panels (the palette's, the inspector's sections): small, strong,
/// weak-coloured capitals.
pub fn heading(ui: &mut egui::Ui, text: &str) {
    let palette = Palette::of(ui.visuals());
    ui.label(
        egui::RichText::new(text.to_uppercase())
            .small()
            .strong()
            .color(palette.text_weak),
    );
}

pub fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "⊗",
        Severity::Warning => "▲",
        Severity::Info => "●",
    }
}

pub fn card_rounding() -> CornerRadius {
    CornerRadius::same(size::CARD_ROUNDING)
}

/// Apply our tweaks on top of egui's dark and light styles.
pub fn install(ctx: &egui::Context) {
    // Hack (egui's monospace font) covers arrows and shapes (→ ● ▲ ⊗) that the proportional
    // font lacks; use it as the fallback so those glyphs render everywhere.
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional) {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        ctx.style_mut_of(theme, |style| {
            style.spacing.item_spacing = egui::vec2(8.0, 6.0);
            style.spacing.button_padding = egui::vec2(8.0, 4.0);
            style.spacing.interact_size.y = 22.0;
            style.visuals.window_corner_radius = CornerRadius::same(10);
            style.visuals.menu_corner_radius = CornerRadius::same(8);
            style.visuals.widgets.noninteractive.corner_radius = CornerRadius::same(5);
            style.visuals.widgets.inactive.corner_radius = CornerRadius::same(5);
            style.visuals.widgets.hovered.corner_radius = CornerRadius::same(5);
            style.visuals.widgets.active.corner_radius = CornerRadius::same(5);
            if theme == egui::Theme::Dark {
                style.visuals.panel_fill = Color32::from_rgb(32, 34, 40);
                style.visuals.window_fill = Color32::from_rgb(36, 38, 45);
                style.visuals.extreme_bg_color = Color32::from_rgb(22, 24, 28);
                style.visuals.faint_bg_color = Color32::from_rgb(38, 41, 48);
            } else {
                style.visuals.panel_fill = Color32::from_rgb(252, 252, 253);
                style.visuals.faint_bg_color = Color32::from_rgb(243, 244, 247);
            }
        });
    }
}
