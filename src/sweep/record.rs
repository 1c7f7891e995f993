//! One row of `sweep.csv`: a configuration's status and what its run
//! measured, read from the run's [`Summary`] (or its `summary.json`) and the
//! first row of its `metrics.csv`.
//!
//! The rules:
//! - `final_l2` is the joint distance `(sum_s l2_s^2)^(1/2)` of the last
//!   metrics row (`sqrt(l2_mu^2 + l2_nu^2)` for the game);
//! - `converged` is `yes` when `final_l2 <= ratio * initial_l2` (the joint
//!   distance of the first row, at t = 0; `ratio` is `--converged-ratio`,
//!   default [`DEFAULT_CONVERGED_RATIO`]) or `final_l2 <= `[`ABSOLUTE_FLOOR`]
//!   (a run started at the equilibrium), else `no`; empty for a run that did
//!   not complete, or whose `metrics.csv` cannot be read;
//! - `measured_rate` is the asymptotic decay rate of the joint distance
//!   over the rows of `metrics.csv` (the rule is in [`super::rate`]); when
//!   `metrics.csv` cannot be read, the smallest of the species' `l2_<name>`
//!   rates in `summary.rate_fits`; empty when there is no fit;
//! - `predicted_rate` comes from [`super::predict::predicted_rate`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::rate::JointSeries;
use crate::analysis::fit::RateFit;
use crate::metrics::MetricsRow;
use crate::run::Summary;
use crate::{Error, Result};

/// Default of `--converged-ratio`.
pub const DEFAULT_CONVERGED_RATIO: f64 = 1e-3;
/// A final joint L2 distance at or below this counts as converged whatever
/// the start (about ten times float32 round-off for densities of mass 1).
pub const ABSOLUTE_FLOOR: f64 = 1e-6;

/// What became of a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The run completed (whether or not it converged).
    Ok,
    /// The run failed: bad value, blow-up, device error, interrupted.
    Failed,
    /// `--collect` found no `summary.json` for it.
    Missing,
    /// Not run yet (a sweep still running, or stopped).
    Pending,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Missing => "missing",
            Status::Pending => "pending",
        })
    }
}

/// One configuration's row of `sweep.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The value of each parameter (in the sweep's order).
    pub values: Vec<String>,
    /// What became of it.
    pub status: Status,
    /// See the module documentation; `None` is an empty cell.
    pub converged: Option<bool>,
    /// Decay rate measured from the run (module documentation).
    pub measured_rate: Option<f64>,
    /// Decay rate predicted by the linearised spectrum (minus the real part of
    /// the rightmost eigenvalue), from `run_dir/analysis/analysis.json`.
    pub predicted_rate: Option<f64>,
    /// Nikaido-Isoda error of the last metrics row.
    pub final_ni: Option<f64>,
    /// Joint L2 distance to the equilibrium of the last metrics row.
    pub final_l2: Option<f64>,
    /// Seconds of time stepping (`summary.json`'s `wall_time_s`); for a
    /// failed run, the seconds until it failed.
    pub wall_time_s: Option<f64>,
    /// The run directory's name, relative to the sweep directory.
    pub dir: String,
    /// Why it failed or is missing; empty otherwise.
    pub error: String,
}

impl Record {
    /// A row with only the values, status, directory and error filled in.
    pub fn bare(values: Vec<String>, status: Status, dir: String, error: String) -> Record {
        Record {
            values,
            status,
            converged: None,
            measured_rate: None,
            predicted_rate: None,
            final_ni: None,
            final_l2: None,
            wall_time_s: None,
            dir,
            error,
        }
    }

    /// The row of a completed run: `outcome` from its summary, the initial
    /// distance from `run_dir`'s `metrics.csv`.
    pub fn completed(
        values: Vec<String>,
        outcome: &Outcome,
        run_dir: &Path,
        dir: String,
        ratio: f64,
    ) -> Record {
        let final_l2 = joint_l2(&outcome.final_metrics);
        let series = JointSeries::read(run_dir);
        let converged = series
            .as_ref()
            .and_then(|s| s.initial())
            .map(|start| final_l2 <= ratio * start || final_l2 <= ABSOLUTE_FLOOR);
        let measured_rate = match &series {
            Some(s) => s.rate(),
            None => {
                // The slowest species' fitted L2 rate.
                outcome
                    .rate_fits
                    .iter()
                    .filter(|(name, _)| name.starts_with("l2_"))
                    .map(|(_, f)| f.rate)
                    .reduce(f64::min)
            }
        };
        Record {
            converged,
            measured_rate,
            predicted_rate: super::predict::predicted_rate(run_dir),
            final_ni: Some(outcome.final_metrics.ni),
            final_l2: Some(final_l2),
            wall_time_s: Some(outcome.wall_time_s),
            ..Record::bare(values, Status::Ok, dir, String::new())
        }
    }
}

/// The parts of a run's summary a sweep records.
#[derive(Debug, Clone, Deserialize)]
pub struct Outcome {
    /// Seconds of time stepping.
    pub wall_time_s: f64,
    /// The last metrics row.
    pub final_metrics: MetricsRow,
    /// The fitted decay rates, by metrics column.
    pub rate_fits: BTreeMap<String, RateFit>,
}

impl From<&Summary> for Outcome {
    fn from(s: &Summary) -> Outcome {
        Outcome {
            wall_time_s: s.wall_time_s,
            final_metrics: s.final_metrics.clone(),
            rate_fits: s.rate_fits.clone(),
        }
    }
}

impl Outcome {
    /// Reads `summary.json` in `run_dir`; `Ok(None)` when it does not exist.
    pub fn read(run_dir: &Path) -> Result<Option<Outcome>> {
        let path = run_dir.join("summary.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Data {
                field: path.display().to_string(),
                message: format!("not a run summary: {e}"),
            })
    }
}

/// `(sum_s l2_s^2)^(1/2)` of a metrics row.
fn joint_l2(row: &MetricsRow) -> f64 {
    row.joint_l2()
}
