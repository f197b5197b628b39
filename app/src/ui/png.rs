//! The design's SVG picture as a PNG, rasterised by resvg with the fonts the app itself
//! draws with (egui's bundled Ubuntu and Hack), so the picture looks the same on every
//! machine and needs no system fonts.

use resvg::{tiny_skia, usvg};

/// The largest scale a PNG is drawn at (a large design at 8x is already hundreds of MB).
pub const MAX_SCALE: f32 = 8.0;

/// Rasterise `svg` at `scale` (1 = one pixel per SVG unit) into PNG bytes.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    if !(scale > 0.0 && scale <= MAX_SCALE) {
        return Err(format!(
            "the scale must be above 0 and at most {MAX_SCALE}, not {scale}"
        ));
    }
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    for data in eframe::egui::FontDefinitions::default().font_data.values() {
        fonts.load_font_data((*data.font).as_ref().to_vec());
    }
    let family = |fonts: &usvg::fontdb::Database, wanted: &str| {
        fonts
            .faces()
            .find(|face| face.post_script_name.contains(wanted))
            .and_then(|face| face.families.first().map(|(name, _)| name.clone()))
    };
    if let Some(sans) = family(fonts, "Ubuntu") {
        fonts.set_sans_serif_family(sans);
    }
    if let Some(mono) = family(fonts, "Hack") {
        fonts.set_monospace_family(mono);
    }
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("the picture: {e}"))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("the picture has no size")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("{} x {} pixels is too large", size.width(), size.height()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("encoding the PNG: {e}"))
}
