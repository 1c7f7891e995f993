//! `mflda sweep --particles`: a propagation-of-chaos study. Every
//! configuration runs `mflda particles` (the particles beside their grid
//! flow) into its own run directory, and `chaos.csv` collects per species
//! the squared Fourier MMD between the particles and the grid density
//! (docs/MATHEMATICS.md section 9), averaged over the metrics rows of the
//! second half of the run (near equilibrium the process is stationary, so
//! the average only lowers the variance): the raw value, the noise term of
//! exact samples, the debiased value, and the slope of `log MMD` against
//! `log n` fitted over the configurations that differ only in
//! `particles.n`. Propagation of chaos predicts a raw MMD near the noise
//! floor, slope -1/2, and a debiased value that stays within its noise
//! until the time step's bias takes over. `chaos.png` draws them.

use std::path::{Path, PathBuf};
use web_time::Instant;

use super::csv::field;
use super::definition::{Point, Sweep};
use super::record::Status;
use super::runner::{prepare, require_dir, SweepOptions};
use crate::gpu::GpuContext;
use crate::output::{format_value, write_atomic, MARKER_FILE};
use crate::render::metrics_table::MetricsTable;
use crate::render::xy::{Mark, XyPlot, XySeries};
use crate::run::RunOptions;
use crate::{Error, Result};

/// Name of the study's table in the sweep directory.
pub const CHAOS_CSV: &str = "chaos.csv";

/// The swept key the slopes are fitted along.
pub const COUNT_KEY: &str = "particles.n";

/// One configuration's row of `chaos.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChaosRecord {
    /// The swept values, in parameter order.
    pub values: Vec<String>,
    /// What became of the run.
    pub status: Status,
    /// The run directory, relative to the sweep directory.
    pub dir: String,
    /// Why it failed or is missing (empty otherwise).
    pub error: String,
    /// The time step of the run.
    pub dt: Option<f64>,
    /// Per species (in `names` order): its results, when known.
    pub species: Vec<SpeciesChaos>,
    /// Wall-clock seconds of the run.
    pub wall_time_s: Option<f64>,
}

/// One species' figures in a [`ChaosRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SpeciesChaos {
    /// Particles of the species.
    pub n: Option<f64>,
    /// Mean raw squared MMD to the grid over the second half of the rows.
    pub mmd2: Option<f64>,
    /// Mean noise term `sum_k c_k (1 - |rho^(k)|^2) / n` over the same rows.
    pub noise: Option<f64>,
    /// Mean debiased squared MMD over the same rows.
    pub debiased: Option<f64>,
    /// Slope of `log sqrt(mmd2)` against `log n` over the configurations
    /// that differ from this one in `particles.n` only (two or more).
    pub slope: Option<f64>,
}

impl ChaosRecord {
    fn bare(values: Vec<String>, status: Status, dir: String, error: String, s: usize) -> Self {
        ChaosRecord {
            values,
            status,
            dir,
            error,
            dt: None,
            species: vec![SpeciesChaos::default(); s],
            wall_time_s: None,
        }
    }

    /// The record of the completed run in `dir` (its summary.json and
    /// metrics.csv) for the species `names`; `None` when it has no
    /// summary.json.
    pub fn read(dir: &Path, names: &[String]) -> Result<Option<(f64, Vec<SpeciesChaos>, f64)>> {
        let summary_path = dir.join("summary.json");
        if !summary_path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&summary_path)
            .map_err(|e| Error::io(format!("reading {}", summary_path.display()), e))?;
        let bad = |message: String| Error::Data {
            field: summary_path.display().to_string(),
            message,
        };
        let summary: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a particle summary ({e})")))?;
        let number = |v: &serde_json::Value| v.as_f64();
        let (Some(dt), Some(wall)) = (number(&summary["dt"]), number(&summary["wall_time_s"]))
        else {
            return Err(bad(
                "no dt or wall_time_s (a `mflda run` summary, not a particle one?)".into(),
            ));
        };
        let table = MetricsTable::read(&dir.join("metrics.csv"))?;
        let t = table.column("t").unwrap_or_default();
        let half = t.last().copied().unwrap_or(0.0) / 2.0;
        let mean = |name: &str| -> Option<f64> {
            let v = table.column(name)?;
            let picked: Vec<f64> = v
                .iter()
                .zip(&t)
                .filter(|(_, &t)| t >= half)
                .map(|(v, _)| *v)
                .collect();
            (!picked.is_empty()).then(|| picked.iter().sum::<f64>() / picked.len() as f64)
        };
        let species = names
            .iter()
            .map(|s| SpeciesChaos {
                n: number(&summary["particles"][s]),
                mmd2: mean(&format!("mmd_{s}")),
                noise: mean(&format!("mmdnoise_{s}")),
                debiased: mean(&format!("mmddeb_{s}")),
                slope: None,
            })
            .collect();
        Ok(Some((dt, species, wall)))
    }
}

