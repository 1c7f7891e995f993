//! A frame of a 2D run from panels already coloured (on the GPU): the panels
//! side by side with their titles, a vertical colour bar with its limits, and
//! a label (the time) at the top; white background, dark text.

use image::{Rgba, RgbaImage};

use super::axes::{INK, WHITE};
use super::colormap::{Colormap, Limits, Scale, BAD_COLOR};
use super::font::{draw_text, text_size};
use super::raster::{fill_rect, stroke_rect};
use super::ticks::format_compact;

/// Image pixels per font pixel of all frame text.
const TEXT_SCALE: u32 = 2;
/// Outer margin, and the gap between panels, in pixels.
const MARGIN: u32 = 12;
/// Width of the colour bar in pixels.
const BAR_WIDTH: u32 = 18;
/// Gap between text and what it labels.
const GAP: u32 = 6;
/// Largest panel side drawn; bigger declared sizes are clipped to it.
const MAX_PANEL: u32 = 16384;

/// One coloured image: `width x height` RGBA8 pixels, row-major, row 0 at the
/// top (as [`colorize`](super::colormap::colorize) and the GPU kernel
/// produce), with a title drawn above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    /// `width * height * 4` bytes.
    pub rgba: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title, e.g. `mu` or `mu - mu*`.
    pub title: String,
}

impl Panel {
    /// The panel with every pixel repeated `factor` times along both axes
    /// (nearest neighbour: grid cells stay sharp squares).
    pub fn upscaled(self, factor: u32) -> Panel {
        if factor <= 1 {
            return self;
        }
        let (w, h, f) = (self.width as usize, self.height as usize, factor as usize);
        let mut rgba = Vec::with_capacity(self.rgba.len() * f * f);
        for row in self.rgba.chunks_exact(4 * w).take(h) {
            let wide: Vec<u8> = row
                .chunks_exact(4)
                .flat_map(|px| std::iter::repeat_n(px, f).flatten().copied())
                .collect();
            for _ in 0..f {
                rgba.extend_from_slice(&wide);
            }
        }
        Panel {
            rgba,
            width: self.width * factor,
            height: self.height * factor,
            ..self
        }
    }
}

/// How a grid of side `n` becomes a panel of side `size` (both powers of
/// two): area averages over `down x down` cells when the grid is larger,
/// each cell repeated `up x up` times when it is smaller. Frames during a
/// run (`output.frame_size`) and `mflda render --size` follow this rule.
pub fn resample(n: u32, size: u32) -> (u32, u32) {
    let size = size.max(1);
    ((n / size).max(1), (size / n.max(1)).max(1))
}

/// The colours of the curves of a 1D frame from colour map `map`: mu at a
/// fifth of the map, nu at three quarters (both away from its ends, which
/// may be near black or light); the ends of the diverging map, whose middle
/// is near white.
pub fn curve_colors(map: Colormap) -> [[u8; 4]; 2] {
    let c = curve_colors_n(map, 2);
    [c[0], c[1]]
}

/// `n` curve colours spread over the colour map (the two of
/// [`curve_colors`] for `n = 2`).
pub fn curve_colors_n(map: Colormap, n: usize) -> Vec<[u8; 4]> {
    let lut = map.lut();
    let (lo, hi) = match map {
        Colormap::Diverging => (20, 235),
        _ => (50, 190),
    };
    if n <= 1 {
        return vec![lut[(lo + hi) / 2]; n];
    }
    (0..n).map(|i| lut[lo + i * (hi - lo) / (n - 1)]).collect()
}

/// The colour bar of a frame: what the panels' colours mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorBar {
    /// The map.
    pub map: Colormap,
    /// The scale.
    pub scale: Scale,
    /// Values at the bottom and the top of the bar.
    pub limits: Limits,
}

/// Where things go in a frame, in pixels from the top-left corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLayout {
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Top-left corner of each panel image.
    pub panels: Vec<(u32, u32)>,
    /// The colour bar: x, y, width, height (the LUT area, inside its outline).
    pub colorbar: (u32, u32, u32, u32),
    /// Top of the panel titles.
    pub titles_y: u32,
}

/// The layout [`compose_frame`] uses for these panels and label.
///
/// From the top: a margin, the label line (left-aligned; no line when the
/// label is empty), the titles line, then the panels top-aligned left to
/// right with a margin between them (each centred under its title when the
/// title is the wider), the colour bar right of the last one
/// (as tall as the tallest panel, at least 64 pixels), its value labels
/// right of it, and a margin around everything.
pub fn frame_layout(panels: &[Panel], bar: &ColorBar, label: &str) -> FrameLayout {
    let th = text_size("0", TEXT_SCALE).1;
    let label_h = if label.is_empty() { 0 } else { th + GAP };
    let titles_y = MARGIN + label_h;
    let top = titles_y + th + GAP;
    let mut x = MARGIN;
    let mut positions = Vec::with_capacity(panels.len());
    let mut tallest = 0;
    for p in panels {
        let (w, h) = (p.width.min(MAX_PANEL), p.height.min(MAX_PANEL));
        // A title wider than its panel widens the column; the panel is
        // centred in it.
        let column = w.max(text_size(&p.title, TEXT_SCALE).0);
        positions.push((x + (column - w) / 2, top));
        x += column + MARGIN;
        tallest = tallest.max(h);
    }
    let bar_h = tallest.max(64);
    let bar_x = x + GAP;
    let labels_w = bar_labels(bar)
        .iter()
        .map(|(_, t)| text_size(t, TEXT_SCALE).0)
        .max()
        .unwrap_or(0);
    let width = (bar_x + BAR_WIDTH + GAP + labels_w + MARGIN)
        .max(MARGIN * 2 + text_size(label, TEXT_SCALE).0);
    // Half a text line below the bar for its bottom label.
    let height = top + bar_h + th / 2 + MARGIN;
    FrameLayout {
        width,
        height,
        panels: positions,
        colorbar: (bar_x, top, BAR_WIDTH, bar_h),
        titles_y,
    }
}

