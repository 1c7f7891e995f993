//! `mflda bench w2`: one W2 evaluation by the back-and-forth method per
//! grid size, on the product pair of tests/w2.rs whose exact distance the
//! circle formula gives; on the device ([`crate::w2::bfm_gpu`]) or, with
//! `--host`, by the f64 reference ([`crate::w2::bfm_cpu`]). The time of an
//! iteration is against the floor of its array traffic at the copy
//! bandwidth of a working set of the grid's size measured in the same run
//! where the solver runs: on the device the bytes its passes move
//! ([`BfmGpu::bytes_per_iteration`]) and the iteration timed by itself, on
//! the host the least f64 traffic of the algorithm
//! ([`BYTES_PER_POINT_ITERATION`]) and the evaluation's mean.

use std::f64::consts::TAU;
use web_time::Instant;

use serde::Serialize;

use crate::bench::copy;
use crate::bench::sizes::Skipped;
use crate::bench::timing::{time_calls, Clock, Stats, Timing};
use crate::gpu::{GpuContext, Shape};
use crate::w2::bfm_cpu::{w2_bfm, BfmOptions, BfmResult};
use crate::w2::bfm_gpu::BfmGpu;
use crate::w2::circle::w2_circle;
use crate::Result;

/// The least f64 traffic of one iteration of the host method (two
/// half-steps), bytes a grid point: per half-step the push (read `nu`,
/// `psi`; write the pushed density: 24), the `H^1` solve (one read-write
/// pass of a complex field each way: 64; the residual and update: 24), two
/// c-transforms (a row and a column pass each, read and write: 64) and the
/// dual value (read four fields: 32); then the primal cost (read `phi`,
/// `mu`: 16).
pub const BYTES_PER_POINT_ITERATION: u64 = 2 * (24 + 64 + 24 + 64 + 32) + 16;

/// Where `mflda bench w2` runs the solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// [`BfmGpu`], f32 on the device.
    Device,
    /// [`w2_bfm`], f64 on the host.
    Host,
}

/// One grid size.
#[derive(Debug, Clone, Serialize)]
pub struct W2Result {
    /// Grid side N (an N x N grid).
    pub n: u32,
    /// Wall time of the whole evaluation (setup, iterations, readbacks),
    /// seconds.
    pub seconds: f64,
    /// Iterations taken.
    pub iterations: u32,
    /// Why it stopped.
    pub stop: &'static str,
    /// The relative primal-dual gap reached.
    pub gap: f64,
    /// The reported error bound.
    pub bound: f64,
    /// `|W2 / W2_exact - 1|` on the product pair.
    pub error: f64,
    /// Time of one iteration, milliseconds: on the device the median of
    /// iterations timed alone, on the host `seconds / iterations`.
    pub ms_per_iteration: f64,
    /// Bytes an iteration moves (see the module's header).
    pub bytes_per_iteration: u64,
    /// Dispatches per iteration (0 on the host).
    pub dispatches_per_iteration: u32,
    /// Copy bandwidth on an `8 N^2`-byte working set where the solver ran,
    /// GB/s.
    pub copy_gbps: f64,
    /// `bytes_per_iteration / copy bandwidth`, milliseconds.
    pub floor_ms: f64,
    /// `ms_per_iteration / floor_ms`.
    pub ratio_to_floor: f64,
    /// GPU memory the device solver holds at this size, bytes
    /// ([`crate::bench::memory::w2`]; 0 on the host).
    pub gpu_memory_bytes: u64,
}

/// The report of `mflda bench w2`.
#[derive(Debug, Clone, Serialize)]
pub struct W2BenchReport {
    /// Where the solver ran.
    pub solver: String,
    /// The clock of the device solver's times (`None` for the host solver).
    pub clock: Option<Clock>,
    /// Results per size.
    pub results: Vec<W2Result>,
    /// Sizes that could not run.
    pub skipped: Vec<Skipped>,
}

