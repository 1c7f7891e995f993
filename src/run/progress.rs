//! Progress reporting: for the time stepping, a bar with simulated time,
//! steps/s and ETA on a terminal, plain log lines (about every 10%) otherwise;
//! for the equilibrium iteration, its residual against the tolerance.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Reports the progress of a run of `steps` steps of size `dt`.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    steps: u64,
    dt: f64,
    start: Instant,
    next_log: u64,
    quiet: bool,
}

impl Progress {
    /// A bar on stderr when it is a terminal, log lines otherwise; nothing when `quiet`.
    pub fn new(steps: u64, dt: f64, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(steps);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40.cyan/blue} t = {msg} | {per_sec} | ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            steps,
            dt,
            start: Instant::now(),
            next_log: steps / 10,
            quiet,
        }
    }

    /// Records that `k` steps are done; `note` is a short status (e.g. the L2 distance).
    pub fn update(&mut self, k: u64, note: &str) {
        let t = k as f64 * self.dt;
        if let Some(bar) = &self.bar {
            bar.set_position(k);
            bar.set_message(format!("{t:.4} {note}"));
        } else if !self.quiet && (k >= self.next_log || k == self.steps) {
            let secs = self.start.elapsed().as_secs_f64();
            let rate = k as f64 / secs.max(1e-9);
            let eta = (self.steps - k) as f64 / rate.max(1e-9);
            eprintln!(
                "step {k}/{} t = {t:.4} {note} ({rate:.1} steps/s, ETA {eta:.0} s)",
                self.steps
            );
            self.next_log = k + (self.steps / 10).max(1);
        }
    }

    /// Closes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Bar length of [`EquilibriumProgress`].
const EQ_BAR: u64 = 1000;

/// Seconds between the log lines of [`EquilibriumProgress`] off a terminal.
const EQ_LOG_EVERY: Duration = Duration::from_secs(10);

/// Reports the equilibrium iteration. On a terminal, a bar filled on a log
/// scale from the first residual `r0` down to the tolerance (the best
/// `ln(r0 / r) / ln(r0 / tol)` so far), with the iteration count and the
/// residual; otherwise a log line every 10 s (so none for a quick solve);
/// nothing when `quiet`.
#[derive(Debug)]
pub struct EquilibriumProgress {
    bar: Option<ProgressBar>,
    tol: f64,
    first: Option<f64>,
    start: Instant,
    last_log: Instant,
    quiet: bool,
}

impl EquilibriumProgress {
    /// A report for an iteration that stops at residual `tol`.
    pub fn new(tol: f64, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(EQ_BAR);
            bar.set_style(
                ProgressStyle::with_template("equilibrium {bar:40.green/blue} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        EquilibriumProgress {
            bar,
            tol,
            first: None,
            start: Instant::now(),
            last_log: Instant::now(),
            quiet,
        }
    }

    /// Records the residual after `iterations` iterations.
    pub fn update(&mut self, iterations: u32, residual: f64) {
        let r0 = *self.first.get_or_insert(residual);
        let note = format!(
            "iteration {iterations}, residual {residual:.2e} (tol {:.1e})",
            self.tol
        );
        if let Some(bar) = &self.bar {
            if let Some(done) = log_fraction(r0, residual, self.tol) {
                let pos = (done * EQ_BAR as f64) as u64;
                bar.set_position(pos.max(bar.position()));
            }
            bar.set_message(note);
        } else if !self.quiet && self.last_log.elapsed() >= EQ_LOG_EVERY {
            let rate = f64::from(iterations) / self.start.elapsed().as_secs_f64().max(1e-9);
            eprintln!("equilibrium: {note}, {rate:.0} iterations/s");
            self.last_log = Instant::now();
        }
    }

    /// Closes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// How far `residual` has come from `first` towards `tol` on a log scale,
/// `ln(first / residual) / ln(first / tol)` clamped to [0, 1]; `None` when
/// that is undefined (a start already at the tolerance, a non-finite value).
fn log_fraction(first: f64, residual: f64, tol: f64) -> Option<f64> {
    let span = (first / tol).ln();
    let done = (first / residual).ln() / span;
    (span > 0.0 && done.is_finite()).then(|| done.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::log_fraction;

    #[test]
    fn log_fraction_spans_first_residual_to_tol() {
        let f = |r| log_fraction(1.0, r, 1e-6).unwrap();
        assert_eq!(f(1.0), 0.0);
        assert!((f(1e-3) - 0.5).abs() < 1e-12);
        assert_eq!(f(1e-6), 1.0);
        assert_eq!(f(1e-9), 1.0);
        assert_eq!(f(2.0), 0.0);
        assert_eq!(log_fraction(1e-7, 1e-8, 1e-6), None);
        assert_eq!(log_fraction(1.0, f64::NAN, 1e-6), None);
    }
}
