//! A caller's view of a long job that runs on another thread (the Python
//! package runs every job so): the phase it is in, how far it has come and
//! the messages it would have printed, published by the job's progress
//! reports ([`crate::run::Progress`], [`crate::run::EquilibriumProgress`],
//! [`crate::run::RunOptions::say`]) instead of printing them, and taken by
//! the caller when it polls.

use std::sync::{Arc, Mutex, PoisonError};

/// What a job has published since the caller last took it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WatchState {
    /// `"equilibrium"` (`done` of `total` is the log-scale fraction of the
    /// way from the first residual to the tolerance, in thousandths),
    /// `"steps"` (`done` steps of `total`, `t` the simulated time), or
    /// empty before the first report.
    pub phase: String,
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
    /// Simulated time reached (steps only).
    pub t: f64,
    /// A short status: the residual and rate, the L2 distance.
    pub note: String,
    /// The messages published since the last [`Watch::take`], oldest first.
    pub lines: Vec<String>,
}

/// A shared [`WatchState`]; clones publish into and read the same one.
#[derive(Debug, Clone, Default)]
pub struct Watch(Arc<Mutex<WatchState>>);

impl Watch {
    /// A fresh watch, nothing published.
    pub fn new() -> Self {
        Watch::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut WatchState) -> R) -> R {
        // A panic while publishing leaves plain data behind: keep using it.
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state)
    }

    /// Publishes a message (one line of what the CLI prints).
    pub fn say(&self, line: impl Into<String>) {
        let line = line.into();
        self.with(|s| s.lines.push(line));
    }

    /// Publishes progress: `done` of `total` units of `phase`, at simulated
    /// time `t`, with a short `note`.
    pub fn progress(&self, phase: &str, done: u64, total: u64, t: f64, note: &str) {
        self.with(|s| {
            if s.phase != phase {
                s.phase = phase.to_string();
            }
            s.done = done;
            s.total = total;
            s.t = t;
            if s.note != note {
                s.note = note.to_string();
            }
        });
    }

    /// The state published so far; its messages are removed from the
    /// watch (each is taken once), the progress stays.
    pub fn take(&self) -> WatchState {
        self.with(|s| {
            let lines = std::mem::take(&mut s.lines);
            WatchState { lines, ..s.clone() }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Watch;

    #[test]
    fn messages_are_taken_once_and_progress_stays() {
        let w = Watch::new();
        let other = w.clone();
        other.say("first");
        other.progress("steps", 3, 10, 0.3, "L2 1e-2");
        other.say("second");
        let s = w.take();
        assert_eq!(s.lines, ["first", "second"]);
        assert_eq!((s.phase.as_str(), s.done, s.total), ("steps", 3, 10));
        assert_eq!(s.note, "L2 1e-2");
        let again = w.take();
        assert!(again.lines.is_empty());
        assert_eq!(again.done, 3);
    }
}
