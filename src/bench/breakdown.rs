//! Per-kernel breakdown of one call (a step, an iteration, a transform): which
//! labelled groups of dispatches take the time, against the bytes each moves.
//!
//! Each group of the call is recorded into its own compute pass. With GPU
//! timestamps, every pass of a call gets a begin/end pair and the whole call is
//! one submission; without them (or with [`Timing::wall_clock`]), each group is
//! submitted alone and timed by the host clock, which adds a submission's
//! latency to every group. Either way the groups run in the call's order on the
//! call's data, so caches and state are as in the real loop, but splitting a
//! call into passes adds the barriers between passes: [`Breakdown::total_us`]
//! can exceed the time of the call recorded in one pass.

use std::collections::HashMap;
use web_time::Instant;

use serde::Serialize;

use crate::bench::timing::{Clock, Stats, Timing};
use crate::gpu::groups::{GroupRecorder, InPass, Label, Listing, RecordFn};
use crate::gpu::timer::GpuTimer;
use crate::gpu::GpuContext;
use crate::{Error, Result};

/// The time of all groups sharing one label, per call.
#[derive(Debug, Clone, Serialize)]
pub struct KernelTiming {
    /// The label, e.g. `rhs.flux` or `rhs.ifft_grad.rows`.
    pub label: String,
    /// Groups with this label in one call (e.g. 4 right-hand sides per ETDRK4 step).
    pub groups: u32,
    /// Time per call: the sum over these groups, across repetitions.
    pub time: Stats,
    /// `time.median_us` over [`Breakdown::total_us`] (the shares sum to 1).
    pub share: f64,
    /// Bytes these groups move per call.
    pub bytes: u64,
    /// `bytes / time.median_us`, GB/s.
    pub achieved_gbps: f64,
    /// Median time over `bytes / copy bandwidth` (1 is the memory-bandwidth floor).
    pub ratio_to_floor: f64,
}

/// The breakdown of one call by label, in the order the labels are first recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// How the groups were timed.
    pub clock: Clock,
    /// Groups (compute passes) per call.
    pub groups_per_call: usize,
    /// Sum of the per-label median times, microseconds.
    pub total_us: f64,
    /// Per-label timings.
    pub kernels: Vec<KernelTiming>,
}

/// Times each group of the call `record` records (which may change between
/// calls, e.g. alternate a parity, as long as it records the same labels):
/// `timing.warmup` untimed calls in one pass each, then `timing.reps` calls
/// with every group in its own pass. `copy_gbps` is the copy bandwidth the
/// ratios are taken against.
pub fn measure(
    ctx: &GpuContext,
    timing: &Timing,
    copy_gbps: f64,
    mut record: impl FnMut(&mut dyn GroupRecorder),
) -> Result<Breakdown> {
    let listing = Listing::of(&mut record);
    let groups = listing.groups.len();
    if groups == 0 {
        return Err(Error::Internal(
            "a breakdown of a call that records nothing".into(),
        ));
    }
    // Label of each group, as an index into `labels` (first-recorded order).
    let mut labels: Vec<(Label, u32, u64)> = Vec::new();
    let mut index_of: HashMap<Label, usize> = HashMap::new();
    let group_label: Vec<usize> = listing
        .groups
        .iter()
        .map(|&(label, bytes)| {
            let i = *index_of.entry(label).or_insert_with(|| {
                labels.push((label, 0, 0));
                labels.len() - 1
            });
            labels[i].1 += 1;
            labels[i].2 += bytes;
            i
        })
        .collect();

    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for _ in 0..timing.warmup.max(1) {
            record(&mut InPass(&mut pass));
        }
    }
    ctx.queue.submit([encoder.finish()]);
    ctx.wait()?;

    let reps = timing.reps.max(1) as usize;
    let mut samples = vec![Vec::with_capacity(reps); labels.len()];
    let clock = match timing.gpu_timer(ctx, groups as u32) {
        Some(mut timer) => {
            for _ in 0..reps {
                let mut encoder = ctx.device.create_command_encoder(&Default::default());
                record(&mut TimedPasses {
                    encoder: &mut encoder,
                    timer: &mut timer,
                });
                timer.resolve(&mut encoder);
                ctx.queue.submit([encoder.finish()]);
                let times = timer.read(ctx)?;
                add_rep(&mut samples, &group_label, &times)?;
            }
            Clock::GpuTimestamps
        }
        None => {
            for _ in 0..reps {
                let mut rec = WallPerGroup {
                    ctx,
                    times: Vec::with_capacity(groups),
                    error: None,
                };
                record(&mut rec);
                if let Some(e) = rec.error {
                    return Err(e);
                }
                add_rep(&mut samples, &group_label, &rec.times)?;
            }
            Clock::WallClock
        }
    };
    ctx.take_errors()?;

    let stats = samples
        .iter()
        .map(|s| Stats::from_seconds(s))
        .collect::<Result<Vec<_>>>()?;
    let total_us: f64 = stats.iter().map(|s| s.median_us).sum();
    let kernels = labels
        .iter()
        .zip(stats)
        .map(|(&(label, count, bytes), time)| KernelTiming {
            label: label.to_string(),
            groups: count,
            share: time.median_us / total_us,
            bytes,
            achieved_gbps: bytes as f64 / (time.median_us * 1e3),
            ratio_to_floor: time.median_us * copy_gbps * 1e3 / bytes as f64,
            time,
        })
        .collect();
    Ok(Breakdown {
        clock,
        groups_per_call: groups,
        total_us,
        kernels,
    })
}

