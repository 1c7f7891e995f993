//! What every benchmark shares: its options, the loop over grid sizes (copy
//! bandwidth first, sizes that do not fit reported rather than failed), and the
//! adapter line of its table.

use serde::Serialize;

use crate::bench::copy::{self, CopyBandwidth};
use crate::bench::timing::{Clock, Timing};
use crate::dynamics::rhs::RhsPath;
use crate::gpu::context::AdapterReport;
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::Result;

/// Options of a benchmark.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Grid sides N (each an N x N grid).
    pub sizes: Vec<u32>,
    /// Warm-up, repetitions and clock.
    pub timing: Timing,
    /// The right-hand side the step benchmark evaluates (`--unfused`: the
    /// reference path the fused one is measured against).
    pub rhs: RhsPath,
}

/// The report of one benchmark: the adapter measured, how times were taken,
/// the results per size (`R`, the benchmark's result type) and the sizes that
/// could not run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport<R> {
    /// The adapter measured.
    pub adapter: AdapterReport,
    /// How times were taken.
    pub clock: Clock,
    /// Results per size (and scheme, for the step).
    pub results: Vec<R>,
    /// Sizes that do not fit on this device.
    pub skipped: Vec<Skipped>,
}

impl<R> BenchReport<R> {
    /// A report of `results` and `skipped` on `ctx`'s adapter with the clock
    /// `timing` uses there.
    pub fn new(ctx: &GpuContext, timing: &Timing, results: Vec<R>, skipped: Vec<Skipped>) -> Self {
        BenchReport {
            adapter: ctx.report(),
            clock: timing.clock(ctx),
            results,
            skipped,
        }
    }
}

/// A size that could not be run, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Grid side N.
    pub n: u32,
    /// The error message.
    pub reason: String,
}

/// Copy bandwidth for an N x N grid: a working set of one complex f32 field
/// (8 N^2 bytes), the unit every benchmark's fields come in. Fails, naming
/// the grid, when the device cannot bind such a field.
pub fn copy_for(ctx: &GpuContext, n: u32, timing: &Timing) -> Result<CopyBandwidth> {
    let shape = Shape::square(n);
    GpuField::check_fits(ctx, shape, 1, Elem::Complex)?;
    copy::measure(ctx, GpuField::bytes_for(shape, 1, Elem::Complex), timing)
}

/// Runs `bench(n, copy)` for every size after measuring that size's copy
/// bandwidth; a size whose copy or benchmark fails (does not fit, out of
/// memory) is recorded in the second list with the error, not returned as one.
pub fn for_each_size<T>(
    ctx: &GpuContext,
    opts: &BenchOptions,
    mut bench: impl FnMut(u32, &CopyBandwidth) -> Result<T>,
) -> (Vec<T>, Vec<Skipped>) {
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for &n in &opts.sizes {
        match copy_for(ctx, n, &opts.timing).and_then(|copy| bench(n, &copy)) {
            Ok(r) => results.push(r),
            Err(e) => skipped.push(Skipped {
                n,
                reason: e.to_string(),
            }),
        }
    }
    (results, skipped)
}

/// The first lines of a benchmark table: adapter, driver and clock.
pub fn header(adapter: &AdapterReport, clock: Clock) -> String {
    format!(
        "adapter: {} ({}, {}, driver {} {})\nclock: {:?}\n\n",
        adapter.name,
        adapter.backend,
        adapter.device_type,
        adapter.driver,
        adapter.driver_info,
        clock
    )
}
