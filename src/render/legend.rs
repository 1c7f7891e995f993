//! A plot legend: a boxed list of line samples with labels.

use super::axes::{INK, WHITE};
use super::font::text_size;
use super::scene::{Anchor, Scene};

/// One legend line.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Text next to the sample.
    pub label: String,
    /// Line colour.
    pub color: [u8; 4],
    /// Line width in pixels.
    pub width: f32,
    /// `[on, off]` dash pattern, `None` for solid.
    pub dash: Option<[f32; 2]>,
}

/// The size `(w, h)` in pixels of the legend of `entries` at text `scale`.
pub fn legend_size(entries: &[LegendEntry], scale: u32) -> (f32, f32) {
    let (sample, pad, row) = metrics(scale);
    let widest = entries
        .iter()
        .map(|e| text_size(&e.label, scale).0)
        .max()
        .unwrap_or(0) as f32;
    (
        pad * 3.0 + sample + widest,
        pad * 2.0 + row * entries.len() as f32 - (row - text_size("0", scale).1 as f32),
    )
}

/// Draws the legend with its top-left corner at `(x, y)`; nothing when
/// `entries` is empty.
pub fn draw_legend(scene: &mut Scene, x: f32, y: f32, entries: &[LegendEntry], scale: u32) {
    if entries.is_empty() {
        return;
    }
    let (w, h) = legend_size(entries, scale);
    let (sample, pad, row) = metrics(scale);
    let th = text_size("0", scale).1 as f32;
    scene.rect(x, y, w, h, Some(WHITE), Some(INK));
    for (i, e) in entries.iter().enumerate() {
        let top = y + pad + i as f32 * row;
        let mid = top + th / 2.0;
        scene.line(
            vec![(x + pad, mid), (x + pad + sample, mid)],
            e.color,
            e.width,
            e.dash,
        );
        scene.text(
            x + pad * 2.0 + sample,
            top,
            &e.label,
            scale,
            INK,
            Anchor::Start,
        );
    }
}

/// Sample line length, padding and row pitch at text `scale`.
fn metrics(scale: u32) -> (f32, f32, f32) {
    let s = scale as f32;
    (16.0 * s, 5.0 * s, text_size("0", scale).1 as f32 + 4.0 * s)
}