/// The product pair at side `n`: densities `f1(x) f2(y)` and `g1(x) g2(y)`,
/// and their exact distance `sqrt(W2(f1, g1)^2 + W2(f2, g2)^2)`.
pub fn product_pair(n: usize) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let line = |f: &dyn Fn(f64) -> f64| -> Vec<f64> {
        (0..n).map(|j| f(j as f64 * TAU / n as f64)).collect()
    };
    let f1 = line(&|x| 1.0 + 0.5 * x.cos() + 0.2 * (2.0 * x).sin());
    let g1 = line(&|x| (2.0 * (x - 1.0).cos()).exp());
    let f2 = line(&|x| 1.0 + 0.3 * (x + 0.5).sin());
    let g2 = line(&|x| (1.5 * (x - 3.0).cos()).exp());
    let a = w2_circle(&f1, &g1, TAU)?.w2;
    let b = w2_circle(&f2, &g2, TAU)?.w2;
    let mu = (0..n * n).map(|i| f1[i % n] * f2[i / n]).collect();
    let nu = (0..n * n).map(|i| g1[i % n] * g2[i / n]).collect();
    Ok((mu, nu, a.hypot(b)))
}

/// Host copy bandwidth (read and write) of `len` f64 values, GB/s: the
/// median of `reps` samples, each enough copies (about 32 MiB in all) to be
/// well above the clock's resolution.
pub fn host_copy_gbps(len: usize, reps: u32) -> Result<f64> {
    let src: Vec<f64> = (0..len).map(|i| i as f64).collect();
    let mut dst = vec![0.0f64; len];
    // One untimed copy first: the destination's pages are touched.
    dst.copy_from_slice(&src);
    let copies = (1usize << 22).div_ceil(len.max(1)).max(1);
    let mut samples = Vec::new();
    for _ in 0..reps.max(1) {
        let began = Instant::now();
        for _ in 0..copies {
            dst.copy_from_slice(std::hint::black_box(&src));
            std::hint::black_box(&mut dst);
        }
        samples.push(began.elapsed().as_secs_f64() / copies as f64);
    }
    let t = Stats::from_seconds(&samples)?.median_us * 1e-6;
    Ok(16.0 * len as f64 / t / 1e9)
}

/// Evaluates W2 once per size of `sizes` with `options` on `solver`;
/// `timing` sets the repetitions of the copy and of the timed iterations.
pub fn run(
    ctx: &GpuContext,
    sizes: &[u32],
    options: BfmOptions,
    solver: Solver,
    timing: &Timing,
) -> Result<W2BenchReport> {
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for &n in sizes {
        let r = match solver {
            Solver::Device => bench_device(ctx, n, options, timing),
            Solver::Host => bench_host(n, options, timing.reps),
        };
        match r {
            Ok(r) => results.push(r),
            Err(e) => skipped.push(Skipped {
                n,
                reason: e.to_string(),
            }),
        }
    }
    let (solver, clock) = match solver {
        Solver::Device => (
            format!("back-and-forth, device f32 ({})", ctx.describe()),
            Some(timing.clock(ctx)),
        ),
        Solver::Host => ("back-and-forth, host f64".to_string(), None),
    };
    Ok(W2BenchReport {
        solver,
        clock,
        results,
        skipped,
    })
}

/// The figures of one evaluation `r` of the product pair at side `n`.
struct Measured {
    n: u32,
    seconds: f64,
    ms_per_iteration: f64,
    bytes_per_iteration: u64,
    dispatches_per_iteration: u32,
    copy_gbps: f64,
    gpu_memory_bytes: u64,
}

