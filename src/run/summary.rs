//! `summary.json` and `equilibrium.json`.

use serde::{Deserialize, Serialize};

use crate::analysis::fit::RateFit;
use crate::config::EquilibriumConfig;
use crate::dynamics::stability::StepEstimate;
use crate::equilibrium::{EquilibriumReport, Stop};
use crate::gpu::context::AdapterReport;
use crate::metrics::MetricsRow;

/// The equilibrium computation, as reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EquilibriumSummary {
    /// Extragradient iterations.
    pub iterations: u32,
    /// Fixed-point residual.
    pub residual: f64,
    /// Nikaido-Isoda error at the computed equilibrium.
    pub ni: f64,
    /// Extragradient step used.
    pub step: f64,
    /// Why the iteration stopped.
    pub stop: Stop,
    /// The scale of the residual's f32 round-off floor, `eps_f32 sup|K| / tau`
    /// (0 in checkpoints written before it was recorded).
    #[serde(default)]
    pub round_off: f64,
    /// The tolerance asked for, `equilibrium.tol` (0 in checkpoints written
    /// before it was recorded).
    #[serde(default)]
    pub tol: f64,
    /// Depth m of the Anderson acceleration, 0 for the plain iteration (and
    /// in files written before it existed).
    #[serde(default)]
    pub anderson: u32,
    /// Accelerated iterates the safeguard rejected.
    #[serde(default)]
    pub restarts: u32,
}

/// `x` in scientific notation with three significant digits (`1.23e-4`),
/// `0` for zero: for quantities that span many decades.
pub fn sci(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.2e}")
    }
}

impl From<&EquilibriumReport> for EquilibriumSummary {
    fn from(r: &EquilibriumReport) -> Self {
        EquilibriumSummary {
            iterations: r.iterations,
            residual: r.residual,
            ni: r.ni,
            step: r.step,
            stop: r.stop,
            round_off: r.round_off,
            tol: r.tol,
            anderson: r.anderson,
            restarts: r.restarts,
        }
    }
}

impl EquilibriumSummary {
    /// Residuals more than this many times `equilibrium.tol` make a round-off
    /// stop worth a warning.
    const ROUND_OFF_MARGIN: f64 = 100.0;

    /// One line for the screen: `equilibrium: 12 iterations (Anderson, m =
    /// 8, 0 restarts), residual 9.87e-7 (tol 1.0e-6), NI 3.21e-13, step
    /// 0.4167, stop: converged`,
    /// with the stop reason spelled as in equilibrium.json.
    /// A stop above the tolerance says why.
    pub fn describe(&self) -> String {
        let why = match self.stop {
            Stop::Converged => String::new(),
            Stop::RoundOff => format!(
                " (the residual stopped falling above tol: f32 round-off, whose scale is {})",
                sci(self.round_off)
            ),
            Stop::MaxIterations => " (equilibrium.max_iter iterations ran out)".into(),
        };
        let accelerated = match self.anderson {
            0 => String::new(),
            m => format!(
                " (Anderson, m = {m}, {} restart{})",
                self.restarts,
                if self.restarts == 1 { "" } else { "s" }
            ),
        };
        format!(
            "equilibrium: {} iterations{accelerated}, residual {} (tol {}), NI {}, step {:.4}, \
             stop: {}{why}",
            self.iterations,
            sci(self.residual),
            sci(self.tol),
            sci(self.ni),
            self.step,
            self.stop
        )
    }

    /// A warning when the equilibrium is less accurate than `config` asked:
    /// the iteration ran out of `max_iter`, or stopped improving more than 100
    /// times above both `tol` and the f32 floor (`round_off`), which points at
    /// a step too large; a note when it stopped at the f32 floor far above
    /// `tol` (low temperature). An equilibrium off by its residual r puts a
    /// floor near r under every distance a run measures to it and flattens
    /// the fitted rates (docs/MATHEMATICS.md section 4).
    pub fn warning(&self, config: &EquilibriumConfig) -> Option<String> {
        let r = self.residual;
        let consequence =
            format!("distances to it below about {r:.1e} measure its error, not the dynamics");
        match self.stop {
            Stop::Converged => None,
            Stop::MaxIterations => Some(format!(
                "warning: the equilibrium did not converge in equilibrium.max_iter = {} \
                 iterations (residual {r:.2e}, equilibrium.tol = {:.1e}): {consequence}; \
                 raise equilibrium.max_iter",
                config.max_iter, config.tol
            )),
            Stop::RoundOff if r > Self::ROUND_OFF_MARGIN * config.tol.max(self.round_off) => {
                Some(format!(
                    "warning: the equilibrium iteration stopped improving at residual \
                     {r:.2e}, far above equilibrium.tol = {:.1e} and the f32 round-off scale \
                     {:.1e}: {consequence}; try a smaller equilibrium.step (now {:.3e})",
                    config.tol, self.round_off, self.step
                ))
            }
            Stop::RoundOff if r > Self::ROUND_OFF_MARGIN * config.tol => Some(format!(
                "note: the equilibrium reached f32 round-off at residual {r:.2e} (the scale \
                 eps_f32 sup|K| / tau is {:.1e}), far above equilibrium.tol = {:.1e}: \
                 {consequence}",
                self.round_off, config.tol
            )),
            Stop::RoundOff => None,
        }
    }
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// mflda version.
    pub version: &'static str,
    /// The adapter the run used.
    pub adapter: AdapterReport,
    /// Space dimension.
    pub dim: u32,
    /// Points per side.
    pub n: u32,
    /// Side length.
    pub length: f64,
    /// Steps taken (in all sessions of the run).
    pub steps: u64,
    /// The step this session started from (0, or a checkpoint's when resumed).
    pub resumed_from_step: u64,
    /// Time step.
    pub dt: f64,
    /// Simulated end time reached.
    pub t_end: f64,
    /// Why the run ended: `t-end`, or `stop-below` when the joint L2
    /// distance to the equilibrium fell below `time.stop_below` first.
    pub stop: &'static str,
    /// `time.stop_below`, when set.
    pub stop_below: Option<f64>,
    /// Wall-clock seconds of this session's time stepping.
    pub wall_time_s: f64,
    /// Steps per second of this session.
    pub steps_per_s: f64,
    /// The explicit step-size estimate for this problem.
    pub step_estimate: StepEstimate,
    /// The GPU memory this session of the run needed at its peak, estimated
    /// (and printed) before it allocated anything, bytes
    /// ([`RunMemory`](crate::run::RunMemory)).
    pub gpu_memory_bytes: u64,
    /// Relative truncation error of the band-limited interaction (0 if none).
    pub interaction_truncation_error: f64,
    /// The equilibrium computation.
    pub equilibrium: EquilibriumSummary,
    /// The last metrics row.
    pub final_metrics: MetricsRow,
    /// Exponential decay rates of the distances, fitted where log-distance is
    /// linear (`name -> rate, window, residual`); drawn on metrics.png.
    pub rate_fits: std::collections::BTreeMap<String, RateFit>,
}