/// Runs every configuration of `sweep` with `mflda particles` in order,
/// writing `chaos.csv` (atomically) before the first run and after each,
/// then the fitted slopes and `chaos.png`; `done` is called with each
/// finished row. A run that fails is recorded as failed and the study goes
/// on. `names` are the species. Errors as [`super::run_sweep`]'s.
pub fn run_chaos(
    ctx: &GpuContext,
    sweep: &Sweep,
    names: &[String],
    opts: &SweepOptions,
    done: &mut dyn FnMut(&Point, &ChaosRecord),
) -> Result<Vec<ChaosRecord>> {
    check_compare(sweep)?;
    prepare(sweep, opts.force)?;
    let points = sweep.points();
    let mut records: Vec<ChaosRecord> = points
        .iter()
        .map(|p| bare(sweep, p, Status::Pending, String::new(), names.len()))
        .collect();
    write_chaos(sweep, names, &records)?;
    for (slot, point) in points.iter().enumerate() {
        if opts.interrupt.is_requested() {
            return Err(stopped(sweep, point));
        }
        let started = Instant::now();
        let run = RunOptions {
            out: sweep.run_dir(point),
            force: opts.force,
            quiet: opts.quiet,
            interrupt: opts.interrupt.clone(),
            equilibrium_from: None,
        };
        let result = sweep
            .config_for(point)
            .and_then(|config| crate::particles::run::execute(ctx, &config, &run))
            .and_then(|_| ChaosRecord::read(&run.out, names));
        records[slot] = match result {
            Ok(Some((dt, species, wall))) => ChaosRecord {
                dt: Some(dt),
                species,
                wall_time_s: Some(wall),
                ..bare(sweep, point, Status::Ok, String::new(), names.len())
            },
            Ok(None) => bare(
                sweep,
                point,
                Status::Failed,
                "the run wrote no summary.json".into(),
                names.len(),
            ),
            Err(e) => ChaosRecord {
                wall_time_s: Some(started.elapsed().as_secs_f64()),
                ..bare(sweep, point, Status::Failed, e.to_string(), names.len())
            },
        };
        fit_slopes(sweep, &mut records);
        write_chaos(sweep, names, &records)?;
        done(point, &records[slot]);
        if opts.interrupt.is_requested() {
            return Err(stopped(sweep, point));
        }
    }
    write_chaos_plot(sweep, names, &records)?;
    Ok(records)
}

/// Rebuilds `chaos.csv` and `chaos.png` from the run directories (runs
/// made by the `--emit-jobs` commands, or an earlier study).
pub fn collect_chaos(sweep: &Sweep, names: &[String]) -> Result<Vec<ChaosRecord>> {
    require_dir(sweep)?;
    let mut records: Vec<ChaosRecord> = sweep
        .points()
        .iter()
        .map(|point| {
            let dir = sweep.run_dir(point);
            match ChaosRecord::read(&dir, names) {
                Ok(Some((dt, species, wall))) => ChaosRecord {
                    dt: Some(dt),
                    species,
                    wall_time_s: Some(wall),
                    ..bare(sweep, point, Status::Ok, String::new(), names.len())
                },
                Ok(None) => {
                    let why = if dir.join(MARKER_FILE).is_file() {
                        "no summary.json: the run failed, was stopped or is still running"
                    } else {
                        "the run has not started"
                    };
                    bare(sweep, point, Status::Missing, why.into(), names.len())
                }
                Err(e) => bare(sweep, point, Status::Failed, e.to_string(), names.len()),
            }
        })
        .collect();
    fit_slopes(sweep, &mut records);
    write_chaos(sweep, names, &records)?;
    write_chaos_plot(sweep, names, &records)?;
    Ok(records)
}

/// A study compares particles with the grid: refuse `particles.compare =
/// false` in the base or a value, before any run.
fn check_compare(sweep: &Sweep) -> Result<()> {
    for point in sweep.points() {
        if let Ok(config) = sweep.config_for(&point) {
            if !config.particles_or_default().compare {
                return Err(Error::config(
                    "particles.compare",
                    "a propagation-of-chaos study measures the particles against the grid; \
                     leave compare = true",
                ));
            }
        }
    }
    Ok(())
}