/// Composes a frame from `panels` (see [`frame_layout`] for the layout).
///
/// Titles are centred over their panels. The colour bar shows the whole LUT
/// with its top row `lut[255]` and its bottom row `lut[0]` (row `r` of `h`
/// shows entry `round((h - 1 - r) 255 / (h - 1))`), labelled with the limits
/// and the middle value (`sqrt(lo hi)` on a log scale) in the compact format
/// of [`format_compact`]. A panel whose `rgba` does not hold
/// `width * height * 4` bytes is drawn as a magenta ([`BAD_COLOR`]) box.
pub fn compose_frame(panels: &[Panel], colorbar: &ColorBar, label: &str) -> RgbaImage {
    let layout = frame_layout(panels, colorbar, label);
    let mut img = RgbaImage::from_pixel(layout.width, layout.height, Rgba(WHITE));
    let th = text_size("0", TEXT_SCALE).1;
    if !label.is_empty() {
        draw_text(
            &mut img,
            MARGIN as i32,
            MARGIN as i32,
            label,
            TEXT_SCALE,
            INK,
        );
    }
    for (p, &(x, y)) in panels.iter().zip(&layout.panels) {
        let w = p.width.min(MAX_PANEL) as i32;
        let tw = text_size(&p.title, TEXT_SCALE).0 as i32;
        let title_x = x as i32 + (w - tw) / 2;
        draw_text(
            &mut img,
            title_x,
            layout.titles_y as i32,
            &p.title,
            TEXT_SCALE,
            INK,
        );
        blit_panel(&mut img, p, x, y);
    }
    let (bx, by, bw, bh) = layout.colorbar;
    let lut = colorbar.map.lut();
    for r in 0..bh {
        let index = if bh > 1 {
            ((bh - 1 - r) * 255 + (bh - 1) / 2) / (bh - 1)
        } else {
            255
        };
        fill_rect(
            &mut img,
            bx as i64,
            (by + r) as i64,
            bw as i64,
            1,
            lut[index as usize],
        );
    }
    stroke_rect(
        &mut img,
        bx as i64 - 1,
        by as i64 - 1,
        bw as i64 + 2,
        bh as i64 + 2,
        INK,
    );
    for (f, text) in bar_labels(colorbar) {
        // f = 1 at the top of the bar, 0 at the bottom.
        let centre = by as f64 + (1.0 - f) * (bh as f64 - 1.0);
        let ty = (centre - th as f64 / 2.0).round() as i32;
        let tx = (bx + bw + GAP) as i32;
        draw_text(&mut img, tx, ty, &text, TEXT_SCALE, INK);
    }
    img
}

/// The colour bar's labels: (position from 0 at the bottom to 1 at the top,
/// text) for `lo`, the middle value and `hi`.
fn bar_labels(bar: &ColorBar) -> [(f64, String); 3] {
    let Limits { lo, hi } = bar.limits;
    [
        (1.0, format_compact(f64::from(hi))),
        (0.5, format_compact(bar.limits.midpoint(bar.scale))),
        (0.0, format_compact(f64::from(lo))),
    ]
}

/// Copies the panel's pixels with their top-left corner at `(x, y)`.
fn blit_panel(img: &mut RgbaImage, p: &Panel, x: u32, y: u32) {
    let (w, h) = (p.width.min(MAX_PANEL), p.height.min(MAX_PANEL));
    if w == 0 || h == 0 {
        return;
    }
    let expected = (p.width as usize)
        .checked_mul(p.height as usize)
        .and_then(|n| n.checked_mul(4));
    if expected != Some(p.rgba.len()) {
        fill_rect(img, x as i64, y as i64, w as i64, h as i64, BAD_COLOR);
        return;
    }
    let row_bytes = p.width as usize * 4;
    for (r, row) in p.rgba.chunks_exact(row_bytes).take(h as usize).enumerate() {
        let py = y + r as u32;
        if py >= img.height() {
            break;
        }
        for (c, px) in row.chunks_exact(4).take(w as usize).enumerate() {
            let px_x = x + c as u32;
            if px_x < img.width() {
                img.put_pixel(px_x, py, Rgba([px[0], px[1], px[2], px[3]]));
            }
        }
    }
}
