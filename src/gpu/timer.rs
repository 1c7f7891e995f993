//! GPU timestamp queries around compute passes, for benchmarks only.
//!
//! Each timed pass gets a begin/end pair of queries; [`GpuTimer::read`] returns the
//! duration of every timed pass in seconds. Where the adapter has no timestamp
//! support, benchmarks fall back to wall-clock time around a synchronised batch.

use crate::gpu::field::read_buffer;
use crate::gpu::GpuContext;
use crate::{Error, Result};

/// A query set for up to `capacity` timed passes.
#[derive(Debug)]
pub struct GpuTimer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    capacity: u32,
    used: u32,
    period_ns: f64,
}

impl GpuTimer {
    /// A timer for `capacity` passes, or `None` when the device has no timestamps.
    pub fn new(ctx: &GpuContext, capacity: u32) -> Option<Self> {
        if !ctx.timestamps || capacity == 0 {
            return None;
        }
        let count = 2 * capacity;
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("timer.queries"),
            ty: wgpu::QueryType::Timestamp,
            count,
        });
        let resolve = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("timer.resolve"),
            size: count as u64 * wgpu::QUERY_SIZE as u64,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        Some(GpuTimer {
            queries,
            resolve,
            capacity,
            used: 0,
            period_ns: ctx.queue.get_timestamp_period() as f64,
        })
    }

    /// Timestamp writes for the next timed pass; `None` once `capacity` is used up.
    pub fn next_pass(&mut self) -> Option<wgpu::ComputePassTimestampWrites<'_>> {
        if self.used >= self.capacity {
            return None;
        }
        let i = self.used;
        self.used += 1;
        Some(wgpu::ComputePassTimestampWrites {
            query_set: &self.queries,
            beginning_of_pass_write_index: Some(2 * i),
            end_of_pass_write_index: Some(2 * i + 1),
        })
    }

    /// Records the resolution of all used queries into the timer's buffer.
    pub fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        if self.used > 0 {
            encoder.resolve_query_set(&self.queries, 0..2 * self.used, &self.resolve, 0);
        }
    }

    /// Durations (seconds) of the passes timed since the last reset, in order;
    /// the work and [`Self::resolve`] must have been submitted. Resets the timer.
    pub fn read(&mut self, ctx: &GpuContext) -> Result<Vec<f64>> {
        let n = self.used;
        self.used = 0;
        if n == 0 {
            return Ok(Vec::new());
        }
        let raw = read_buffer(ctx, &self.resolve, 2 * n as u64 * wgpu::QUERY_SIZE as u64)?;
        let ticks: &[u64] = bytemuck::cast_slice(&raw);
        let out: Vec<f64> = ticks
            .chunks_exact(2)
            .map(|p| p[1].wrapping_sub(p[0]) as f64 * self.period_ns * 1e-9)
            .collect();
        if out.iter().any(|d| !d.is_finite() || *d < 0.0) {
            return Err(Error::Device("GPU timestamps were not monotonic".into()));
        }
        Ok(out)
    }
}