fn bare(sweep: &Sweep, point: &Point, status: Status, error: String, s: usize) -> ChaosRecord {
    ChaosRecord::bare(
        sweep.values(point).iter().map(|v| v.to_string()).collect(),
        status,
        sweep.dir_name(point),
        error,
        s,
    )
}

fn stopped(sweep: &Sweep, point: &Point) -> Error {
    Error::Interrupted(format!(
        "study interrupted at {} ({}); {} holds the runs done so far",
        sweep.dir_name(point),
        sweep.describe(point),
        sweep.out.join(CHAOS_CSV).display()
    ))
}

/// The least-squares slope of `y` against `x`, `None` below two distinct `x`.
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    (points.len() >= 2 && sxx > 0.0).then(|| sxy / sxx)
}

/// Index of `particles.n` among the swept parameters.
fn count_param(sweep: &Sweep) -> Option<usize> {
    sweep.params.iter().position(|p| p.key == COUNT_KEY)
}

/// The records grouped by every swept value but `particles.n`, in order.
fn groups(sweep: &Sweep, records: &[ChaosRecord]) -> Vec<(Vec<String>, Vec<usize>)> {
    let skip = count_param(sweep);
    let mut out: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let rest: Vec<String> = r
            .values
            .iter()
            .enumerate()
            .filter(|(j, _)| Some(*j) != skip)
            .map(|(j, v)| format!("{}={v}", sweep.params[j].key))
            .collect();
        match out.iter_mut().find(|g| g.0 == rest) {
            Some(g) => g.1.push(i),
            None => out.push((rest, vec![i])),
        }
    }
    out
}

/// Fills every record's slopes from its group's completed runs.
fn fit_slopes(sweep: &Sweep, records: &mut [ChaosRecord]) {
    for (_, members) in groups(sweep, records) {
        let species = records.first().map_or(0, |r| r.species.len());
        for s in 0..species {
            let points: Vec<(f64, f64)> = members
                .iter()
                .filter_map(|&i| {
                    let c = records[i].species[s];
                    let (n, m) = (c.n?, c.mmd2?);
                    (n > 0.0 && m > 0.0).then(|| (n.ln(), 0.5 * m.ln()))
                })
                .collect();
            let fitted = slope(&points);
            for &i in &members {
                records[i].species[s].slope = fitted;
            }
        }
    }
}

/// The text of `chaos.csv`: the swept values, `status`, `dt`, per species
/// `n_s`, `mmd2_s`, `noise_s`, `debiased_s`, `slope_s`, then
/// `wall_time_s`, `dir`, `error`.
pub fn chaos_text(sweep: &Sweep, names: &[String], records: &[ChaosRecord]) -> String {
    let mut header: Vec<String> = sweep.params.iter().map(|p| field(&p.key)).collect();
    header.extend(["status".into(), "dt".into()]);
    for s in names {
        for c in ["n", "mmd2", "noise", "debiased", "slope"] {
            header.push(field(&format!("{c}_{s}")));
        }
    }
    header.extend(["wall_time_s".into(), "dir".into(), "error".into()]);
    let mut text = header.join(",");
    text.push('\n');
    let number = |v: Option<f64>| v.map(format_value).unwrap_or_default();
    for r in records {
        let mut cells: Vec<String> = r.values.iter().map(|v| field(v)).collect();
        cells.extend([r.status.to_string(), number(r.dt)]);
        for c in &r.species {
            cells.extend([c.n, c.mmd2, c.noise, c.debiased, c.slope].map(number));
        }
        cells.extend([
            r.wall_time_s.map(|w| format!("{w:.3}")).unwrap_or_default(),
            field(&r.dir),
            field(&r.error),
        ]);
        text += &cells.join(",");
        text.push('\n');
    }
    text
}

fn write_chaos(sweep: &Sweep, names: &[String], records: &[ChaosRecord]) -> Result<()> {
    write_atomic(
        &sweep.out.join(CHAOS_CSV),
        chaos_text(sweep, names, records).as_bytes(),
    )
}

/// Colours of the groups, in turn.
const COLORS: [[u8; 4]; 4] = [
    [31, 119, 180, 255],
    [214, 39, 40, 255],
    [44, 160, 44, 255],
    [148, 103, 189, 255],
];

