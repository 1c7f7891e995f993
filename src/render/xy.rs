//! Plots of points and lines on linear axes, with a legend: the spectrum of
//! `mflda analyze` in the complex plane and the rates of a sweep against its
//! parameter. PNG (bitmap font) and SVG from one scene.

use std::path::Path;

use super::axes::{padded_range, Axes, YAxis, INK, WHITE};
use super::font::text_size;
use super::legend::{draw_legend, legend_size, LegendEntry};
use super::scene::{Anchor, Scene};
use crate::output::write_atomic;
use crate::Result;

/// Size of the plots in pixels (PNG) and user units (SVG).
pub const XY_SIZE: (u32, u32) = (1100, 640);

/// Text scale.
const SCALE: u32 = 2;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A filled square at each point.
    Filled,
    /// An outlined square at each point.
    Hollow,
    /// A line through the points, in order.
    Line,
    /// A dashed line through the points.
    Dashed,
}

/// One series of a plot.
#[derive(Debug, Clone, PartialEq)]
pub struct XySeries {
    /// Legend label (no entry when empty).
    pub label: String,
    /// Colour.
    pub color: [u8; 4],
    /// How it is drawn.
    pub mark: Mark,
    /// `(x, y)` points; non-finite ones are skipped.
    pub points: Vec<(f64, f64)>,
}

/// A plot: a title, the axis labels, the series, and vertical reference
/// lines `(x, label, colour)` drawn dashed across the plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct XyPlot {
    /// Title, above the plot.
    pub title: String,
    /// Label under the x axis.
    pub x_label: String,
    /// The series, in legend order.
    pub series: Vec<XySeries>,
    /// Vertical reference lines.
    pub vlines: Vec<(f64, String, [u8; 4])>,
}

/// `[lo, hi]` opened by 8% on each side (a single value by 1, or by 10% of
/// its size).
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        return (0.0, 1.0);
    }
    padded_range(lo, hi, 0.08)
}

impl XyPlot {
    /// The plot as a scene of [`XY_SIZE`]: axes spanning every point and
    /// reference line, the legend on the right.
    pub fn scene(&self) -> Scene {
        let (width, height) = XY_SIZE;
        let th = text_size("0", SCALE).1 as f32;
        let entries: Vec<LegendEntry> = self
            .series
            .iter()
            .filter(|s| !s.label.is_empty())
            .map(|s| LegendEntry {
                label: s.label.clone(),
                color: s.color,
                width: if matches!(s.mark, Mark::Line | Mark::Dashed) {
                    2.0
                } else {
                    6.0
                },
                dash: (s.mark == Mark::Dashed).then_some([8.0, 5.0]),
            })
            .chain(self.vlines.iter().map(|(_, label, color)| LegendEntry {
                label: label.clone(),
                color: *color,
                width: 2.0,
                dash: Some([8.0, 5.0]),
            }))
            .collect();
        let (legend_w, _) = legend_size(&entries, SCALE);
        let points = || self.series.iter().flat_map(|s| s.points.iter());
        let x = span(points().map(|p| p.0).chain(self.vlines.iter().map(|v| v.0)));
        let (y0, y1) = span(points().map(|p| p.1));
        let left = text_size("-0.00000", SCALE).0 as f32 + 12.0;
        let top = 14.0 + th + 12.0;
        let axes = Axes {
            left,
            top,
            width: (width as f32 - left - legend_w - 48.0).max(100.0),
            height: height as f32 - top - (2.0 * th + 36.0),
            x,
            y: YAxis::Linear(y0, y1),
        };
        let mut scene = Scene::new(width, height, WHITE);
        axes.draw(&mut scene, SCALE, &self.x_label);
        scene.text(left, 14.0, &self.title, SCALE, INK, Anchor::Start);
        for (vx, _, color) in &self.vlines {
            let px = axes.px(*vx);
            let line = vec![(px, axes.top), (px, axes.top + axes.height)];
            scene.line(line, *color, 2.0, Some([8.0, 5.0]));
        }
        for s in &self.series {
            let pts: Vec<(f32, f32)> = s
                .points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .filter_map(|&(x, y)| Some((axes.px(x), axes.py(y)?)))
                .collect();
            match s.mark {
                Mark::Line | Mark::Dashed => {
                    let dash = (s.mark == Mark::Dashed).then_some([8.0, 5.0]);
                    scene.line(pts, s.color, 2.0, dash);
                }
                Mark::Filled | Mark::Hollow => {
                    let r = 5.0;
                    for (px, py) in pts {
                        let fill = (s.mark == Mark::Filled).then_some(s.color);
                        scene.rect(px - r, py - r, 2.0 * r, 2.0 * r, fill, Some(s.color));
                    }
                }
            }
        }
        draw_legend(
            &mut scene,
            axes.left + axes.width + 28.0,
            top,
            &entries,
            SCALE,
        );
        scene
    }

    /// Writes the plot as a PNG to `png` and an SVG to `svg`, atomically.
    pub fn write(&self, png: &Path, svg: &Path) -> Result<()> {
        write_scene(&self.scene(), png, svg)
    }
}

/// Writes `scene` rasterised as a PNG to `png` and as an SVG to `svg`,
/// atomically.
pub fn write_scene(scene: &Scene, png: &Path, svg: &Path) -> Result<()> {
    super::write_png(png, &scene.rasterize())?;
    write_atomic(svg, scene.to_svg().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_open_around_the_values() {
        assert_eq!(span([1.0, 3.0].into_iter()), (1.0 - 0.16, 3.0 + 0.16));
        assert_eq!(span([0.0].into_iter()), (-1.0, 1.0));
        assert_eq!(span([f64::NAN].into_iter()), (0.0, 1.0));
    }
}
