//! The metrics plot of a run: the distances to the equilibrium against time
//! on a log scale, with fitted decay rates, as PNG (bitmap font) and SVG.

use std::path::Path;

use super::axes::{Axes, YAxis, INK, WHITE};
use super::font::text_size;
use super::legend::{draw_legend, legend_size, LegendEntry};
use super::metrics_table::MetricsTable;
use super::scene::{Anchor, Scene};
use super::ticks::{decade_ticks, format_compact};
use crate::analysis::fit::{asymptotic_fit, RateFit};
use crate::{Error, Result};

/// Size of the metrics plot in pixels (PNG) and user units (SVG).
pub const PLOT_SIZE: (u32, u32) = (1200, 700);

/// A column that can be drawn: its name, the metric it belongs to (as
/// `--metrics` names it), its legend label, colour, and whether it is dotted.
#[derive(Debug, Clone, PartialEq)]
struct Spec {
    column: String,
    metric: &'static str,
    label: String,
    color: [u8; 4],
    dotted: bool,
}

/// The per-species metrics that can be drawn, with their labels and colours.
const SPECIES_SERIES: [(&str, &str, [u8; 4]); 5] = [
    ("l2", "L2", [31, 119, 180, 255]),
    ("kl", "KL", [255, 127, 14, 255]),
    ("chi2", "chi2", [44, 160, 44, 255]),
    ("w2lin", "W2 (linearised)", [140, 86, 75, 255]),
    ("w2", "W2", [188, 189, 34, 255]),
];

/// The per-species metrics of a particle run (`mflda particles`): the raw
/// squared MMD to the grid density and to the equilibrium, and the noise
/// floor of exact samples.
const PARTICLE_SERIES: [(&str, &str, [u8; 4]); 3] = [
    ("mmd", "MMD^2 to the grid", [214, 39, 40, 255]),
    ("mmdeq", "MMD^2 to the equilibrium", [23, 190, 207, 255]),
    ("mmdnoise", "MMD^2 of exact samples", [127, 127, 127, 255]),
];

/// The columns of `columns` (a metrics CSV's header) that can be drawn, in
/// legend order: each per-species metric for every species (`<metric>_<name>`;
/// the first species solid, the second dotted, further ones paler), and the
/// gap (`ni` for the game, `gap` for a species system). For the game:
/// `l2_mu`, `l2_nu`, `kl_mu`, ..., `ni`, `w2lin_mu`, `w2lin_nu`.
fn specs(columns: &[String]) -> Vec<Spec> {
    let of = |metric: &'static str, label: &str, color: [u8; 4]| -> Vec<Spec> {
        let prefix = format!("{metric}_");
        columns
            .iter()
            .filter_map(|c| c.strip_prefix(&prefix).map(|name| (c, name)))
            .enumerate()
            .map(|(i, (c, name))| {
                let pale = |v: u8| (v as u32 + (255 - v as u32) * (i as u32 / 2).min(3) / 4) as u8;
                Spec {
                    column: c.clone(),
                    metric,
                    label: format!(
                        "{label}, {name}{}",
                        if i % 2 == 1 { " (dotted)" } else { "" }
                    ),
                    color: [pale(color[0]), pale(color[1]), pale(color[2]), 255],
                    dotted: i % 2 == 1,
                }
            })
            .collect()
    };
    let mut out = Vec::new();
    for (metric, label, color) in &SPECIES_SERIES[..3] {
        out.extend(of(metric, label, *color));
    }
    for (gap, label) in [("ni", "gap (Nikaido-Isoda)"), ("gap", "gap (equilibrium)")] {
        if columns.iter().any(|c| c == gap) {
            out.push(Spec {
                column: gap.into(),
                metric: "ni",
                label: label.into(),
                color: [148, 103, 189, 255],
                dotted: false,
            });
        }
    }
    for (metric, label, color) in &SPECIES_SERIES[3..] {
        out.extend(of(metric, label, *color));
    }
    for (metric, label, color) in &PARTICLE_SERIES {
        out.extend(of(metric, label, *color));
    }
    out
}

/// The metrics metrics.png shows unless asked otherwise: the L2 distances,
/// the KL divergences and the gap.
pub const DEFAULT_METRICS: [&str; 3] = ["l2", "kl", "ni"];

/// Every metric the plot can show (`mflda plot --metrics`; `ni` is the
/// gap, named `gap` in a species system's metrics.csv).
pub const METRICS: [&str; 9] = [
    "l2", "kl", "chi2", "ni", "w2lin", "w2", "mmd", "mmdeq", "mmdnoise",
];

