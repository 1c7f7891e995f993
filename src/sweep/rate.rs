//! `measured_rate`: the asymptotic decay rate of a run's joint distance to
//! the equilibrium, `d = sqrt(l2_mu^2 + l2_nu^2)`, from its `metrics.csv`.
//!
//! The joint distance is used because each player's own distance oscillates
//! as mass moves between the players (docs/MATHEMATICS.md section 6), which makes the
//! per-player fits of `summary.rate_fits` rough (20% low on a short run of a
//! convolution game, whose joint distance decays exactly at `tau |k|^2`).
//! The rule, on top of [`fit_rate`] (the fit behind `summary.rate_fits`):
//!
//! 1. **Plateau**: when `d` stays within a factor [`PLATEAU_FALL`] of its
//!    last value over at least the last [`PLATEAU_SPAN`] of the run's time,
//!    the run has reached float32 round-off; only the rows before `d` first
//!    falls below [`FLOOR_MARGIN`] times its last value are kept.
//! 2. **Late half**: [`fit_rate`] runs on the kept rows in the later half
//!    of their time range, so that an initial transient of faster modes
//!    does not set the rate; if that has no fit, on all kept rows, then on
//!    all rows.
//!
//! A run whose slowest mode is barely excited, or whose decay oscillates
//! strongly, can still give a window-dependent rate: compare several starts.

use std::path::Path;

use crate::analysis::fit::{fit_rate, RateFit};
use crate::render::metrics_table::MetricsTable;

/// See step 1 of the module documentation.
pub const PLATEAU_FALL: f64 = 1.2;
/// See step 1: a fraction of the run's time.
pub const PLATEAU_SPAN: f64 = 0.1;
/// See step 1.
pub const FLOOR_MARGIN: f64 = 3.0;

/// The joint L2 distance over time.
#[derive(Debug, Clone, PartialEq)]
pub struct JointSeries {
    /// Times.
    pub t: Vec<f64>,
    /// `sqrt(l2_mu^2 + l2_nu^2)` at each time.
    pub l2: Vec<f64>,
}

impl JointSeries {
    /// From `run_dir/metrics.csv`; `None` when it cannot be read or lacks
    /// the `l2_mu`, `l2_nu` columns.
    pub fn read(run_dir: &Path) -> Option<JointSeries> {
        let table = MetricsTable::read(&run_dir.join("metrics.csv")).ok()?;
        let (mu, nu) = (table.column("l2_mu")?, table.column("l2_nu")?);
        let l2 = mu.iter().zip(&nu).map(|(a, b)| a.hypot(*b)).collect();
        Some(JointSeries {
            t: table.times(),
            l2,
        })
    }

    /// The distance at the first row (t = 0), if finite.
    pub fn initial(&self) -> Option<f64> {
        self.l2.first().copied().filter(|v| v.is_finite())
    }

    /// The asymptotic decay rate (module documentation); `None` without a fit.
    pub fn rate(&self) -> Option<f64> {
        if self.t.len() != self.l2.len() {
            return None;
        }
        let end = self.plateau_cut()?;
        late_half(&self.t[..end], &self.l2[..end])
            .or_else(|| late_half(&self.t, &self.l2))
            .map(|f| f.rate)
    }

    /// The number of rows kept by step 1.
    fn plateau_cut(&self) -> Option<usize> {
        let (&t_first, &t_last, &last) = (self.t.first()?, self.t.last()?, self.l2.last()?);
        let flat = |v: f64| v <= PLATEAU_FALL * last && v * PLATEAU_FALL >= last;
        let tail = self.l2.iter().rposition(|&v| !flat(v)).map_or(0, |i| i + 1);
        let tail_t = self.t[tail.min(self.t.len() - 1)];
        if t_last - tail_t < PLATEAU_SPAN * (t_last - t_first) || tail_t >= t_last {
            return Some(self.l2.len());
        }
        Some(
            self.l2
                .iter()
                .position(|&v| v < FLOOR_MARGIN * last)
                .unwrap_or(self.l2.len()),
        )
    }
}

/// [`fit_rate`] over the rows in the later half of `t`'s range, else over
/// all of them.
fn late_half(t: &[f64], y: &[f64]) -> Option<RateFit> {
    let middle = 0.5 * (t.first()? + t.last()?);
    let start = t.iter().position(|&x| x >= middle).unwrap_or(0);
    fit_rate(&t[start..], &y[start..]).or_else(|| fit_rate(t, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(f: impl Fn(f64) -> f64) -> JointSeries {
        let t: Vec<f64> = (0..=400).map(|i| i as f64 * 0.1).collect();
        let l2 = t.iter().map(|&t| f(t)).collect();
        JointSeries { t, l2 }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 0.01 * b)
    }

    #[test]
    fn exact_exponential() {
        assert!(close(series(|t| 0.1 * (-0.3 * t).exp()).rate(), 0.3));
    }

    #[test]
    fn round_off_plateau_is_cut() {
        let r = series(|t| (0.1 * (-0.5 * t).exp()).max(3e-6)).rate();
        assert!(close(r, 0.5), "{r:?}");
    }

    #[test]
    fn a_fast_transient_does_not_set_the_rate() {
        let r = series(|t| 0.1 * (-t).exp() + 1e-3 * (-0.2 * t).exp()).rate();
        assert!(close(r, 0.2), "{r:?}");
    }

    #[test]
    fn a_flat_series_has_rate_zero_and_no_rows_no_rate() {
        let r = series(|_| 1e-3).rate().unwrap();
        assert!(r.abs() < 1e-9, "{r}");
        let empty = JointSeries {
            t: vec![],
            l2: vec![],
        };
        assert_eq!(empty.rate(), None);
    }
}