/// The study's plot, log10-log10: per group and species the MMD
/// (`sqrt(mmd2)`, filled), the noise floor of exact samples (dashed), the
/// debiased MMD `sqrt(debiased)` where positive (hollow), and one line of
/// slope -1/2 through the first curve's smallest n (grey); `None` without
/// two counts.
pub fn chaos_plot(sweep: &Sweep, names: &[String], records: &[ChaosRecord]) -> Option<XyPlot> {
    count_param(sweep)?;
    let mut series = Vec::new();
    for (g, (rest, members)) in groups(sweep, records).iter().enumerate() {
        let color = COLORS[g % COLORS.len()];
        let suffix = if rest.is_empty() {
            String::new()
        } else {
            format!(", {}", rest.join(" "))
        };
        for (s, name) in names.iter().enumerate() {
            let pts = |f: &dyn Fn(&SpeciesChaos) -> Option<f64>| -> Vec<(f64, f64)> {
                let mut v: Vec<(f64, f64)> = members
                    .iter()
                    .filter_map(|&i| {
                        let c = &records[i].species[s];
                        let y = f(c).filter(|y| *y > 0.0)?;
                        Some((c.n?.log10(), y.sqrt().log10()))
                    })
                    .collect();
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                v
            };
            let mmd = pts(&|c| c.mmd2);
            if mmd.len() < 2 {
                continue;
            }
            let slope = records[members[0]].species[s].slope;
            let label = match slope {
                Some(k) => format!("MMD {name} (slope {k:.2}){suffix}"),
                None => format!("MMD {name}{suffix}"),
            };
            let (x0, y0) = mmd[0];
            let x1 = mmd[mmd.len() - 1].0;
            series.extend([
                XySeries {
                    label,
                    color,
                    mark: Mark::Filled,
                    points: mmd.clone(),
                },
                XySeries {
                    label: String::new(),
                    color,
                    mark: Mark::Line,
                    points: mmd,
                },
                XySeries {
                    label: format!("noise of exact samples {name}{suffix}"),
                    color,
                    mark: Mark::Dashed,
                    points: pts(&|c| c.noise),
                },
                XySeries {
                    label: format!("debiased {name}{suffix}"),
                    color,
                    mark: Mark::Hollow,
                    points: pts(&|c| c.debiased),
                },
            ]);
            if series.len() == 4 {
                // One reference line, through the first curve's first point.
                series.push(XySeries {
                    label: "n^(-1/2)".into(),
                    color: [120, 120, 120, 255],
                    mark: Mark::Line,
                    points: vec![(x0, y0), (x1, y0 - 0.5 * (x1 - x0))],
                });
            }
        }
    }
    if series.is_empty() {
        return None;
    }
    Some(XyPlot {
        title: "propagation of chaos: log10 MMD to the grid".into(),
        x_label: "log10 n (particles per species)".into(),
        series,
        vlines: Vec::new(),
    })
}

/// Writes `chaos.png` and `chaos.svg`; the PNG's path, or `None` when
/// there is nothing to draw (fewer than two completed counts).
pub fn write_chaos_plot(
    sweep: &Sweep,
    names: &[String],
    records: &[ChaosRecord],
) -> Result<Option<PathBuf>> {
    let Some(plot) = chaos_plot(sweep, names, records) else {
        return Ok(None);
    };
    let png = sweep.out.join("chaos.png");
    plot.write(&png, &sweep.out.join("chaos.svg"))?;
    Ok(Some(png))
}

/// The printed summary: one line per configuration.
pub fn chaos_table(sweep: &Sweep, names: &[String], records: &[ChaosRecord]) -> String {
    let mut out = String::new();
    let keys: Vec<&str> = sweep.params.iter().map(|p| p.key.as_str()).collect();
    out += &format!("{:>28} {:>10}", keys.join(" "), "status");
    for s in names {
        out += &format!(
            " {:>11} {:>11} {:>11} {:>7}",
            format!("mmd2_{s}"),
            "noise",
            "debiased",
            "slope"
        );
    }
    out.push('\n');
    let num = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3e}"));
    for r in records {
        out += &format!("{:>28} {:>10}", r.values.join(" "), r.status.to_string());
        for c in &r.species {
            out += &format!(
                " {:>11} {:>11} {:>11} {:>7}",
                num(c.mmd2),
                num(c.noise),
                num(c.debiased),
                c.slope.map_or("-".into(), |k| format!("{k:.3}"))
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_power_law() {
        let pts: Vec<(f64, f64)> = [1e3, 1e4, 1e5]
            .iter()
            .map(|&n: &f64| (n.ln(), (3.0 * n.powf(-0.5)).ln()))
            .collect();
        assert!((slope(&pts).unwrap() + 0.5).abs() < 1e-12);
        assert_eq!(slope(&pts[..1]), None);
        assert_eq!(slope(&[(1.0, 2.0), (1.0, 3.0)]), None);
    }
}