/// Adds one call's per-group durations (seconds, in group order) to the
/// per-label samples.
fn add_rep(samples: &mut [Vec<f64>], group_label: &[usize], times: &[f64]) -> Result<()> {
    if times.len() != group_label.len() {
        return Err(Error::Internal(format!(
            "a call recorded {} groups where {} were listed",
            times.len(),
            group_label.len()
        )));
    }
    let mut sums = vec![0.0; samples.len()];
    for (&i, &t) in group_label.iter().zip(times) {
        sums[i] += t;
    }
    for (s, t) in samples.iter_mut().zip(sums) {
        s.push(t);
    }
    Ok(())
}

/// Records each group into its own pass of one encoder, with timestamps.
struct TimedPasses<'a> {
    encoder: &'a mut wgpu::CommandEncoder,
    timer: &'a mut GpuTimer,
}

impl GroupRecorder for TimedPasses<'_> {
    fn group(&mut self, label: Label, _bytes: u64, record: RecordFn<'_>) {
        let mut pass = self
            .encoder
            .begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(label.stage),
                timestamp_writes: self.timer.next_pass(),
            });
        record(&mut pass);
    }
}

/// Submits each group alone and times it by the host clock, to completion.
struct WallPerGroup<'a> {
    ctx: &'a GpuContext,
    /// Seconds per group, in order.
    times: Vec<f64>,
    /// The first error waiting for the device.
    error: Option<Error>,
}

impl GroupRecorder for WallPerGroup<'_> {
    fn group(&mut self, label: Label, _bytes: u64, record: RecordFn<'_>) {
        let start = Instant::now();
        let mut encoder = self.ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(label.stage),
                timestamp_writes: None,
            });
            record(&mut pass);
        }
        self.ctx.queue.submit([encoder.finish()]);
        if let Err(e) = self.ctx.wait() {
            self.error.get_or_insert(e);
        }
        self.times.push(start.elapsed().as_secs_f64());
    }
}

/// The breakdown as a fixed-width table under `title`, largest share first.
pub fn table(title: &str, b: &Breakdown) -> String {
    let mut s = format!(
        "\n{title}: {} passes per call, {:?}, sum {:.1} us\n{:<24} {:>6} {:>11} {:>9} {:>7} {:>9} {:>8} {:>8}\n",
        b.groups_per_call,
        b.clock,
        b.total_us,
        "kernel",
        "groups",
        "us/call",
        "iqr us",
        "share",
        "MB/call",
        "GB/s",
        "x floor"
    );
    let mut kernels: Vec<&KernelTiming> = b.kernels.iter().collect();
    kernels.sort_by(|a, b| b.share.total_cmp(&a.share));
    for k in kernels {
        s += &format!(
            "{:<24} {:>6} {:>11.1} {:>9.1} {:>6.1}% {:>9.3} {:>8.1} {:>8.2}\n",
            k.label,
            k.groups,
            k.time.median_us,
            k.time.iqr_us,
            100.0 * k.share,
            k.bytes as f64 / 1e6,
            k.achieved_gbps,
            k.ratio_to_floor
        );
    }
    s
}
