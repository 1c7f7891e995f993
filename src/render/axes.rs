//! A rectangular plot area with data-to-pixel mapping, a frame, grid lines,
//! ticks and tick labels (linear x; linear or log y), drawn into a [`Scene`].

use super::font::text_size;
use super::raster::Point;
use super::scene::{Anchor, Scene};
use super::ticks::{decade_ticks, format_compact, nice_ticks, tick_label};

/// Dark grey of text and axes.
pub const INK: [u8; 4] = [30, 30, 30, 255];
/// Light grey of grid lines.
pub const GRID: [u8; 4] = [228, 228, 228, 255];
/// White.
pub const WHITE: [u8; 4] = [255, 255, 255, 255];

/// `[lo, hi]` (with `lo <= hi`) opened by `frac` of its width on each
/// side; an empty range by 10% of its value, or by 1 around 0.
pub fn padded_range(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    let pad = if hi > lo {
        frac * (hi - lo)
    } else if lo == 0.0 {
        1.0
    } else {
        0.1 * lo.abs()
    };
    (lo - pad, hi + pad)
}

/// The y axis of a plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YAxis {
    /// Linear from `lo` to `hi`.
    Linear(f64, f64),
    /// Logarithmic from `10^k_min` to `10^k_max`.
    Log(i32, i32),
}

/// A plot area: `left`, `top`, `width`, `height` in pixels; x from `x.0` to
/// `x.1` (linear), y as [`YAxis`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axes {
    /// Left edge, pixels.
    pub left: f32,
    /// Top edge, pixels.
    pub top: f32,
    /// Width, pixels.
    pub width: f32,
    /// Height, pixels.
    pub height: f32,
    /// Data range of x (`x.0 < x.1`).
    pub x: (f64, f64),
    /// The y axis.
    pub y: YAxis,
}

impl Axes {
    /// The pixel column of `x`.
    pub fn px(&self, x: f64) -> f32 {
        let (a, b) = self.x;
        self.left + ((x - a) / (b - a)) as f32 * self.width
    }

    /// The pixel row of `y`; `None` if it cannot be drawn (not finite, or
    /// not positive on a log axis).
    pub fn py(&self, y: f64) -> Option<f32> {
        let (a, b, v) = match self.y {
            YAxis::Linear(lo, hi) => (lo, hi, y),
            YAxis::Log(k0, k1) => {
                if y <= 0.0 {
                    return None;
                }
                (f64::from(k0), f64::from(k1), y.log10())
            }
        };
        let f = (v - a) / (b - a);
        f.is_finite()
            .then_some(self.top + self.height - f as f32 * self.height)
    }

    /// The drawable runs of the curve `(xs[i], ys[i])`: a point that cannot
    /// be drawn breaks the line.
    pub fn polylines(&self, xs: &[f64], ys: &[f64]) -> Vec<Vec<Point>> {
        let mut runs = vec![Vec::new()];
        for (&x, &y) in xs.iter().zip(ys) {
            match (x.is_finite(), self.py(y)) {
                (true, Some(py)) => {
                    if let Some(run) = runs.last_mut() {
                        run.push((self.px(x), py));
                    }
                }
                _ => runs.push(Vec::new()),
            }
        }
        runs.retain(|r| r.len() >= 2);
        runs
    }

    /// Draws grid lines, the frame, ticks and tick labels (text `scale`), and
    /// `x_label` centred under the x tick labels.
    pub fn draw(&self, scene: &mut Scene, scale: u32, x_label: &str) {
        let (_, th) = text_size("0", scale);
        let (l, t, w, h) = (self.left, self.top, self.width, self.height);
        let (r, b) = (l + w, t + h);
        let tick = 3.0 * scale as f32;
        // x: linear ticks about every 100 px.
        let (xs, step) = nice_ticks(self.x.0, self.x.1, ((w / 100.0) as usize).max(2));
        for &x in &xs {
            let px = self.px(x);
            scene.line(vec![(px, t), (px, b)], GRID, 1.0, None);
            scene.line(vec![(px, b), (px, b + tick)], INK, 1.0, None);
            scene.text(
                px,
                b + tick + 2.0,
                &tick_label(x, step),
                scale,
                INK,
                Anchor::Middle,
            );
        }
        // y: linear ticks about every 60 px, or decades.
        let mut labels = Vec::new();
        match self.y {
            YAxis::Linear(lo, hi) => {
                let (ys, step) = nice_ticks(lo, hi, ((h / 60.0) as usize).max(2));
                labels.extend(ys.iter().map(|&y| (y, tick_label(y, step))));
            }
            YAxis::Log(k0, k1) => {
                let (_, _, majors, minors) = decade_ticks(10f64.powi(k0), 10f64.powi(k1));
                for m in minors {
                    if let Some(py) = self.py(m) {
                        scene.line(vec![(l - tick * 0.6, py), (l, py)], INK, 1.0, None);
                    }
                }
                labels.extend(majors.iter().map(|&k| {
                    let v = 10f64.powi(k);
                    (v, format_compact(v))
                }));
            }
        }
        for (y, label) in labels {
            if let Some(py) = self.py(y) {
                scene.line(vec![(l, py), (r, py)], GRID, 1.0, None);
                scene.line(vec![(l - tick, py), (l, py)], INK, 1.0, None);
                scene.text(
                    l - tick - 3.0,
                    py - th as f32 / 2.0,
                    &label,
                    scale,
                    INK,
                    Anchor::End,
                );
            }
        }
        scene.rect(l, t, w + 1.0, h + 1.0, None, Some(INK));
        if !x_label.is_empty() {
            scene.text(
                l + w / 2.0,
                b + tick + th as f32 + 8.0,
                x_label,
                scale,
                INK,
                Anchor::Middle,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_maps_decades_and_breaks_on_zeros() {
        let axes = Axes {
            left: 0.0,
            top: 0.0,
            width: 100.0,
            height: 100.0,
            x: (0.0, 1.0),
            y: YAxis::Log(-2, 0),
        };
        assert_eq!(axes.py(1.0), Some(0.0));
        assert_eq!(axes.py(0.01), Some(100.0));
        assert_eq!(axes.py(0.0), None);
        let runs = axes.polylines(&[0.0, 0.2, 0.4, 0.6, 0.8], &[1.0, 0.5, 0.0, 0.1, 0.05]);
        assert_eq!(runs.len(), 2);
    }
}
