//! `measured_rate`: the asymptotic decay rate of a run's joint distance to
//! the equilibrium, `d = sqrt(l2_mu^2 + l2_nu^2)`, from its `metrics.csv`.
//!
//! The joint distance is used because each player's own distance oscillates
//! as mass moves between the players (docs/MATHEMATICS.md section 6), which makes the
//! per-player fits of `summary.rate_fits` rough (20% low on a short run of a
//! convolution game, whose joint distance decays exactly at `tau |k|^2`).
//! The rule is [`asymptotic_fit`], the one behind `summary.rate_fits` and
//! the fits drawn on metrics.png: the plateau of f32 round-off cut, then the
//! later half of the decay.
//!
//! A run whose slowest mode is barely excited, or whose decay oscillates
//! strongly, can still give a window-dependent rate: compare several starts.

use std::path::Path;

use crate::analysis::fit::asymptotic_fit;
use crate::render::metrics_table::MetricsTable;

/// The joint L2 distance over time.
#[derive(Debug, Clone, PartialEq)]
pub struct JointSeries {
    /// Times.
    pub t: Vec<f64>,
    /// `(sum_s l2_s^2)^(1/2)` at each time (`sqrt(l2_mu^2 + l2_nu^2)` for
    /// the game).
    pub l2: Vec<f64>,
}

impl JointSeries {
    /// From `run_dir/metrics.csv`; `None` when it cannot be read or has no
    /// `l2_<species>` column.
    pub fn read(run_dir: &Path) -> Option<JointSeries> {
        let table = MetricsTable::read(&run_dir.join("metrics.csv")).ok()?;
        let columns: Vec<Vec<f64>> = table
            .columns
            .iter()
            .filter(|c| c.starts_with("l2_"))
            .filter_map(|c| table.column(c))
            .collect();
        let (first, rest) = columns.split_first()?;
        let l2 = (0..first.len())
            .map(|i| rest.iter().fold(first[i], |acc, c| acc.hypot(c[i])))
            .collect();
        Some(JointSeries {
            t: table.times(),
            l2,
        })
    }

    /// The distance at the first row (t = 0), if finite.
    pub fn initial(&self) -> Option<f64> {
        self.l2.first().copied().filter(|v| v.is_finite())
    }

    /// The asymptotic decay rate ([`asymptotic_fit`]); `None` without a fit.
    pub fn rate(&self) -> Option<f64> {
        asymptotic_fit(&self.t, &self.l2).map(|f| f.rate)
    }
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
