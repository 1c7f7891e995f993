//! The output schedule of a run: which steps produce metrics and snapshots.
//!
//! Cadences are given in simulated time and rounded to whole steps; the number
//! of steps is `round(t_end / dt)`, so `t_end` is reached to round-off.

use crate::config::Config;

/// Steps between outputs (0 = never) and the total number of steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Steps of the whole run.
    pub steps: u64,
    /// Steps between metric rows (at least 1).
    pub metrics: u64,
    /// Steps between snapshots (0 = none).
    pub snapshots: u64,
    /// Steps between checkpoints (0 = none).
    pub checkpoints: u64,
    /// Steps between frames (0 = none).
    pub frames: u64,
}

fn stride(every: f64, dt: f64) -> u64 {
    if every <= 0.0 {
        0
    } else {
        ((every / dt).round() as u64).max(1)
    }
}

impl Schedule {
    /// The schedule of a resolved config.
    pub fn new(config: &Config) -> Self {
        let c = config.resolved();
        let dt = c.time.step();
        Schedule {
            steps: ((c.time.t_end / dt).round() as u64).max(1),
            metrics: stride(c.output.metrics_every.unwrap_or(dt), dt).max(1),
            snapshots: stride(c.output.snapshots_every.unwrap_or(0.0), dt),
            checkpoints: stride(c.output.checkpoint_every.unwrap_or(0.0), dt),
            frames: stride(c.output.frames_every.unwrap_or(0.0), dt),
        }
    }

    /// Whether step `k` (after k steps) produces metrics: every stride and the last.
    pub fn metrics_at(&self, k: u64) -> bool {
        k.is_multiple_of(self.metrics) || k == self.steps
    }

    /// Whether step `k` produces a snapshot: every stride and the last.
    pub fn snapshot_at(&self, k: u64) -> bool {
        self.snapshots > 0 && (k.is_multiple_of(self.snapshots) || k == self.steps)
    }

    /// Whether step `k` writes a checkpoint on the stride (not the end, whose
    /// checkpoint the run writes after its last step, for an extension).
    pub fn checkpoint_at(&self, k: u64) -> bool {
        self.checkpoints > 0 && k.is_multiple_of(self.checkpoints) && k < self.steps
    }

    /// Whether step `k` renders a frame (every stride, so frames are evenly
    /// spaced for animations); its index is `k / frames`.
    pub fn frame_at(&self, k: u64) -> bool {
        self.frames > 0 && k.is_multiple_of(self.frames)
    }

    /// The first step after `k` that produces any output (or the end).
    pub fn next_event(&self, k: u64) -> u64 {
        let next = |stride: u64| k.checked_div(stride).map_or(u64::MAX, |q| (q + 1) * stride);
        next(self.metrics)
            .min(next(self.snapshots))
            .min(next(self.checkpoints))
            .min(next(self.frames))
            .min(self.steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_land_on_strides_and_the_end() {
        let s = Schedule {
            steps: 25,
            metrics: 10,
            snapshots: 4,
            checkpoints: 0,
            frames: 0,
        };
        let mut k = 0;
        let mut events = Vec::new();
        while k < s.steps {
            k = s.next_event(k);
            events.push(k);
        }
        assert_eq!(events, vec![4, 8, 10, 12, 16, 20, 24, 25]);
        assert!(s.metrics_at(25) && s.snapshot_at(25) && !s.metrics_at(24));
    }
}
