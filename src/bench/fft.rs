//! `mflda bench fft`: forward and inverse 2D transforms timed against the copy
//! bandwidth measured in the same run (docs/MATHEMATICS.md section 7).
//!
//! The floor of a transform is the bytes its plan moves (each axis pass reads and
//! writes the field once: 32 N^2 bytes for an N x N complex f32 field) divided by
//! the copy bandwidth of a working set of the same size.

use serde::Serialize;

use crate::bench::breakdown::{self, Breakdown};
use crate::bench::copy::CopyBandwidth;
use crate::bench::memory;
use crate::bench::sizes::{for_each_size, header, BenchOptions, BenchReport};
use crate::bench::timing::{time_calls, Stats, Timing};
use crate::fft::stockham::Axis;
use crate::fft::{Direction, FftPlan};
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::Result;

/// Time of one axis pass of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PassTiming {
    /// "rows" or "columns".
    pub axis: &'static str,
    /// Lines per workgroup.
    pub lines: u32,
    /// Threads per workgroup.
    pub threads: u32,
    /// Radix of each stage.
    pub radices: Vec<u32>,
    /// Forward pass time, the pass in its own compute pass (from `breakdown`).
    pub time: Stats,
    /// Ratio of the pass time to its floor (2 x field bytes over copy bandwidth).
    pub ratio_to_floor: f64,
}

/// Results for one grid size.
#[derive(Debug, Clone, Serialize)]
pub struct FftSizeResult {
    /// Grid side N (the grid is N x N).
    pub n: u32,
    /// Forward transform time.
    pub forward: Stats,
    /// Inverse transform time.
    pub inverse: Stats,
    /// Mean of the forward and inverse medians, microseconds.
    pub us_per_transform: f64,
    /// Bytes one transform moves through global memory in this plan.
    pub bytes_per_transform: u64,
    /// `bytes_per_transform / us_per_transform`, GB/s.
    pub achieved_gbps: f64,
    /// Copy bandwidth of a working set of the field's size, same run.
    pub copy: CopyBandwidth,
    /// `bytes_per_transform / copy bandwidth`, microseconds.
    pub floor_us: f64,
    /// `us_per_transform / floor_us` (1 is the memory-bandwidth floor).
    pub ratio_to_floor: f64,
    /// Per-pass times (forward) with each pass's geometry, from `breakdown`.
    pub passes: Vec<PassTiming>,
    /// The forward transform by pass (`fft.rows`, `fft.columns`).
    pub breakdown: Breakdown,
    /// GPU memory the benchmark holds at this size, bytes ([`memory::fft`]).
    pub gpu_memory_bytes: u64,
}

/// The whole report of `mflda bench fft`.
pub type FftBenchReport = BenchReport<FftSizeResult>;

/// Runs the benchmark for every size; sizes that do not fit are reported in
/// `skipped`, not as errors.
pub fn run(ctx: &GpuContext, opts: &BenchOptions) -> Result<FftBenchReport> {
    let (results, skipped) =
        for_each_size(ctx, opts, |n, copy| bench_size(ctx, n, &opts.timing, copy));
    Ok(BenchReport::new(ctx, &opts.timing, results, skipped))
}

/// Measures one N x N size against `copy`, the copy bandwidth of one complex
/// field measured in the same run.
pub fn bench_size(
    ctx: &GpuContext,
    n: u32,
    timing: &Timing,
    copy: &CopyBandwidth,
) -> Result<FftSizeResult> {
    let shape = Shape::square(n);
    let plan = FftPlan::new(ctx, shape, 1)?;
    let field = GpuField::zeros(ctx, "bench.fft.field", shape, 1, Elem::Complex)?;
    let binding = plan.bind(ctx, &field)?;

    let time = |dir: Direction| time_calls(ctx, timing, |pass| plan.record(pass, &binding, dir));
    let (_, forward) = time(Direction::Forward)?;
    let (_, inverse) = time(Direction::Inverse)?;
    let breakdown = breakdown::measure(ctx, timing, copy.gbps, |rec| {
        plan.record_groups(rec, "fft", &binding, Direction::Forward)
    })?;
    ctx.take_errors()?;

    let passes = plan
        .geometry()
        .into_iter()
        .zip(&breakdown.kernels)
        .map(|(g, k)| PassTiming {
            axis: match g.axis {
                Axis::Rows => "rows",
                Axis::Columns => "columns",
            },
            lines: g.lines,
            threads: g.threads,
            radices: g.radices.clone(),
            time: k.time,
            ratio_to_floor: k.ratio_to_floor,
        })
        .collect();
    let us = 0.5 * (forward.median_us + inverse.median_us);
    let bytes = plan.bytes_moved();
    let floor_us = bytes as f64 / (copy.gbps * 1e3);
    Ok(FftSizeResult {
        n,
        forward,
        inverse,
        us_per_transform: us,
        bytes_per_transform: bytes,
        achieved_gbps: bytes as f64 / (us * 1e3),
        copy: *copy,
        floor_us,
        ratio_to_floor: us / floor_us,
        passes,
        breakdown,
        gpu_memory_bytes: memory::fft(shape),
    })
}

/// The report as a fixed-width table.
pub fn table(report: &FftBenchReport) -> String {
    let mut s = header(&report.adapter, report.clock);
    s += &format!(
        "{:>6} {:>12} {:>12} {:>10} {:>10} {:>10} {:>8}  {}\n",
        "N",
        "us/transform",
        "MB/transform",
        "GB/s",
        "copy GB/s",
        "floor us",
        "x floor",
        "passes (x floor)"
    );
    for r in &report.results {
        let passes: Vec<String> = r
            .passes
            .iter()
            .map(|p| format!("{} {:.2}", p.axis, p.ratio_to_floor))
            .collect();
        s += &format!(
            "{:>6} {:>12.1} {:>12.2} {:>10.1} {:>10.1} {:>10.1} {:>8.2}  {}\n",
            r.n,
            r.us_per_transform,
            r.bytes_per_transform as f64 / 1e6,
            r.achieved_gbps,
            r.copy.gbps,
            r.floor_us,
            r.ratio_to_floor,
            passes.join(", ")
        );
    }
    for k in &report.skipped {
        s += &format!("{:>6} skipped: {}\n", k.n, k.reason);
    }
    s
}
