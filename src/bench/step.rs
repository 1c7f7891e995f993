//! `mflda bench step`: one ETDRK2 and one ETDRK4 step of the coupled game (all
//! three payoff terms) timed against the floor of the bytes the step moves,
//! measured with the copy kernel in the same run (MFLDA.md section 7).

use serde::Serialize;

use crate::bench::copy::{self, CopyBandwidth};
use crate::bench::fft::Skipped;
use crate::bench::timing::{time_calls, Clock, Stats};
use crate::config::{Config, Scheme};
use crate::gpu::context::AdapterReport;
use crate::gpu::{Elem, GpuContext, GpuField};
use crate::{Problem, Result};

/// One scheme at one size.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// Grid side N.
    pub n: u32,
    /// "etdrk2" or "etdrk4".
    pub scheme: &'static str,
    /// Time per step.
    pub time: Stats,
    /// Bytes one step moves in this plan.
    pub bytes_per_step: u64,
    /// Achieved GB/s.
    pub achieved_gbps: f64,
    /// Copy bandwidth of a field-sized working set, same run.
    pub copy: CopyBandwidth,
    /// `bytes_per_step / copy bandwidth`, milliseconds.
    pub floor_ms: f64,
    /// Median time over the floor.
    pub ratio_to_floor: f64,
}

/// The report of `mflda bench step`.
#[derive(Debug, Clone, Serialize)]
pub struct StepBenchReport {
    /// The adapter measured.
    pub adapter: AdapterReport,
    /// How times were taken.
    pub clock: Clock,
    /// Results per size and scheme.
    pub results: Vec<StepResult>,
    /// Sizes that do not fit.
    pub skipped: Vec<Skipped>,
}

/// Runs the step benchmark on the embedded default game, resized to each `n`.
pub fn run(ctx: &GpuContext, sizes: &[u32], warmup: u32, reps: u32) -> Result<StepBenchReport> {
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    let mut clock = Clock::WallClock;
    for &n in sizes {
        match bench_size(ctx, n, warmup, reps) {
            Ok((c, mut r)) => {
                clock = c;
                results.append(&mut r);
            }
            Err(e) => skipped.push(Skipped {
                n,
                reason: e.to_string(),
            }),
        }
    }
    Ok(StepBenchReport {
        adapter: ctx.report(),
        clock,
        results,
        skipped,
    })
}

fn bench_size(
    ctx: &GpuContext,
    n: u32,
    warmup: u32,
    reps: u32,
) -> Result<(Clock, Vec<StepResult>)> {
    let mut config = Config::embedded_default();
    config.grid.n = n;
    let field_bytes = GpuField::bytes_for(Problem::params(&config).shape, 1, Elem::Complex);
    let copy = copy::measure(ctx, field_bytes, warmup, reps)?;
    let mut out = Vec::new();
    let mut clock = Clock::WallClock;
    for scheme in [Scheme::Etdrk2, Scheme::Etdrk4] {
        config.time.scheme = scheme;
        let problem = Problem::from_config(ctx, &config)?;
        let stepper = problem.stepper(ctx)?;
        let shape = problem.params.shape;
        let area = problem.params.length.powi(shape.dim() as i32);
        let uniform = vec![(1.0 / area) as f32; shape.len()];
        stepper.set_densities(ctx, &uniform, &uniform)?;
        let (c, time) = time_calls(ctx, warmup, reps, |pass| stepper.record_step(pass))?;
        ctx.take_errors()?;
        clock = c;
        let bytes = stepper.bytes_moved();
        let floor_ms = bytes as f64 / (copy.gbps * 1e6);
        let ms = time.median_us / 1e3;
        out.push(StepResult {
            n,
            scheme: scheme.as_str(),
            time,
            bytes_per_step: bytes,
            achieved_gbps: bytes as f64 / (ms * 1e6),
            copy,
            floor_ms,
            ratio_to_floor: ms / floor_ms,
        });
    }
    Ok((clock, out))
}

/// The report as a fixed-width table.
pub fn table(report: &StepBenchReport) -> String {
    let a = &report.adapter;
    let mut s = format!(
        "adapter: {} ({}, {}, driver {} {})\nclock: {:?}\n\n",
        a.name, a.backend, a.device_type, a.driver, a.driver_info, report.clock
    );
    s += &format!(
        "{:>6} {:>7} {:>10} {:>10} {:>9} {:>10} {:>10} {:>8}\n",
        "N", "scheme", "ms/step", "MB/step", "GB/s", "copy GB/s", "floor ms", "x floor"
    );
    for r in &report.results {
        s += &format!(
            "{:>6} {:>7} {:>10.3} {:>10.1} {:>9.1} {:>10.1} {:>10.3} {:>8.2}\n",
            r.n,
            r.scheme,
            r.time.median_us / 1e3,
            r.bytes_per_step as f64 / 1e6,
            r.achieved_gbps,
            r.copy.gbps,
            r.floor_ms,
            r.ratio_to_floor
        );
    }
    for k in &report.skipped {
        s += &format!("{:>6} skipped: {}\n", k.n, k.reason);
    }
    s
}
