//! Progress reporting: for the time stepping, a bar with simulated time,
//! steps/s and ETA on a terminal, plain log lines (about every 10%) otherwise;
//! for the equilibrium iteration, its residual against the tolerance.

use std::io::IsTerminal;
use std::time::Duration;
use web_time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::watch::Watch;

/// Reports the progress of a run of `steps` steps of size `dt`.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    steps: u64,
    dt: f64,
    start: Instant,
    /// The step of the first update (a resumed run starts past 0).
    first: Option<u64>,
    next_log: u64,
    quiet: bool,
    watch: Option<Watch>,
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
            first: None,
            next_log: steps / 10,
            quiet,
            watch: None,
        }
    }

    /// This report, published into `watch` (when given and not quiet)
    /// instead of printed.
    pub fn watched(mut self, watch: Option<&Watch>) -> Self {
        self.watch = publish_to(&mut self.bar, self.quiet, watch);
        self
    }

    /// Records that `k` steps are done; `note` is a short status (e.g. the L2 distance).
    pub fn update(&mut self, k: u64, note: &str) {
        let t = k as f64 * self.dt;
        // The rate counts from the first update (the start, or a resumed
        // run's checkpoint), whether or not it was logged.
        let first = *self.first.get_or_insert(k);
        if let Some(w) = &self.watch {
            w.progress("steps", k, self.steps, t, note);
        } else if let Some(bar) = &self.bar {
            bar.set_position(k);
            bar.set_message(format!("{t:.4} {note}"));
        } else if !self.quiet && (k >= self.next_log || k == self.steps) {
            let secs = self.start.elapsed().as_secs_f64();
            let rate = (k - first) as f64 / secs.max(1e-9);
            let speed = if k > first {
                let eta = (self.steps - k) as f64 / rate.max(1e-9);
                format!(" ({rate:.1} steps/s, ETA {})", duration_text(eta))
            } else {
                String::new()
            };
            eprintln!("step {k}/{} t = {t:.4} {note}{speed}", self.steps);
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
/// `ln(r0 / r) / ln(r0 / tol)` so far), with the iteration count, the
/// residual, the iteration rate and, once the residual falls steadily, an
/// ETA; otherwise the same in a log line every 10 s (so none for a quick
/// solve); nothing when `quiet`.
#[derive(Debug)]
pub struct EquilibriumProgress {
    bar: Option<ProgressBar>,
    tol: f64,
    first: Option<f64>,
    /// The last check: `(iterations, residual)`.
    last: Option<(u32, f64)>,
    /// The check a while back that the decay rate is measured from.
    anchor: Option<(u32, f64)>,
    /// The best fraction so far, in thousandths (the bar's position).
    best: u64,
    start: Instant,
    last_log: Instant,
    quiet: bool,
    watch: Option<Watch>,
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
            last: None,
            anchor: None,
            best: 0,
            start: Instant::now(),
            last_log: Instant::now(),
            quiet,
            watch: None,
        }
    }

    /// This report, published into `watch` (when given and not quiet)
    /// instead of printed.
    pub fn watched(mut self, watch: Option<&Watch>) -> Self {
        self.watch = publish_to(&mut self.bar, self.quiet, watch);
        self
    }

    /// Records `iterations` done, with the residual when it was just checked
    /// (`None` between checks).
    pub fn update(&mut self, iterations: u32, residual: Option<f64>) {
        if let Some(r) = residual {
            let r0 = *self.first.get_or_insert(r);
            if let Some(done) = log_fraction(r0, r, self.tol) {
                let pos = (done * EQ_BAR as f64) as u64;
                self.best = self.best.max(pos);
                if let Some(bar) = &self.bar {
                    bar.set_position(self.best);
                }
            }
            // Measure the decay over the last half of the checks so far.
            let anchor = self.anchor.get_or_insert((iterations, r));
            if iterations >= 2 * anchor.0.max(1) {
                *anchor = self.last.unwrap_or((iterations, r));
            }
            self.last = Some((iterations, r));
        }
        let secs = self.start.elapsed().as_secs_f64();
        let rate = f64::from(iterations) / secs.max(1e-9);
        let Some((_, r)) = self.last else { return };
        let mut note = format!(
            "iteration {iterations}, residual {r:.2e} (tol {:.1e}), {}",
            self.tol,
            rate_text(rate)
        );
        if let Some(eta) = self.eta(rate) {
            note += &format!(", ETA {}", duration_text(eta));
        }
        if let Some(w) = &self.watch {
            w.progress("equilibrium", self.best, EQ_BAR, 0.0, &note);
        } else if let Some(bar) = &self.bar {
            bar.set_message(note);
        } else if !self.quiet && self.last_log.elapsed() >= EQ_LOG_EVERY {
            eprintln!("equilibrium: {note}");
            self.last_log = Instant::now();
        }
    }

    /// Seconds left until the residual reaches the tolerance, extrapolating
    /// its geometric decay since the anchor check at `rate` iterations/s;
    /// `None` while it does not fall.
    fn eta(&self, rate: f64) -> Option<f64> {
        let (i0, r0) = self.anchor?;
        let (i1, r1) = self.last?;
        let per_iteration = (r0 / r1).ln() / f64::from(i1.checked_sub(i0).filter(|&d| d > 0)?);
        let left = (r1 / self.tol).ln().max(0.0) / per_iteration;
        (per_iteration > 0.0 && left.is_finite() && rate > 0.0).then(|| left / rate)
    }

    /// Closes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The watch a report publishes to (`watch` unless `quiet`), its bar
/// dropped then: a watched report prints nothing.
fn publish_to(bar: &mut Option<ProgressBar>, quiet: bool, watch: Option<&Watch>) -> Option<Watch> {
    let w = watch.filter(|_| !quiet)?;
    *bar = None;
    Some(w.clone())
}

/// `12.3 iterations/s`, or `4.1 s/iteration` when slower than one a second.
fn rate_text(rate: f64) -> String {
    if rate >= 1.0 || rate == 0.0 {
        format!("{rate:.1} iterations/s")
    } else {
        format!("{:.1} s/iteration", 1.0 / rate)
    }
}

/// Seconds as `42 s`, `3 min 20 s` or `2 h 5 min`.
fn duration_text(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
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
    use super::{duration_text, log_fraction, rate_text, EquilibriumProgress, Progress};

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

    #[test]
    fn eta_extrapolates_the_geometric_decay() {
        let mut p = EquilibriumProgress::new(1e-6, true);
        p.update(0, Some(1.0));
        assert_eq!(p.eta(10.0), None);
        p.update(100, Some(1e-1));
        p.update(200, Some(1e-2));
        // One decade per 100 iterations, 4 decades left at 10 iterations/s.
        let eta = p.eta(10.0).unwrap();
        assert!((eta - 40.0).abs() < 1e-9, "{eta}");
        p.update(300, Some(2e-2));
        assert_eq!(p.eta(10.0), None, "rising since the anchor");
    }

    /// The rate counts from the first update, logged or not: a run's first
    /// log line (at 10%) must not count its steps against the time of all of
    /// them.
    #[test]
    fn the_rate_counts_from_the_first_update() {
        let mut p = Progress::new(2000, 0.01, true);
        p.update(0, "");
        p.update(200, "");
        assert_eq!(p.first, Some(0));
        let mut resumed = Progress::new(2000, 0.01, true);
        resumed.update(700, "");
        resumed.update(900, "");
        assert_eq!(resumed.first, Some(700));
    }

    #[test]
    fn rates_and_durations_read_well() {
        assert_eq!(rate_text(12.34), "12.3 iterations/s");
        assert_eq!(rate_text(0.25), "4.0 s/iteration");
        assert_eq!(duration_text(42.2), "42 s");
        assert_eq!(duration_text(200.0), "3 min 20 s");
        assert_eq!(duration_text(7500.0), "2 h 5 min");
    }
}
