//! `summary.json` and `equilibrium.json`.

use serde::{Deserialize, Serialize};

use crate::analysis::fit::RateFit;
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
}

impl From<&EquilibriumReport> for EquilibriumSummary {
    fn from(r: &EquilibriumReport) -> Self {
        EquilibriumSummary {
            iterations: r.iterations,
            residual: r.residual,
            ni: r.ni,
            step: r.step,
            stop: r.stop,
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
