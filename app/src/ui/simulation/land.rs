//! The land of the world map: Natural Earth's 1:110m land as rings of (longitude, latitude)
//! points (`assets/map/land-110m.txt`, made by `scripts/make-world-map.py`; its source is in
//! `assets/map/README.md`), in an equirectangular projection, filled by a small scanline
//! rasteriser (egui's painter fills convex shapes only).

use std::sync::LazyLock;

use eframe::egui::{Color32, ColorImage, Pos2, Rect, pos2};

const LAND: &str = include_str!("../../../../assets/map/land-110m.txt");

/// The map's frame: all longitudes, and the latitudes where people and data centres are
/// (the Arctic and Antarctica are left out to give the regions more room).
pub const NORTH: f32 = 75.0;
pub const SOUTH: f32 = -56.0;
pub const WEST: f32 = -180.0;
pub const EAST: f32 = 180.0;

/// Width over height of the map's frame.
pub const ASPECT: f32 = (EAST - WEST) / (NORTH - SOUTH);

/// The land's rings, as (longitude, latitude) in degrees.
pub static RINGS: LazyLock<Vec<Vec<[f32; 2]>>> = LazyLock::new(|| parse(LAND));

/// Rings from the asset's text: `#` comments, then one ring per line, `lon lat lon lat ...`.
pub fn parse(text: &str) -> Vec<Vec<[f32; 2]>> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let numbers: Vec<f32> = line
                .split_ascii_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            numbers.chunks_exact(2).map(|p| [p[0], p[1]]).collect()
        })
        .filter(|ring: &Vec<[f32; 2]>| ring.len() >= 3)
        .collect()
}

/// Where (longitude, latitude) is in `rect` (equirectangular: degrees scale linearly).
pub fn project(rect: Rect, lon: f32, lat: f32) -> Pos2 {
    pos2(
        rect.left() + (lon - WEST) / (EAST - WEST) * rect.width(),
        rect.top() + (NORTH - lat) / (NORTH - SOUTH) * rect.height(),
    )
}

/// Sub-rows per pixel row: vertical anti-aliasing.
const SUB_ROWS: usize = 4;

/// The land as a white mask (alpha = coverage) of `width` x `height` pixels, filled with the
/// even-odd rule, anti-aliased by coverage along each row and by sub-rows.
pub fn mask(rings: &[Vec<[f32; 2]>], width: usize, height: usize) -> ColorImage {
    let mut coverage = vec![0.0_f32; width * height];
    let frame = Rect::from_min_max(pos2(0.0, 0.0), pos2(width as f32, height as f32));
    let projected: Vec<Vec<Pos2>> = rings
        .iter()
        .map(|ring| ring.iter().map(|p| project(frame, p[0], p[1])).collect())
        .collect();
    let mut crossings: Vec<f32> = Vec::new();
    for row in 0..height {
        for sub in 0..SUB_ROWS {
            let y = row as f32 + (sub as f32 + 0.5) / SUB_ROWS as f32;
            crossings.clear();
            for ring in &projected {
                for (i, a) in ring.iter().enumerate() {
                    let b = ring[(i + 1) % ring.len()];
                    if (a.y <= y) != (b.y <= y) {
                        crossings.push(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x));
                    }
                }
            }
            crossings.sort_by(f32::total_cmp);
            let line = &mut coverage[row * width..(row + 1) * width];
            for span in crossings.chunks_exact(2) {
                add_span(line, span[0], span[1], 1.0 / SUB_ROWS as f32);
            }
        }
    }
    let pixels = coverage
        .iter()
        .map(|c| {
            // A coverage in 0..=1 as an alpha byte.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let alpha = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
            Color32::from_white_alpha(alpha)
        })
        .collect();
    ColorImage::new([width, height], pixels)
}

/// Adds `weight` times the part of each pixel between `x0` and `x1`.
fn add_span(line: &mut [f32], x0: f32, x1: f32, weight: f32) {
    let width = line.len() as f32;
    let (x0, x1) = (x0.clamp(0.0, width), x1.clamp(0.0, width));
    if x1 <= x0 {
        return;
    }
    // Pixel indices of a span inside the row: small non-negative numbers.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (first, last) = (x0.floor() as usize, (x1.ceil() as usize).min(line.len()));
    for (i, pixel) in line.iter_mut().enumerate().take(last).skip(first) {
        let left = (i as f32).max(x0);
        let right = (i as f32 + 1.0).min(x1);
        *pixel += (right - left).max(0.0) * weight;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asset_has_the_continents() {
        let rings = &*RINGS;
        assert!(rings.len() > 100, "{}", rings.len());
        let points: usize = rings.iter().map(Vec::len).sum();
        assert!((3_000..10_000).contains(&points), "{points}");
        // Some ring holds London's longitude and latitude range (Great Britain).
        assert!(rings.iter().any(|r| {
            r.iter().any(|p| p[1] > 50.0 && p[1] < 59.0) && r.iter().any(|p| p[0] < -4.0)
        }));
    }

    #[test]
    fn a_square_is_filled_inside_and_empty_outside() {
        let square = vec![vec![
            [-90.0, 40.0],
            [90.0, 40.0],
            [90.0, -20.0],
            [-90.0, -20.0],
        ]];
        let image = mask(&square, 360, 131);
        let alpha = |x: usize, y: usize| image.pixels[y * 360 + x].a();
        // (0, 10) is inside; (150, 60) and (-150, -40) are outside.
        let at = |lon: f32, lat: f32| {
            let p = project(
                Rect::from_min_max(pos2(0.0, 0.0), pos2(360.0, 131.0)),
                lon,
                lat,
            );
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            alpha(p.x as usize, p.y as usize)
        };
        assert_eq!(at(0.0, 10.0), 255);
        assert_eq!(at(150.0, 60.0), 0);
        assert_eq!(at(-150.0, -40.0), 0);
    }
}
