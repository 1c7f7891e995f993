//! Drawing primitives on RGBA images: blended pixels, rectangles, and
//! anti-aliased thick line segments, solid or dashed.

use image::{Rgba, RgbaImage};

/// A point in image pixels (x right, y down); pixel `(i, j)` covers
/// `[i, i + 1) x [j, j + 1)`.
pub type Point = (f32, f32);

/// Blends `color` over pixel `(x, y)` with its alpha scaled by `coverage`
/// (0 to 1); pixels outside the image are ignored.
pub fn blend_pixel(img: &mut RgbaImage, x: u32, y: u32, color: [u8; 4], coverage: f32) {
    if x >= img.width() || y >= img.height() {
        return;
    }
    let a = f32::from(color[3]) / 255.0 * coverage.clamp(0.0, 1.0);
    if a <= 0.0 {
        return;
    }
    let Rgba(dst) = img.get_pixel_mut(x, y);
    if a >= 1.0 {
        *dst = color;
        return;
    }
    let out_a = a + f32::from(dst[3]) / 255.0 * (1.0 - a);
    for c in 0..3 {
        let d = f32::from(dst[c]) * f32::from(dst[3]) / 255.0;
        let v = (f32::from(color[c]) * a + d * (1.0 - a)) / out_a.max(1e-6);
        dst[c] = v.round().clamp(0.0, 255.0) as u8;
    }
    dst[3] = (out_a * 255.0).round().clamp(0.0, 255.0) as u8;
}

/// Fills the rectangle with top-left `(x, y)` and size `w x h` (clipped).
pub fn fill_rect(img: &mut RgbaImage, x: i64, y: i64, w: i64, h: i64, color: [u8; 4]) {
    let (iw, ih) = (i64::from(img.width()), i64::from(img.height()));
    for py in y.max(0)..(y + h).min(ih) {
        for px in x.max(0)..(x + w).min(iw) {
            blend_pixel(img, px as u32, py as u32, color, 1.0);
        }
    }
}

/// Outlines the rectangle with top-left `(x, y)` and size `w x h` with a
/// one-pixel border inside it.
pub fn stroke_rect(img: &mut RgbaImage, x: i64, y: i64, w: i64, h: i64, color: [u8; 4]) {
    if w <= 0 || h <= 0 {
        return;
    }
    fill_rect(img, x, y, w, 1, color);
    fill_rect(img, x, y + h - 1, w, 1, color);
    fill_rect(img, x, y + 1, 1, h - 2, color);
    fill_rect(img, x + w - 1, y + 1, 1, h - 2, color);
}

/// Draws the segment `a`-`b` with stroke `width`, anti-aliased: a pixel is
/// covered by `clamp(width / 2 + 0.5 - d, 0, 1)` where `d` is the distance
/// from its centre to the segment. Non-finite coordinates draw nothing.
pub fn draw_segment(img: &mut RgbaImage, a: Point, b: Point, width: f32, color: [u8; 4]) {
    let finite = [a.0, a.1, b.0, b.1, width].iter().all(|v| v.is_finite());
    if !finite || width <= 0.0 {
        return;
    }
    let r = width * 0.5 + 0.5;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let x0 = (a.0.min(b.0) - r).floor().max(0.0);
    let x1 = (a.0.max(b.0) + r).ceil().min(w);
    let y0 = (a.1.min(b.1) - r).floor().max(0.0);
    let y1 = (a.1.max(b.1) + r).ceil().min(h);
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    for py in y0 as u32..y1 as u32 {
        for px in x0 as u32..x1 as u32 {
            let (cx, cy) = (px as f32 + 0.5, py as f32 + 0.5);
            let t = if len2 > 0.0 {
                (((cx - a.0) * dx + (cy - a.1) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (ex, ey) = (cx - (a.0 + t * dx), cy - (a.1 + t * dy));
            let coverage = r - (ex * ex + ey * ey).sqrt();
            if coverage > 0.0 {
                blend_pixel(img, px, py, color, coverage);
            }
        }
    }
}

/// Draws the polyline through `points` with stroke `width`; `dash` is
/// `[on, off]` lengths in pixels (`None` for a solid line), the pattern
/// running on along the whole polyline.
pub fn draw_polyline(
    img: &mut RgbaImage,
    points: &[Point],
    width: f32,
    color: [u8; 4],
    dash: Option<[f32; 2]>,
) {
    for (a, b) in dash_pieces(points, dash) {
        draw_segment(img, a, b, width, color);
    }
}

/// The visible pieces of the polyline through `points` under the dash
/// pattern `[on, off]` (all segments when `dash` is `None` or degenerate).
pub fn dash_pieces(points: &[Point], dash: Option<[f32; 2]>) -> Vec<(Point, Point)> {
    let segments = points.windows(2).map(|w| (w[0], w[1]));
    let valid = |[on, off]: &[f32; 2]| on.is_finite() && off.is_finite() && *on > 0.0 && *off > 0.0;
    let Some([on, off]) = dash.filter(valid) else {
        return segments.collect();
    };
    let period = on + off;
    let mut phase = 0.0f32; // position within the pattern
    let mut out = Vec::new();
    for (a, b) in segments {
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        if !len.is_finite() || len == 0.0 {
            continue;
        }
        let at = |s: f32| (a.0 + (b.0 - a.0) * s / len, a.1 + (b.1 - a.1) * s / len);
        let mut s = 0.0f32;
        // Each pass ends a dash or a gap or the segment; the cap guards
        // against rounding stalls.
        let mut passes = 2 * (len / period) as usize + 8;
        while s < len && passes > 0 {
            passes -= 1;
            let drawing = phase < on;
            let left = if drawing { on - phase } else { period - phase };
            let step = left.min(len - s);
            if drawing {
                out.push((at(s), at(s + step)));
            }
            s += step;
            phase = (phase + step) % period;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_cover_half_of_an_even_pattern() {
        let pieces = dash_pieces(&[(0.0, 0.0), (50.0, 0.0), (100.0, 0.0)], Some([5.0, 5.0]));
        let total: f32 = pieces.iter().map(|(a, b)| b.0 - a.0).sum();
        assert!((total - 50.0).abs() < 1e-3, "{total}");
    }

    #[test]
    fn segment_covers_its_pixels() {
        let mut img = RgbaImage::from_pixel(20, 20, Rgba([255; 4]));
        draw_segment(&mut img, (2.0, 10.5), (18.0, 10.5), 1.0, [0, 0, 0, 255]);
        assert_eq!(img.get_pixel(10, 10).0, [0, 0, 0, 255]);
        assert_eq!(img.get_pixel(10, 5).0, [255; 4]);
    }
}
