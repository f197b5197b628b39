//! Text on the canvas, rasterised at the size it has on screen.
//!
//! The scene draws in canvas units and the GPU scales all of it by the zoom. Text laid out at
//! canvas size would have its glyph images scaled too. Zoomed in, it goes blurry. Zoomed out,
//! a glyph that ends up thinner than a pixel can vanish: at 60 % the hyphen of
//! `product-cache` disappeared, so the card read `product cache`. So canvas text is laid out
//! at its on-screen size, and its galley is scaled back to canvas units. The GPU then draws
//! each glyph image one texel to one pixel.

use std::sync::Arc;

use eframe::egui::text::LayoutJob;
use eframe::egui::{Align2, Color32, FontId, Galley, Painter, Pos2, Rect};

/// How canvas text is laid out at one zoom. Copy it into whatever paints text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneText {
    /// On-screen points per canvas unit that glyphs are rasterised for.
    scale: f32,
}

impl Default for SceneText {
    fn default() -> Self {
        Self { scale: 1.0 }
    }
}

/// Steps per doubling of the zoom. Glyph sizes are rasterised in these steps, so a zoom
/// gesture adds a few sizes to the font atlas, not one per frame. Each glyph image is then
/// within 2.2% of one texel per pixel.
const STEPS_PER_OCTAVE: f32 = 16.0;

impl SceneText {
    pub fn at_zoom(zoom: f32) -> Self {
        if !(zoom.is_finite() && zoom > 0.0) {
            return Self::default();
        }
        let scale = ((zoom.log2() * STEPS_PER_OCTAVE).round() / STEPS_PER_OCTAVE).exp2();
        Self { scale }
    }

    /// Lay out a job given in canvas units. The galley it returns is in canvas units, with
    /// glyph images rasterised at the on-screen size.
    pub fn layout_job(&self, painter: &Painter, mut job: LayoutJob) -> Arc<Galley> {
        let s = self.scale;
        if (s - 1.0).abs() < 1e-4 {
            return painter.layout_job(job);
        }
        for section in &mut job.sections {
            section.leading_space *= s;
            let format = &mut section.format;
            format.font_id.size *= s;
            format.extra_letter_spacing *= s;
            format.expand_bg *= s;
            if let Some(height) = &mut format.line_height {
                *height *= s;
            }
        }
        job.wrap.max_width *= s;
        job.first_row_min_height *= s;
        let galley = painter.layout_job(job);
        Arc::new(scaled(&galley, 1.0 / s))
    }

    /// [`Painter::layout_no_wrap`] in canvas units.
    pub fn layout_no_wrap(
        &self,
        painter: &Painter,
        text: String,
        font: FontId,
        color: Color32,
    ) -> Arc<Galley> {
        self.layout_job(painter, LayoutJob::simple_singleline(text, font, color))
    }

    /// [`Painter::text`] in canvas units.
    pub fn text(
        &self,
        painter: &Painter,
        pos: Pos2,
        anchor: Align2,
        text: impl Into<String>,
        font: FontId,
        color: Color32,
    ) -> Rect {
        let galley = self.layout_no_wrap(painter, text.into(), font, color);
        let rect = anchor.anchor_size(pos, galley.size());
        painter.galley(rect.min, galley, color);
        rect
    }
}

/// `galley` with everything painting uses multiplied by `factor`: the rows' places and the
/// vertices of their meshes. The glyph images (texture coordinates) stay the same.
fn scaled(galley: &Galley, factor: f32) -> Galley {
    let scale_pos = |p: Pos2| (p.to_vec2() * factor).to_pos2();
    let scale_rect = |r: Rect| Rect::from_min_max(scale_pos(r.min), scale_pos(r.max));
    let mut out = galley.clone();
    out.rect = scale_rect(out.rect);
    out.mesh_bounds = scale_rect(out.mesh_bounds);
    for placed in &mut out.rows {
        placed.pos = scale_pos(placed.pos);
        let row = Arc::make_mut(&mut placed.row);
        row.size *= factor;
        row.visuals.mesh_bounds = scale_rect(row.visuals.mesh_bounds);
        for vertex in &mut row.visuals.mesh.vertices {
            vertex.pos = scale_pos(vertex.pos);
        }
        for glyph in &mut row.glyphs {
            glyph.pos = scale_pos(glyph.pos);
            glyph.advance_width *= factor;
            glyph.line_height *= factor;
            glyph.font_ascent *= factor;
            glyph.font_height *= factor;
            glyph.font_face_ascent *= factor;
            glyph.font_face_height *= factor;
            glyph.uv_rect.offset *= factor;
            glyph.uv_rect.size *= factor;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_steps_are_sixteenths_of_an_octave() {
        assert!((SceneText::at_zoom(1.0).scale - 1.0).abs() < 1e-6);
        assert!((SceneText::at_zoom(0.5).scale - 0.5).abs() < 1e-6);
        for zoom in [0.2_f32, 0.33, 0.63, 0.79, 1.4, 2.9] {
            let scale = SceneText::at_zoom(zoom).scale;
            assert!((scale / zoom - 1.0).abs() <= 0.022, "{zoom} -> {scale}");
        }
        assert_eq!(SceneText::at_zoom(0.0), SceneText::default());
        assert_eq!(SceneText::at_zoom(f32::NAN), SceneText::default());
    }

    #[test]
    fn text_is_laid_out_at_screen_size_and_measured_in_canvas_units() {
        let ctx = eframe::egui::Context::default();
        let mut output = ctx.run_ui(eframe::egui::RawInput::default(), |ui| {
            let painter = ui.painter();
            let font = FontId::proportional(15.0);
            let plain =
                painter.layout_no_wrap("product-cache".into(), font.clone(), Color32::WHITE);
            for zoom in [0.63_f32, 2.0] {
                let text = SceneText::at_zoom(zoom);
                let galley = text.layout_no_wrap(
                    painter,
                    "product-cache".into(),
                    font.clone(),
                    Color32::WHITE,
                );
                // The same size on the canvas, give or take the rounding of glyph positions
                // at the other size.
                let size = galley.size();
                assert!(
                    (size.x - plain.size().x).abs() <= 2.0 / text.scale,
                    "{size:?}"
                );
                assert!(
                    (size.y - plain.size().y).abs() <= 2.0 / text.scale,
                    "{size:?}"
                );
                // Each glyph image is drawn one texel to one screen pixel: its quad in canvas
                // units is its texel size divided by the zoom.
                let row = &galley.rows[0].row;
                let hyphen = row.glyphs.iter().find(|g| g.chr == '-').expect("a hyphen");
                let texels = hyphen.uv_rect.max[1] - hyphen.uv_rect.min[1];
                let quad = hyphen.uv_rect.size.y;
                assert!(texels > 0);
                let on_screen = quad * zoom;
                assert!(
                    (on_screen - f32::from(texels)).abs() <= 0.05 * f32::from(texels),
                    "zoom {zoom}: {texels} texels drawn {on_screen} px tall"
                );
            }
        });
        // No renderer takes the font atlas here.
        output.textures_delta.clear();
    }
}
