//! The copy kernel (`shaders/bench/copy.wgsl`): the device's achievable memory
//! bandwidth for a given working-set size, the yardstick of every benchmark.

use serde::Serialize;

use crate::bench::timing::{time_calls, Clock, Stats, Timing};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, GpuContext};
use crate::{Error, Result};

/// Measured copy bandwidth.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CopyBandwidth {
    /// Bytes copied per call (read `bytes`, write `bytes`).
    pub bytes: u64,
    /// Time per call.
    pub time: Stats,
    /// `2 bytes / median time`, in GB/s (1e9 bytes per second).
    pub gbps: f64,
    /// How the time was taken.
    pub clock: Clock,
}

/// A copy of `bytes` (rounded up to 16) between two buffers it owns.
#[derive(Debug)]
pub struct CopyKernel {
    /// Bytes copied per call.
    pub bytes: u64,
    kernel: Kernel,
    bind_group: wgpu::BindGroup,
    groups: [u32; 3],
}

impl CopyKernel {
    /// Builds the kernel and its two buffers.
    pub fn new(ctx: &GpuContext, bytes: u64) -> Result<Self> {
        let bytes = bytes.div_ceil(16) * 16;
        if bytes > ctx.max_binding_bytes() {
            return Err(Error::Grid(format!(
                "a copy of {} MiB exceeds the device's largest storage binding ({} MiB)",
                bytes >> 20,
                ctx.max_binding_bytes() >> 20
            )));
        }
        let count = bytes / 16;
        let kernel = Kernel::new(
            &ctx.device,
            &shaders::COPY,
            "main",
            &[("COUNT", count as f64)],
        )?;
        let make = |label| {
            ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        };
        let (src, dst) = (make("copy.src"), make("copy.dst"));
        let bind_group = kernel.bind(&ctx.device, &[&src, &dst]);
        Ok(CopyKernel {
            bytes,
            kernel,
            bind_group,
            groups: elementwise_groups(count),
        })
    }

    /// Records one copy.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.kernel.dispatch(pass, &self.bind_group, self.groups);
    }
}

/// Times a copy of `bytes` (rounded up to 16) from one buffer to another; the
/// buffers (2 `bytes`) are freed on return.
pub fn measure(ctx: &GpuContext, bytes: u64, timing: &Timing) -> Result<CopyBandwidth> {
    let copy = CopyKernel::new(ctx, bytes)?;
    let (clock, time) = time_calls(ctx, timing, |pass| copy.record(pass))?;
    Ok(CopyBandwidth {
        bytes: copy.bytes,
        time,
        gbps: 2.0 * copy.bytes as f64 / (time.median_us * 1e3),
        clock,
    })
}