impl Measured {
    fn result(self, r: &BfmResult, exact: f64) -> W2Result {
        let floor_ms = self.bytes_per_iteration as f64 / (self.copy_gbps * 1e6);
        W2Result {
            n: self.n,
            seconds: self.seconds,
            iterations: r.iterations,
            stop: r.stop.as_str(),
            gap: r.gap,
            bound: r.bound,
            error: (r.w2() / exact - 1.0).abs(),
            ms_per_iteration: self.ms_per_iteration,
            bytes_per_iteration: self.bytes_per_iteration,
            dispatches_per_iteration: self.dispatches_per_iteration,
            copy_gbps: self.copy_gbps,
            floor_ms,
            ratio_to_floor: self.ms_per_iteration / floor_ms,
            gpu_memory_bytes: self.gpu_memory_bytes,
        }
    }
}

fn bench_host(n: u32, options: BfmOptions, reps: u32) -> Result<W2Result> {
    let points = (n as usize) * (n as usize);
    let (mu, nu, exact) = product_pair(n as usize)?;
    let copy_gbps = host_copy_gbps(points, reps)?;
    let began = Instant::now();
    let r = w2_bfm(&mu, &nu, Shape::square(n), TAU, options)?;
    let seconds = began.elapsed().as_secs_f64();
    let measured = Measured {
        n,
        seconds,
        ms_per_iteration: 1e3 * seconds / f64::from(r.iterations.max(1)),
        bytes_per_iteration: BYTES_PER_POINT_ITERATION * points as u64,
        dispatches_per_iteration: 0,
        copy_gbps,
        gpu_memory_bytes: 0,
    };
    Ok(measured.result(&r, exact))
}

fn bench_device(
    ctx: &GpuContext,
    n: u32,
    options: BfmOptions,
    timing: &Timing,
) -> Result<W2Result> {
    let shape = Shape::square(n);
    let (mu, nu, exact) = product_pair(n as usize)?;
    let copy = copy::measure(ctx, 8 * shape.len() as u64, timing)?;
    let solver = BfmGpu::new(ctx, shape, TAU)?;
    let began = Instant::now();
    let r = solver.solve(ctx, &mu, &nu, options)?;
    let seconds = began.elapsed().as_secs_f64();
    // Iterations by themselves, on the converged potentials (the work of
    // an iteration does not depend on the values).
    let (_, time): (Clock, Stats) = time_calls(ctx, timing, |pass| solver.record_iteration(pass))?;
    ctx.take_errors()?;
    let measured = Measured {
        n,
        seconds,
        ms_per_iteration: time.median_us * 1e-3,
        bytes_per_iteration: solver.bytes_per_iteration(),
        dispatches_per_iteration: solver.dispatches(),
        copy_gbps: copy.gbps,
        gpu_memory_bytes: crate::bench::memory::w2(shape),
    };
    Ok(measured.result(&r, exact))
}

/// The report as a fixed-width table.
pub fn table(report: &W2BenchReport) -> String {
    let mut s = format!("solver: {}\n", report.solver);
    if let Some(clock) = report.clock {
        s += &format!("clock: {clock:?}\n");
    }
    s += &format!(
        "{:>6} {:>10} {:>6} {:>15} {:>9} {:>9} {:>9} {:>10} {:>10} {:>6} {:>10} {:>10} {:>9}\n",
        "n",
        "s/eval",
        "iters",
        "stop",
        "gap",
        "bound",
        "error",
        "ms/iter",
        "MB/iter",
        "disp",
        "copy GB/s",
        "floor ms",
        "x floor"
    );
    for r in &report.results {
        s += &format!(
            "{:>6} {:>10.3} {:>6} {:>15} {:>9.2e} {:>9.2e} {:>9.2e} {:>10.3} {:>10.1} {:>6} {:>10.1} {:>10.4} {:>9.1}\n",
            r.n,
            r.seconds,
            r.iterations,
            r.stop,
            r.gap,
            r.bound,
            r.error,
            r.ms_per_iteration,
            r.bytes_per_iteration as f64 / 1e6,
            r.dispatches_per_iteration,
            r.copy_gbps,
            r.floor_ms,
            r.ratio_to_floor
        );
    }
    for k in &report.skipped {
        s += &format!("{:>6} skipped: {}\n", k.n, k.reason);
    }
    s
}
