//! Why the equilibrium iteration stops (docs/MATHEMATICS.md section 4): the
//! outcome, and the count behind the wait rule that calls a stall round-off.

/// Why the iteration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// The residual reached the tolerance.
    Converged,
    /// The residual stopped decreasing: f32 round-off was reached above the
    /// tolerance.
    RoundOff,
    /// `max_iter` iterations ran without converging.
    MaxIterations,
}

impl Stop {
    /// The name used on screen and in JSON: `converged`, `round-off`,
    /// `max-iterations`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Converged => "converged",
            Stop::RoundOff => "round-off",
            Stop::MaxIterations => "max-iterations",
        }
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The best residual so far and the checks since a check last brought the
/// residual below 0.9 times the best (the wait rule's count).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stall {
    pub(crate) best: f64,
    pub(crate) stale: u32,
}

impl Stall {
    /// Starting from the residual `r` (`f64::INFINITY` before any).
    pub(crate) fn new(r: f64) -> Self {
        Stall { best: r, stale: 0 }
    }

    /// Counts the check of residual `r`.
    pub(crate) fn record(&mut self, r: f64) {
        if r < 0.9 * self.best {
            self.best = r;
            self.stale = 0;
        } else {
            self.stale += 1;
        }
    }
}
