//! Timing recorded work on the GPU: timestamp queries where the device has them,
//! wall-clock time around synchronised batches where it does not.

use std::time::Instant;

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
    /// Host wall clock around a batch of passes, divided by the batch size.
    WallClock,
}

/// Summary of repeated timings, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Median.
    pub median_us: f64,
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
            return Err(Error::Device("no timing samples were taken".into()));
        }
        let mut v: Vec<f64> = samples.iter().map(|s| s * 1e6).collect();
        v.sort_by(f64::total_cmp);
        let mid = v.len() / 2;
        let median_us = if v.len() % 2 == 1 {
            v[mid]
        } else {
            0.5 * (v[mid - 1] + v[mid])
        };
        Ok(Stats {
            median_us,
            min_us: v[0],
            max_us: v[v.len() - 1],
            samples: v.len(),
        })
    }
}

/// Times `record` (which records one call's dispatches into a compute pass):
/// `warmup` untimed calls, then `reps` timed ones. Returns the clock used and
/// the per-call statistics.
pub fn time_calls(
    ctx: &GpuContext,
    warmup: u32,
    reps: u32,
    mut record: impl FnMut(&mut wgpu::ComputePass<'_>),
) -> Result<(Clock, Stats)> {
    let reps = reps.max(1);
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

    if let Some(mut timer) = GpuTimer::new(ctx, reps) {
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
