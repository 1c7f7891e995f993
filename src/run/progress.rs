//! Progress reporting: a bar with simulated time, steps/s and ETA on a terminal,
//! plain log lines (about every 10%) otherwise.

use std::io::IsTerminal;
use std::time::Instant;

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
