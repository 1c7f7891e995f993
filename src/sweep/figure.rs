//! `sweep.png` / `sweep.svg`: the measured and the predicted decay rates
//! against the first swept parameter, with the lower bound `tau
//! min(lambda_1)` of each run; one set of curves for each combination of the
//! other parameters' values.

use std::path::PathBuf;

use super::definition::Sweep;
use super::predict::rate_bound;
use super::record::Record;
use crate::render::xy::{Mark, XyPlot, XySeries};
use crate::Result;

/// Colours of the curve sets, in turn.
const COLORS: [[u8; 4]; 4] = [
    [31, 119, 180, 255],
    [214, 39, 40, 255],
    [44, 160, 44, 255],
    [148, 103, 189, 255],
];

/// The plot of `records` (in the order of `sweep.points()`), or `None` when
/// the first parameter's values are not all numbers.
pub fn sweep_plot(sweep: &Sweep, records: &[Record]) -> Option<XyPlot> {
    let first = sweep.params.first()?;
    let x = |r: &Record| r.values.first().and_then(|v| v.trim().parse::<f64>().ok());
    if records.iter().any(|r| x(r).is_none()) {
        return None;
    }
    // Records grouped by the values of the other parameters, in order.
    let mut groups: Vec<(Vec<String>, Vec<&Record>)> = Vec::new();
    for r in records {
        let rest = r.values[1..].to_vec();
        match groups.iter_mut().find(|g| g.0 == rest) {
            Some(g) => g.1.push(r),
            None => groups.push((rest, vec![r])),
        }
    }
    let mut series = Vec::new();
    for (i, (rest, rows)) in groups.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let name = sweep.params[1..]
            .iter()
            .zip(rest)
            .map(|(p, v)| format!("{}={v}", p.key))
            .collect::<Vec<_>>()
            .join(" ");
        let suffix = if name.is_empty() {
            String::new()
        } else {
            format!(", {name}")
        };
        let points = |f: &dyn Fn(&Record) -> Option<f64>| -> Vec<(f64, f64)> {
            rows.iter().filter_map(|r| Some((x(r)?, f(r)?))).collect()
        };
        let measured = points(&|r| r.measured_rate);
        let predicted = points(&|r| r.predicted_rate);
        let bound = points(&|r| rate_bound(&sweep.out.join(&r.dir)));
        for (label, mark, pts) in [
            ("measured rate", Mark::Filled, measured.clone()),
            ("", Mark::Line, measured),
            ("predicted rate", Mark::Hollow, predicted.clone()),
            ("", Mark::Dashed, predicted),
            ("lower bound tau min(lambda_1)", Mark::Line, bound),
        ] {
            if pts.is_empty() {
                continue;
            }
            let color = if label.starts_with("lower") {
                [120, 120, 120, 255]
            } else {
                color
            };
            series.push(XySeries {
                label: if label.is_empty() {
                    String::new()
                } else {
                    format!("{label}{suffix}")
                },
                color,
                mark,
                points: pts,
            });
        }
    }
    Some(XyPlot {
        title: "decay rate of the joint L2 distance".into(),
        x_label: first.key.clone(),
        series,
        vlines: Vec::new(),
    })
}

/// Writes `sweep.png` and `sweep.svg` into the sweep directory; the PNG's
/// path, or `None` (nothing written) when the first parameter is not
/// numeric.
pub fn write_sweep_plot(sweep: &Sweep, records: &[Record]) -> Result<Option<PathBuf>> {
    let Some(plot) = sweep_plot(sweep, records) else {
        return Ok(None);
    };
    let png = sweep.out.join("sweep.png");
    plot.write(&png, &sweep.out.join("sweep.svg"))?;
    Ok(Some(png))
}
