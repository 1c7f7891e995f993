//! `mflda bench step`: one ETDRK2 and one ETDRK4 step of the coupled game (all
//! three payoff terms) timed against the floor of the bytes the step moves,
//! measured with the copy kernel in the same run (docs/MATHEMATICS.md section 7), with a
//! per-kernel breakdown.

use serde::Serialize;

use crate::bench::breakdown::{self, Breakdown};
use crate::bench::copy::CopyBandwidth;
use crate::bench::memory;
use crate::bench::sizes::{for_each_size, header, BenchOptions, BenchReport};
use crate::bench::timing::{time_calls, Stats, Timing};
use crate::config::{Config, Scheme};
use crate::dynamics::rhs::RhsPath;
use crate::dynamics::Stepper;
use crate::gpu::GpuContext;
use crate::{Problem, Result};

/// One scheme at one size.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// Grid side N.
    pub n: u32,
    /// "etdrk2" or "etdrk4".
    pub scheme: &'static str,
    /// The right-hand side timed: "fused" (the default) or "unfused".
    pub rhs: &'static str,
    /// Time per step (the step recorded in one compute pass, as the run loop does).
    pub time: Stats,
    /// Bytes one step moves in this plan ([`crate::dynamics::Stepper::bytes_moved`]).
    pub bytes_per_step: u64,
    /// Compute dispatches per step: one per group of the breakdown (every
    /// group of a step records one kernel or one FFT axis pass).
    pub dispatches_per_step: usize,
    /// Achieved GB/s.
    pub achieved_gbps: f64,
    /// Copy bandwidth of a field-sized working set, same run.
    pub copy: CopyBandwidth,
    /// `bytes_per_step / copy bandwidth`, milliseconds.
    pub floor_ms: f64,
    /// Median time over the floor.
    pub ratio_to_floor: f64,
    /// The step by kernel and FFT pass.
    pub breakdown: Breakdown,
    /// GPU memory the benchmark holds at this size, bytes ([`memory::step`]).
    pub gpu_memory_bytes: u64,
}

/// The report of `mflda bench step`: results per size and scheme.
pub type StepBenchReport = BenchReport<StepResult>;

/// Runs the step benchmark on the embedded default game, resized to each `n`.
pub fn run(ctx: &GpuContext, opts: &BenchOptions) -> Result<StepBenchReport> {
    let (results, skipped) = for_each_size(ctx, opts, |n, copy| {
        bench_size(ctx, n, &opts.timing, copy, opts.rhs)
    });
    let results = results.into_iter().flatten().collect();
    Ok(BenchReport::new(ctx, &opts.timing, results, skipped))
}

/// Measures both schemes on an N x N grid against `copy`, the copy bandwidth of
/// one complex field measured in the same run, with the right-hand side
/// evaluated along `path`.
pub fn bench_size(
    ctx: &GpuContext,
    n: u32,
    timing: &Timing,
    copy: &CopyBandwidth,
    path: RhsPath,
) -> Result<Vec<StepResult>> {
    let mut config = Config::embedded_default();
    config.grid.n = n;
    let mut out = Vec::new();
    for scheme in [Scheme::Etdrk2, Scheme::Etdrk4] {
        config.time.scheme = scheme;
        let problem = Problem::from_config(ctx, &config)?;
        let stepper = Stepper::with_path(ctx, &problem.params, problem.ops.clone(), None, path)?;
        let shape = problem.params.shape;
        let area = problem.params.length.powi(shape.dim() as i32);
        let uniform = vec![(1.0 / area) as f32; shape.len()];
        stepper.set_densities(ctx, &uniform, &uniform)?;
        let (_, time) = time_calls(ctx, timing, |pass| stepper.record_step(pass))?;
        let breakdown = breakdown::measure(ctx, timing, copy.gbps, |rec| {
            stepper.record_step_groups(rec)
        })?;
        ctx.take_errors()?;
        let bytes = stepper.bytes_moved();
        let floor_ms = bytes as f64 / (copy.gbps * 1e6);
        let ms = time.median_us / 1e3;
        out.push(StepResult {
            n,
            scheme: scheme.as_str(),
            rhs: match path {
                RhsPath::Fused => "fused",
                RhsPath::Unfused => "unfused",
            },
            time,
            bytes_per_step: bytes,
            dispatches_per_step: breakdown.groups_per_call,
            achieved_gbps: bytes as f64 / (ms * 1e6),
            copy: *copy,
            floor_ms,
            ratio_to_floor: ms / floor_ms,
            breakdown,
            gpu_memory_bytes: memory::step(shape),
        });
    }
    Ok(out)
}

/// The report as a fixed-width table, then each result's breakdown.
pub fn table(report: &StepBenchReport) -> String {
    let mut s = header(&report.adapter, report.clock);
    s += &format!(
        "{:>6} {:>7} {:>10} {:>9} {:>10} {:>6} {:>9} {:>10} {:>10} {:>8}\n",
        "N",
        "scheme",
        "ms/step",
        "iqr ms",
        "MB/step",
        "disp",
        "GB/s",
        "copy GB/s",
        "floor ms",
        "x floor"
    );
    for r in &report.results {
        s += &format!(
            "{:>6} {:>7} {:>10.3} {:>9.3} {:>10.1} {:>6} {:>9.1} {:>10.1} {:>10.3} {:>8.2}\n",
            r.n,
            r.scheme,
            r.time.median_us / 1e3,
            r.time.iqr_us / 1e3,
            r.bytes_per_step as f64 / 1e6,
            r.dispatches_per_step,
            r.achieved_gbps,
            r.copy.gbps,
            r.floor_ms,
            r.ratio_to_floor
        );
    }
    for k in &report.skipped {
        s += &format!("{:>6} skipped: {}\n", k.n, k.reason);
    }
    for r in &report.results {
        let title = format!("N = {} {} ({} right-hand side)", r.n, r.scheme, r.rhs);
        s += &breakdown::table(&title, &r.breakdown);
    }
    s
}