/// The metrics a particle run's metrics.png shows.
pub const PARTICLE_METRICS: [&str; 3] = ["mmd", "mmdeq", "mmdnoise"];

/// The columns [`fit_all`] fits in the game's metrics.csv, when present (a
/// species system's: the same metrics of each of its species, and `gap`).
pub const FIT_COLUMNS: [&str; 11] = [
    "l2_mu", "l2_nu", "kl_mu", "kl_nu", "chi2_mu", "chi2_nu", "ni", "w2lin_mu", "w2lin_nu",
    "w2_mu", "w2_nu",
];

/// Checks a `--metrics` list against [`METRICS`].
pub fn check_metrics(list: &[String]) -> Result<()> {
    for m in list {
        if !METRICS.contains(&m.as_str()) {
            return Err(Error::config(
                "--metrics",
                format!("unknown metric `{m}`; choose from {}", METRICS.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Text scale of the plot.
const SCALE: u32 = 2;

/// Asymptotic decay-rate fits ([`asymptotic_fit`]: the later half of the
/// decay, before any round-off plateau) of the distance columns of the
/// metrics CSV at `csv_path` (every species' L2, KL, chi2 and linearised W2
/// columns and the gap: for the game [`FIT_COLUMNS`]), in legend order;
/// columns with no decaying fit are left out, so a run still in its
/// transient (or growing) gets none.
pub fn fit_all(csv_path: &Path) -> Result<Vec<(String, RateFit)>> {
    let table = MetricsTable::read(csv_path)?;
    let t = table.times();
    Ok(specs(&table.columns)
        .into_iter()
        .filter_map(|spec| {
            let y = table.column(&spec.column)?;
            asymptotic_fit(&t, &y)
                .filter(|f| f.rate > 0.0)
                .map(|f| (spec.column, f))
        })
        .collect())
}

/// Draws the metrics CSV at `csv_path` and writes it as a PNG to `png` and an
/// SVG to `svg` (both atomically), [`PLOT_SIZE`] pixels.
///
/// The plot shows, against `t`, the columns of `metrics` (names of
/// [`METRICS`]; [`DEFAULT_METRICS`] for a run) that are present, each player
/// (mu solid, nu dotted, one colour a metric), on a log y axis with decade
/// ticks; values that are not positive and finite leave gaps. When KL or
/// chi2 is drawn, a note says that they decay at twice the L2 rate. Each fit
/// in `fits` of a drawn column is a dashed straight line over its window,
/// labelled at its end with its rate and listed in the legend. Errors: the
/// CSV cannot be read or is not a metrics file, or a file cannot be written.
pub fn metrics_plot(
    csv_path: &Path,
    png: &Path,
    svg: &Path,
    fits: &[(String, RateFit)],
    metrics: &[&str],
) -> Result<()> {
    let table = MetricsTable::read(csv_path)?;
    super::xy::write_scene(&metrics_scene(&table, fits, metrics), png, svg)
}

/// The plot of `table`'s `metrics` with their `fits` as a scene.
pub fn metrics_scene(table: &MetricsTable, fits: &[(String, RateFit)], metrics: &[&str]) -> Scene {
    let (width, height) = PLOT_SIZE;
    let s = SCALE as f32;
    let th = text_size("0", SCALE).1 as f32;
    let t = table.times();
    let all = specs(&table.columns);
    let series: Vec<(&str, [u8; 4], bool, Vec<f64>)> = all
        .iter()
        .filter(|s| metrics.contains(&s.metric))
        .filter_map(|s| {
            Some((
                s.column.as_str(),
                s.color,
                s.dotted,
                table.column(&s.column)?,
            ))
        })
        .collect();
    let label_of = |name: &str| -> String {
        all.iter()
            .find(|s| s.column == name)
            .map_or(name.to_string(), |s| s.label.clone())
    };
    let fit_color = |name: &str| -> [u8; 4] {
        let base = all
            .iter()
            .find(|s| s.column == name)
            .map_or([90, 90, 90, 255], |s| s.color);
        [base[0] / 5 * 3, base[1] / 5 * 3, base[2] / 5 * 3, 255]
    };
    let fits: Vec<&(String, RateFit)> = fits
        .iter()
        .filter(|(name, _)| series.iter().any(|s| s.0 == name))
        .collect();

    let mut entries: Vec<LegendEntry> = series
        .iter()
        .map(|(name, color, dotted, _)| LegendEntry {
            label: label_of(name),
            color: *color,
            width: 2.0,
            dash: dotted.then_some(DOTS),
        })
        .collect();
    entries.extend(fits.iter().map(|(name, fit)| LegendEntry {
        label: format!("fit {}: rate {}", label_of(name), format_compact(fit.rate)),
        color: fit_color(name),
        width: 2.5,
        dash: Some(DASHES),
    }));
    let (legend_w, _) = legend_size(&entries, SCALE);

    let quadratic = metrics.contains(&"kl") || metrics.contains(&"chi2");
    let note = "KL and chi2 are quadratic in the distance: they decay at twice the L2 rate";
    let left = text_size("1e-100", SCALE).0 as f32 + 12.0;
    let top = 14.0 + th + 12.0 + if quadratic { th + 8.0 } else { 0.0 };
    let axes = Axes {
        left,
        top,
        width: (width as f32 - left - legend_w - 40.0).max(100.0),
        height: height as f32 - top - (2.0 * th + 36.0),
        x: time_range(&t),
        y: log_range(&series, &fits),
    };
    let mut scene = Scene::new(width, height, WHITE);
    axes.draw(&mut scene, SCALE, "t");
    scene.text(
        left,
        14.0,
        "distance to equilibrium (log scale)",
        SCALE,
        INK,
        Anchor::Start,
    );
    if quadratic {
        scene.text(left, 14.0 + th + 8.0, note, SCALE, NOTE_INK, Anchor::Start);
    }
    for (_, color, dotted, y) in &series {
        for run in axes.polylines(&t, y) {
            scene.line(run, *color, 2.0, dotted.then_some(DOTS));
        }
    }
    let mut placed: Vec<(f32, f32, f32, f32)> = Vec::new();
    for (name, fit) in fits.iter().map(|f| (&f.0, &f.1)) {
        let (a, b) = (fit.t_start, fit.t_end);
        let (Some(ya), Some(yb)) = (axes.py(fit.value_at(a)), axes.py(fit.value_at(b))) else {
            continue;
        };
        let color = fit_color(name);
        let (xa, xb) = (axes.px(a), axes.px(b));
        scene.line(vec![(xa, ya), (xb, yb)], color, 2.5, Some(DASHES));
        let label = format_compact(fit.rate);
        let (lw, lh) = text_size(&label, SCALE);
        let (lw, lh) = (lw as f32, lh as f32);
        // Right-aligned with the end of the line, just above it, inside the
        // plot area; stepped down past labels already placed.
        let x = (xb - lw).max(axes.left + 2.0 * s);
        let mut y = (yb - lh - 4.0 * s).max(axes.top + 2.0 * s);
        while let Some(&(_, py, _, ph)) = placed
            .iter()
            .find(|&&(px, py, pw, ph)| x < px + pw && px < x + lw && y < py + ph && py < y + lh)
        {
            y = py + ph + 2.0 * s;
        }
        placed.push((x, y, lw, lh));
        let pad = s;
        scene.rect(
            x - pad,
            y - pad,
            lw + 2.0 * pad,
            lh + 2.0 * pad,
            Some(LABEL_BACKGROUND),
            None,
        );
        scene.text(x, y, &label, SCALE, color, Anchor::Start);
    }
    draw_legend(
        &mut scene,
        axes.left + axes.width + 24.0,
        top,
        &entries,
        SCALE,
    );
    scene
}

/// Grey of the note under the title.
const NOTE_INK: [u8; 4] = [90, 90, 90, 255];

/// Translucent white behind fit labels.
const LABEL_BACKGROUND: [u8; 4] = [255, 255, 255, 210];
/// Dotted line pattern of the `nu` player.
const DOTS: [f32; 2] = [2.0, 4.0];
/// Dashed line pattern of fits.
const DASHES: [f32; 2] = [10.0, 6.0];

/// The t axis: the range of the finite times, opened to a unit width if
/// empty or a single time.
fn time_range(t: &[f64]) -> (f64, f64) {
    let (lo, hi) = t
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// The log y axis: whole decades around the positive finite values of the
/// series and the fit lines' ends.
fn log_range(series: &[(&str, [u8; 4], bool, Vec<f64>)], fits: &[&(String, RateFit)]) -> YAxis {
    let fit_ends = fits
        .iter()
        .flat_map(|(_, f)| [f.value_at(f.t_start), f.value_at(f.t_end)]);
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.3.iter().copied())
        .chain(fit_ends)
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return YAxis::Log(-1, 0);
    }
    let (k0, k1, _, _) = decade_ticks(lo, hi);
    YAxis::Log(k0, k1)
}
