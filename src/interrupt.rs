//! Cooperative interruption: a flag that a signal handler (Ctrl-C, SIGTERM)
//! sets and that every long loop of the library checks between pieces of GPU
//! work of at most about a quarter of a second, so that a stop request is
//! honoured within about a second at any grid size.
//!
//! A flag per call rather than one for the process: tests run many solves in
//! one process, and one test's stop must not stop another's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use crate::watch::Watch;
use crate::{Error, Result};

/// A shared stop request, and where the job it stops reports its progress
/// when a caller watches it ([`Interrupt::watched`]); the default never
/// fires and is not watched (progress goes to stderr).
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    flag: Option<Arc<AtomicBool>>,
    watch: Option<Watch>,
}

impl Interrupt {
    /// An interrupt that is never requested.
    pub fn never() -> Self {
        Interrupt::default()
    }

    /// A fresh, unset flag, to be set by [`Self::request`] (from a signal
    /// handler or another thread).
    pub fn new() -> Self {
        Interrupt {
            flag: Some(Arc::new(AtomicBool::new(false))),
            watch: None,
        }
    }

    /// This interrupt, with the progress reports of the job it is given to
    /// published into `watch` rather than printed.
    pub fn watched(mut self, watch: Watch) -> Self {
        self.watch = Some(watch);
        self
    }

    /// Where progress is published, if a caller watches.
    pub fn watch(&self) -> Option<&Watch> {
        self.watch.as_ref()
    }

    /// One already requested: the first check stops (for tests).
    pub fn requested() -> Self {
        let i = Interrupt::new();
        i.request();
        i
    }

    /// Asks every loop that watches this flag to stop. Returns whether it had
    /// been requested before.
    pub fn request(&self) -> bool {
        self.flag
            .as_ref()
            .is_some_and(|f| f.swap(true, Ordering::SeqCst))
    }

    /// Whether a stop was requested.
    pub fn is_requested(&self) -> bool {
        self.flag.as_ref().is_some_and(|f| f.load(Ordering::SeqCst))
    }

    /// `Err(Error::Interrupted)` saying what was stopped (`during`, e.g. "the
    /// equilibrium iteration, after 120 iterations") when a stop was requested.
    pub fn check(&self, during: impl FnOnce() -> String) -> Result<()> {
        if self.is_requested() {
            Err(Error::Interrupted(format!(
                "interrupted during {}",
                during()
            )))
        } else {
            Ok(())
        }
    }
}

/// Wall time one submission of repeated GPU work should take: short enough
/// for a prompt stop, long enough that the wait after it costs little.
pub const SLICE: Duration = Duration::from_millis(250);

/// Sizes the batches of a repeated piece of GPU work (an iteration, a time
/// step) so that each takes about [`SLICE`]: starts at one, then takes the
/// size the last batch's time per repetition predicts, growing at most to
/// twice that batch (a batch cut short by what was left says little about
/// a longer one) and shrinking at once.
#[derive(Debug, Clone)]
pub struct Batcher {
    size: u32,
    max: u32,
}

impl Batcher {
    /// Batches of at most `max` (>= 1) repetitions.
    pub fn new(max: u32) -> Self {
        Batcher {
            size: 1,
            max: max.max(1),
        }
    }

    /// The size of the next batch, at most `left`.
    pub fn next(&self, left: u32) -> u32 {
        self.size.min(left).max(1)
    }

    /// Records that a batch of `batch` repetitions begun at `start` has
    /// finished (on the GPU).
    pub fn done(&mut self, start: Instant, batch: u32) {
        let batch = batch.max(1);
        let per = start.elapsed().as_secs_f64() / f64::from(batch);
        let fits = if per > 0.0 {
            (SLICE.as_secs_f64() / per).floor().min(f64::from(u32::MAX)) as u32
        } else {
            u32::MAX
        };
        self.size = fits.min(batch.saturating_mul(2)).clamp(1, self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_seen_by_every_clone() {
        let i = Interrupt::new();
        let seen = i.clone();
        assert!(seen.check(|| "x".into()).is_ok());
        assert!(!i.request());
        assert!(i.request());
        match seen.check(|| "the test".into()) {
            Err(Error::Interrupted(m)) => assert_eq!(m, "interrupted during the test"),
            other => panic!("{other:?}"),
        }
        assert!(!Interrupt::never().request());
        assert!(!Interrupt::never().is_requested());
    }

    #[test]
    fn batches_grow_when_quick_and_shrink_when_slow() {
        let mut b = Batcher::new(8);
        assert_eq!(b.next(100), 1);
        for _ in 0..5 {
            let n = b.next(100);
            b.done(Instant::now(), n);
        }
        assert_eq!(b.next(100), 8);
        assert_eq!(b.next(3), 3);
        // A quick batch of 3 (cut short) allows at most 6 next.
        b.done(Instant::now(), 3);
        assert_eq!(b.next(100), 6);
        // 2 repetitions that took 3 slices: one fits a slice... none, so 1.
        b.done(Instant::now() - SLICE * 3, 2);
        assert_eq!(b.next(100), 1);
    }
}
