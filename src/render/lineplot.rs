//! Frames of 1D runs: the densities on the periodic interval `[0, L)` as line
//! plots (mu and nu solid, mu* and nu* dashed), with axes, ticks and a legend.

use image::RgbaImage;

use super::axes::{padded_range, Axes, YAxis, INK, WHITE};
use super::font::text_size;
use super::legend::{draw_legend, legend_size, LegendEntry};
use super::scene::{Anchor, Scene};

/// Smallest frame drawn; smaller requests are raised to this.
pub const MIN_SIZE: (u32, u32) = (160, 120);

/// One curve of a 1D frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Values at the grid points `x_j = j L / n`, `j = 0..n`.
    pub values: Vec<f32>,
    /// Legend text; an empty label keeps the curve out of the legend.
    pub label: String,
    /// RGBA colour.
    pub color: [u8; 4],
    /// Dashed (e.g. the equilibrium) instead of solid.
    pub dashed: bool,
}

/// A `width x height` frame of `curves` over `[0, length]`, with `title` at
/// the top.
///
/// Curve `c` with `n` values is drawn through `(j length / n, values[j])` and
/// closed periodically at `x = length` with `values[0]`. The y range is
/// `y` when given (a run's frames keep one range, so that a decay shows),
/// else the range of the finite values of all curves, plus 5% on each side
/// (a constant range is opened to +-10% of the value, or +-1 around 0);
/// non-finite values break the line. Text is at 2 pixels per font pixel when the frame is at
/// least 480 x 270, else 1. Sizes below [`MIN_SIZE`] are raised to it; a
/// `length` that is not positive and finite is replaced by the largest
/// number of values (the x axis then counts grid points).
pub fn line_frame(
    curves: &[Curve],
    width: u32,
    height: u32,
    length: f64,
    title: &str,
    y: Option<(f64, f64)>,
) -> RgbaImage {
    let (width, height) = (width.max(MIN_SIZE.0), height.max(MIN_SIZE.1));
    let longest = curves.iter().map(|c| c.values.len()).max().unwrap_or(0);
    let length = if length.is_finite() && length > 0.0 {
        length
    } else {
        longest.max(1) as f64
    };
    let scale = if width >= 480 && height >= 270 { 2 } else { 1 };
    let s = scale as f32;
    let (_, th) = text_size("0", scale);
    let th = th as f32;
    let margin = 6.0 * s;
    let left = text_size("-0.0000", scale).0 as f32 + 8.0 * s;
    let top = margin + if title.is_empty() { 0.0 } else { th + 6.0 * s };
    let bottom = th + 6.0 * s + margin;
    let axes = Axes {
        left,
        top,
        width: (width as f32 - left - margin * 2.0).max(1.0),
        height: (height as f32 - top - bottom).max(1.0),
        x: (0.0, length),
        y: match y {
            Some((lo, hi)) => padded(lo, hi),
            None => y_range(curves),
        },
    };

    let mut scene = Scene::new(width, height, WHITE);
    axes.draw(&mut scene, scale, "");
    let line_width = 1.5 * s;
    for c in curves {
        let n = c.values.len();
        if n == 0 {
            continue;
        }
        let xs: Vec<f64> = (0..=n).map(|j| j as f64 * length / n as f64).collect();
        let ys: Vec<f64> = c
            .values
            .iter()
            .chain(&c.values[..1])
            .map(|&v| f64::from(v))
            .collect();
        let dash = c.dashed.then_some([6.0 * s, 4.0 * s]);
        for run in axes.polylines(&xs, &ys) {
            scene.line(run, c.color, line_width, dash);
        }
    }
    let entries: Vec<LegendEntry> = curves
        .iter()
        .filter(|c| !c.label.is_empty())
        .map(|c| LegendEntry {
            label: c.label.clone(),
            color: c.color,
            width: line_width,
            dash: c.dashed.then_some([6.0 * s, 4.0 * s]),
        })
        .collect();
    let (lw, _) = legend_size(&entries, scale);
    draw_legend(
        &mut scene,
        axes.left + axes.width - lw - 4.0 * s,
        axes.top + 4.0 * s,
        &entries,
        scale,
    );
    if !title.is_empty() {
        scene.text(
            width as f32 / 2.0,
            margin,
            title,
            scale,
            INK,
            Anchor::Middle,
        );
    }
    scene.rasterize()
}

/// The y axis over the finite values of `curves` (see [`line_frame`]).
fn y_range(curves: &[Curve]) -> YAxis {
    let (lo, hi) = curves
        .iter()
        .flat_map(|c| c.values.iter())
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(f64::from(v)), hi.max(f64::from(v)))
        });
    if lo > hi {
        return YAxis::Linear(0.0, 1.0);
    }
    padded(lo, hi)
}

/// `[lo, hi]` opened by 5% on each side (see [`line_frame`]).
fn padded(lo: f64, hi: f64) -> YAxis {
    let (a, b) = padded_range(lo, hi, 0.05);
    YAxis::Linear(a, b)
}
