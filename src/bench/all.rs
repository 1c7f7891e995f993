//! `mflda bench all`: the FFT, step and equilibrium benchmarks in one run, one
//! section each, every size's three benchmarks measured against one copy
//! bandwidth measured just before them.

use serde::Serialize;

use crate::bench::equilibrium::{self, EquilibriumBenchReport};
use crate::bench::fft::{self, FftBenchReport};
use crate::bench::sizes::{copy_for, BenchOptions, BenchReport, Skipped};
use crate::bench::step::{self, StepBenchReport};
use crate::gpu::GpuContext;
use crate::Result;

/// The three reports; each names the adapter and clock itself, so a section
/// read on its own is complete.
#[derive(Debug, Clone, Serialize)]
pub struct AllBenchReport {
    /// `mflda bench fft`.
    pub fft: FftBenchReport,
    /// `mflda bench step`.
    pub step: StepBenchReport,
    /// `mflda bench equilibrium`.
    pub equilibrium: EquilibriumBenchReport,
}

/// Runs the three benchmarks size by size; a size that does not fit is skipped
/// in each section that cannot run it, with the reason.
pub fn run(ctx: &GpuContext, opts: &BenchOptions) -> Result<AllBenchReport> {
    let t = &opts.timing;
    let mut report = AllBenchReport {
        fft: BenchReport::new(ctx, t, Vec::new(), Vec::new()),
        step: BenchReport::new(ctx, t, Vec::new(), Vec::new()),
        equilibrium: BenchReport::new(ctx, t, Vec::new(), Vec::new()),
    };
    let timing = &opts.timing;
    for &n in &opts.sizes {
        let skip = |e: crate::Error| Skipped {
            n,
            reason: e.to_string(),
        };
        let copy = match copy_for(ctx, n, timing) {
            Ok(c) => c,
            Err(e) => {
                let s = skip(e);
                report.fft.skipped.push(s.clone());
                report.step.skipped.push(s.clone());
                report.equilibrium.skipped.push(s);
                continue;
            }
        };
        match fft::bench_size(ctx, n, timing, &copy) {
            Ok(r) => report.fft.results.push(r),
            Err(e) => report.fft.skipped.push(skip(e)),
        }
        match step::bench_size(ctx, n, timing, &copy, opts.rhs) {
            Ok(r) => report.step.results.extend(r),
            Err(e) => report.step.skipped.push(skip(e)),
        }
        match equilibrium::bench_size(ctx, n, timing, &copy) {
            Ok(r) => report.equilibrium.results.push(r),
            Err(e) => report.equilibrium.skipped.push(skip(e)),
        }
    }
    Ok(report)
}

/// The three tables, one after another under their names.
pub fn table(report: &AllBenchReport) -> String {
    format!(
        "== fft ==\n{}\n== step ==\n{}\n== equilibrium ==\n{}",
        fft::table(&report.fft),
        step::table(&report.step),
        equilibrium::table(&report.equilibrium)
    )
}
