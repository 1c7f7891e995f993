//! Timing recorded work on the GPU: timestamp queries where the device has them,
//! wall-clock time around synchronised batches where it does not.

use web_time::Instant;

use serde::Serialize;

use crate::gpu::timer::GpuTimer;
use crate::gpu::GpuContext;
use crate::{Error, Result};

/// How times were taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// GPU timestamp queries around each compute pass.
    GpuTimestamps,
    /// Host wall clock around synchronised submissions: a batch of calls
    /// divided by the batch size, or (in a breakdown) one group at a time, so
    /// each sample includes a submission's latency.
    WallClock,
}

/// How a benchmark takes its samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Untimed calls before timing (at least one is always made).
    pub warmup: u32,
    /// Timed calls per measurement (at least one).
    pub reps: u32,
    /// Time with the host wall clock even where the device has timestamps
    /// (to compare the two, or to exercise the fallback).
    pub wall_clock: bool,
}

impl Timing {
    /// `warmup` untimed and `reps` timed calls, GPU timestamps where available.
    pub fn new(warmup: u32, reps: u32) -> Self {
        Timing {
            warmup,
            reps,
            wall_clock: false,
        }
    }

    /// The clock measurements with these options take on `ctx`.
    pub fn clock(&self, ctx: &GpuContext) -> Clock {
        if self.wall_clock || !ctx.timestamps {
            Clock::WallClock
        } else {
            Clock::GpuTimestamps
        }
    }

    /// A GPU timer for `passes` timed passes, unless the wall clock was asked
    /// for or the device has no timestamps.
    pub fn gpu_timer(&self, ctx: &GpuContext, passes: u32) -> Option<GpuTimer> {
        if self.wall_clock {
            None
        } else {
            GpuTimer::new(ctx, passes)
        }
    }
}

/// Summary of repeated timings, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Median.
    pub median_us: f64,
    /// Spread: the interquartile range (75th minus 25th percentile, linearly
    /// interpolated between samples).
    pub iqr_us: f64,
    /// Fastest sample.
    pub min_us: f64,
    /// Slowest sample.
    pub max_us: f64,
    /// Number of samples.
    pub samples: usize,
}

impl Stats {
    /// Summarises samples given in seconds.
    pub fn from_seconds(samples: &[f64]) -> Result<Self> {
        if samples.is_empty() {
            return Err(Error::Internal("no timing samples were taken".into()));
        }
        let mut v: Vec<f64> = samples.iter().map(|s| s * 1e6).collect();
        v.sort_by(f64::total_cmp);
        Ok(Stats {
            median_us: quantile(&v, 0.5),
            iqr_us: quantile(&v, 0.75) - quantile(&v, 0.25),
            min_us: v[0],
            max_us: v[v.len() - 1],
            samples: v.len(),
        })
    }
}

/// The `q`-quantile (0..=1) of sorted, non-empty `v`, interpolating linearly
/// between neighbouring samples (numpy's default).
fn quantile(v: &[f64], q: f64) -> f64 {
    let x = q * (v.len() - 1) as f64;
    let i = x.floor() as usize;
    let j = (i + 1).min(v.len() - 1);
    v[i] + (x - i as f64) * (v[j] - v[i])
}

/// Times `record` (which records one call's dispatches into a compute pass):
/// `timing.warmup` untimed calls, then `timing.reps` timed ones, each in its
/// own compute pass. Returns the clock used and the per-call statistics.
pub fn time_calls(
    ctx: &GpuContext,
    timing: &Timing,
    mut record: impl FnMut(&mut wgpu::ComputePass<'_>),
) -> Result<(Clock, Stats)> {
    let (warmup, reps) = (timing.warmup, timing.reps.max(1));
    let mut run_batch = |count: u32, timer: Option<&mut GpuTimer>| {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("bench"),
            });
        let mut timer = timer;
        for _ in 0..count {
            let timestamp_writes = timer.as_mut().and_then(|t| t.next_pass());
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("bench"),
                timestamp_writes,
            });
            record(&mut pass);
        }
        if let Some(t) = timer {
            t.resolve(&mut encoder);
        }
        ctx.queue.submit([encoder.finish()]);
    };

    run_batch(warmup.max(1), None);
    ctx.wait()?;

    if let Some(mut timer) = timing.gpu_timer(ctx, reps) {
        run_batch(reps, Some(&mut timer));
        ctx.wait()?;
        let samples = timer.read(ctx)?;
        return Ok((Clock::GpuTimestamps, Stats::from_seconds(&samples)?));
    }

    let batches = 5;
    let per_batch = reps.div_ceil(batches).max(1);
    let mut samples = Vec::new();
    for _ in 0..batches {
        let start = Instant::now();
        run_batch(per_batch, None);
        ctx.wait()?;
        samples.push(start.elapsed().as_secs_f64() / per_batch as f64);
    }
    Ok((Clock::WallClock, Stats::from_seconds(&samples)?))
}
