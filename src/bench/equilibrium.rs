//! `mflda bench equilibrium`: one extragradient iteration of the equilibrium
//! solver (docs/MATHEMATICS.md section 4) on the default game, timed against the floor of
//! the bytes the iteration moves, measured with the copy kernel in the same run
//! (docs/MATHEMATICS.md section 7), with a per-kernel breakdown.

use serde::Serialize;

use crate::bench::breakdown::{self, Breakdown};
use crate::bench::copy::CopyBandwidth;
use crate::bench::memory;
use crate::bench::sizes::{for_each_size, header, BenchOptions, BenchReport};
use crate::bench::timing::{time_calls, Stats, Timing};
use crate::config::Config;
use crate::equilibrium::{EquilibriumOptions, EquilibriumSolver};
use crate::gpu::GpuContext;
use crate::{Problem, Result};

/// One size.
#[derive(Debug, Clone, Serialize)]
pub struct EquilibriumResult {
    /// Grid side N.
    pub n: u32,
    /// Time per iteration (recorded in one compute pass, as the solver does).
    pub time: Stats,
    /// Bytes one iteration moves in this plan
    /// ([`EquilibriumSolver::bytes_per_iteration`]).
    pub bytes_per_iteration: u64,
    /// Achieved GB/s.
    pub achieved_gbps: f64,
    /// Copy bandwidth of a field-sized working set, same run.
    pub copy: CopyBandwidth,
    /// `bytes_per_iteration / copy bandwidth`, microseconds.
    pub floor_us: f64,
    /// Median time over the floor.
    pub ratio_to_floor: f64,
    /// The iteration by kernel and FFT pass.
    pub breakdown: Breakdown,
    /// GPU memory the benchmark holds at this size, bytes ([`memory::equilibrium`]).
    pub gpu_memory_bytes: u64,
}

/// The report of `mflda bench equilibrium`.
pub type EquilibriumBenchReport = BenchReport<EquilibriumResult>;

/// Runs the benchmark on the embedded default game, resized to each `n`.
pub fn run(ctx: &GpuContext, opts: &BenchOptions) -> Result<EquilibriumBenchReport> {
    let (results, skipped) =
        for_each_size(ctx, opts, |n, copy| bench_size(ctx, n, &opts.timing, copy));
    Ok(BenchReport::new(ctx, &opts.timing, results, skipped))
}

/// Measures one N x N size against `copy`, the copy bandwidth of one complex
/// field measured in the same run. The iterations start from the uniform pair
/// and alternate the solver's buffers as [`EquilibriumSolver::solve`] does.
pub fn bench_size(
    ctx: &GpuContext,
    n: u32,
    timing: &Timing,
    copy: &CopyBandwidth,
) -> Result<EquilibriumResult> {
    let mut config = Config::embedded_default();
    config.grid.n = n;
    let problem = Problem::from_config(ctx, &config)?;
    // The iteration both solvers share; the accelerated one adds its store
    // and mix (src/equilibrium/anderson_gpu.rs) and its ring.
    let opts = EquilibriumOptions {
        anderson: 0,
        ..problem.equilibrium_options(&config.equilibrium)
    };
    let mut solver = EquilibriumSolver::new(ctx, &problem.params, &problem.ops, &opts)?;
    solver.start_uniform(ctx)?;
    let mut parity = 0;
    let (_, time) = time_calls(ctx, timing, |pass| {
        solver.record_iteration(pass, parity);
        parity = 1 - parity;
    })?;
    let breakdown = breakdown::measure(ctx, timing, copy.gbps, |rec| {
        solver.record_iteration_groups(rec, parity);
        parity = 1 - parity;
    })?;
    ctx.take_errors()?;
    let bytes = solver.bytes_per_iteration();
    let floor_us = bytes as f64 / (copy.gbps * 1e3);
    Ok(EquilibriumResult {
        n,
        time,
        bytes_per_iteration: bytes,
        achieved_gbps: bytes as f64 / (time.median_us * 1e3),
        copy: *copy,
        floor_us,
        ratio_to_floor: time.median_us / floor_us,
        breakdown,
        gpu_memory_bytes: memory::equilibrium(problem.params.shape),
    })
}

/// The report as a fixed-width table, then each result's breakdown.
pub fn table(report: &EquilibriumBenchReport) -> String {
    let mut s = header(&report.adapter, report.clock);
    s += &format!(
        "{:>6} {:>10} {:>9} {:>10} {:>9} {:>10} {:>10} {:>8}\n",
        "N", "us/iter", "iqr us", "MB/iter", "GB/s", "copy GB/s", "floor us", "x floor"
    );
    for r in &report.results {
        s += &format!(
            "{:>6} {:>10.1} {:>9.1} {:>10.2} {:>9.1} {:>10.1} {:>10.1} {:>8.2}\n",
            r.n,
            r.time.median_us,
            r.time.iqr_us,
            r.bytes_per_iteration as f64 / 1e6,
            r.achieved_gbps,
            r.copy.gbps,
            r.floor_us,
            r.ratio_to_floor
        );
    }
    for k in &report.skipped {
        s += &format!("{:>6} skipped: {}\n", k.n, k.reason);
    }
    for r in &report.results {
        s += &breakdown::table(&format!("N = {} iteration", r.n), &r.breakdown);
    }
    s
}
