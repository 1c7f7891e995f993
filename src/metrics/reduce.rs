//! Multi-channel tree reductions on the GPU.
//!
//! A first-level kernel (metric-specific) reduces its elements within each
//! workgroup with `workgroup_reduce` (`shaders/shared/reduce.wgsl`) and writes one
//! `vec2<f32>` partial per channel and workgroup into [`Reducer::partials`], laid
//! out `[channel][group]`. [`Reducer::record`] then reduces the partials 256 at a
//! time (`shaders/metrics/reduce_partials.wgsl`) until one value per channel is
//! left in [`Reducer::result`]. Every level is pairwise, so sums of millions of f32
//! values keep an error of order log2(n) eps, not n eps.

use wgpu::util::DeviceExt;

use crate::gpu::pipeline::Kernel;
use crate::gpu::{field::read_buffer, shaders, GpuContext};
use crate::{Error, Result};

/// Threads per workgroup of reduction kernels (`RED_WG` in reduce.wgsl).
pub const RED_WG: u32 = 256;

/// Reduction operator of a channel. Keep in sync with `OP_*` in reduce.wgsl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Op {
    /// Sum of the values.
    Sum = 0,
    /// Minimum.
    Min = 1,
    /// Maximum.
    Max = 2,
    /// `log sum exp(values)`, kept as (max, sum exp(v - max)).
    Lse = 3,
}

/// Uniform block of one level. Keep in sync with `Level` in reduce_partials.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct LevelParams {
    count: u32,
    in_offset: u32,
    in_stride: u32,
    out_offset: u32,
    out_stride: u32,
    _pad: [u32; 3],
}

#[derive(Debug)]
struct Level {
    bind_group: wgpu::BindGroup,
    groups: [u32; 3],
}

/// Reduces `ops.len()` channels of `leaf_groups` partials each to one value per
/// channel; all buffers and bind groups are made once.
#[derive(Debug)]
pub struct Reducer {
    /// Channel operators, in channel order.
    pub ops: Vec<Op>,
    /// Partials per channel written by the first-level kernel.
    pub leaf_groups: u32,
    /// `[channel][leaf_groups]` vec2 partials, written by the first-level kernel.
    pub partials: wgpu::Buffer,
    /// One vec2 per channel: the reduced values (for LSE: (max, scaled sum)).
    pub result: wgpu::Buffer,
    kernel: Kernel,
    levels: Vec<Level>,
    _buffers: Vec<wgpu::Buffer>,
}

impl Reducer {
    /// A reducer for first-level kernels that run `leaf_groups` workgroups.
    pub fn new(ctx: &GpuContext, label: &str, ops: &[Op], leaf_groups: u32) -> Result<Self> {
        if ops.is_empty() || leaf_groups == 0 {
            return Err(Error::Usage(
                "a reduction needs channels and partials".into(),
            ));
        }
        let channels = ops.len() as u32;
        let device = &ctx.device;
        let kernel = Kernel::new(device, &shaders::REDUCE_PARTIALS, "main", &[])?;
        let storage_buffer = |name: &str, vec2s: u64| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(&format!("{label}.{name}")),
                size: vec2s.max(1) * 8,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let partials = storage_buffer("partials", channels as u64 * leaf_groups as u64);
        let result = storage_buffer("result", channels as u64);
        let first_scratch = leaf_groups.div_ceil(RED_WG);
        let scratch = [
            storage_buffer("scratch0", channels as u64 * first_scratch as u64),
            storage_buffer("scratch1", channels as u64 * first_scratch as u64),
        ];
        let op_codes: Vec<u32> = ops.iter().map(|&o| o as u32).collect();
        let ops_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(&format!("{label}.ops")),
            contents: bytemuck::cast_slice(&op_codes),
            usage: wgpu::BufferUsages::STORAGE,
        });

        let mut levels = Vec::new();
        let mut buffers = Vec::new();
        let mut count = leaf_groups;
        let mut src = &partials;
        let mut level_index = 0;
        loop {
            let groups = count.div_ceil(RED_WG);
            let last = groups == 1;
            let dst = if last {
                &result
            } else {
                &scratch[level_index % 2]
            };
            let params = LevelParams {
                count,
                in_offset: 0,
                in_stride: count,
                out_offset: 0,
                out_stride: groups,
                _pad: [0; 3],
            };
            let params_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(&format!("{label}.level{level_index}")),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
            let bind_group = kernel.bind(device, &[&params_buffer, &ops_buffer, src, dst]);
            buffers.push(params_buffer);
            levels.push(Level {
                bind_group,
                groups: [groups, channels, 1],
            });
            if last {
                break;
            }
            src = dst;
            count = groups;
            level_index += 1;
        }
        buffers.push(ops_buffer);
        buffers.extend(scratch);
        Ok(Reducer {
            ops: ops.to_vec(),
            leaf_groups,
            partials,
            result,
            kernel,
            levels,
            _buffers: buffers,
        })
    }

    /// Levels of the tree (one dispatch each).
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// Records every level; afterwards [`Self::result`] holds one vec2 per channel.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        for level in &self.levels {
            self.kernel.dispatch(pass, &level.bind_group, level.groups);
        }
    }

    /// Reads the results (blocking; for tests and setup, not the step loop):
    /// one value per channel, LSE channels already combined to `max + ln(sum)`.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<f64>> {
        let raw = read_buffer(ctx, &self.result, self.ops.len() as u64 * 8)?;
        Ok(finish(&self.ops, &raw))
    }
}

/// Turns raw `(x, y)` result pairs into channel values (LSE: `x + ln y`).
pub fn finish(ops: &[Op], raw: &[f32]) -> Vec<f64> {
    ops.iter()
        .zip(raw.chunks_exact(2))
        .map(|(op, p)| match op {
            Op::Lse => p[0] as f64 + (p[1] as f64).ln(),
            _ => p[0] as f64,
        })
        .collect()
}
