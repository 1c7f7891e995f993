//! One axis of the FFT: the pipelines of `shaders/fft/stockham.wgsl` specialised
//! for a line length, an orientation (rows or columns) and a direction.

use crate::fft::stockham_gen;
use crate::gpu::pipeline::Kernel;
use crate::gpu::{shaders, GpuContext, Shape};
use crate::{Error, Result};
use wgpu::util::DeviceExt;

/// Values each thread holds (`E` in the shader). Keep in sync with stockham.wgsl.
pub const ELEMS_PER_THREAD: u32 = 16;

/// Which axis of the grid a pass transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Along rows (the contiguous axis, length n1).
    Rows,
    /// Along columns (stride n1, length n2).
    Columns,
}

/// The radices of a length-`n` transform, largest first: as many radix-8 stages as
/// possible, the remainder as radix 4 or 2 (8 x 2 becomes 4 x 4).
pub fn radices(n: u32) -> Vec<u32> {
    let l = n.trailing_zeros();
    let mut out = vec![8; (l / 3) as usize];
    match l % 3 {
        1 if out.is_empty() => out.push(2),
        1 => {
            out.pop();
            out.extend([4, 4]);
        }
        2 => out.push(4),
        _ => {}
    }
    out
}

/// The geometry of one axis pass, derived from the grid and the device limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisGeometry {
    /// Rows or columns.
    pub axis: Axis,
    /// Line length.
    pub n: u32,
    /// Lines per field.
    pub line_count: u32,
    /// Lines per workgroup.
    pub lines: u32,
    /// Threads per workgroup.
    pub threads: u32,
    /// Radix of each stage.
    pub radices: Vec<u32>,
    /// Workgroup memory, bytes.
    pub shared_bytes: u32,
}

impl AxisGeometry {
    /// Chooses lines per workgroup for `axis` of `shape` on this device, or says
    /// why the line does not fit in one workgroup.
    pub fn new(ctx: &GpuContext, shape: Shape, axis: Axis) -> Result<Self> {
        let (n, line_count) = match axis {
            Axis::Rows => (shape.n1, shape.n2),
            Axis::Columns => (shape.n2, shape.n1),
        };
        if n < 2 || !n.is_power_of_two() {
            return Err(Error::Grid(format!(
                "FFT length {n} is not supported: grid sides must be powers of two >= 2"
            )));
        }
        let l = &ctx.limits;
        let max_threads = l
            .max_compute_invocations_per_workgroup
            .min(l.max_compute_workgroup_size_x);
        let max_shared = l.max_compute_workgroup_storage_size;
        // At least one thread; about 256 threads per workgroup where lines are short;
        // columns read 8 neighbouring lines at once where memory allows (coalescing).
        let min_lines = ELEMS_PER_THREAD.div_ceil(n).max(1);
        let mut lines = (4096 / n).max(min_lines);
        if axis == Axis::Columns {
            lines = lines.max(8);
        }
        lines = lines.min(line_count.next_power_of_two().max(min_lines));
        let fits =
            |lines: u32| lines * n * 4 <= max_shared && lines * n / ELEMS_PER_THREAD <= max_threads;
        while lines > min_lines && !fits(lines) {
            lines /= 2;
        }
        if !fits(lines) {
            return Err(Error::Grid(format!(
                "an FFT line of {n} points does not fit in one workgroup on {}: it needs {} bytes \
                 of workgroup memory (the device has {max_shared}) and {} threads (the device \
                 allows {max_threads}); use a grid side of at most {}",
                ctx.info.name,
                n * 4,
                n / ELEMS_PER_THREAD,
                max_fft_len(ctx)
            )));
        }
        let groups = line_count.div_ceil(lines);
        if groups > l.max_compute_workgroups_per_dimension {
            return Err(Error::Grid(format!(
                "{groups} workgroups exceed the device's {} per dimension",
                l.max_compute_workgroups_per_dimension
            )));
        }
        Ok(AxisGeometry {
            axis,
            n,
            line_count,
            lines,
            threads: lines * n / ELEMS_PER_THREAD,
            radices: radices(n),
            shared_bytes: lines * n * 4,
        })
    }

    /// The override constants of `shaders/shared/stockham_core.wgsl` for
    /// this pass of a grid of `shape`.
    pub fn constants(&self, shape: Shape) -> Vec<(&'static str, f64)> {
        vec![
            ("N", self.n as f64),
            ("LINES", self.lines as f64),
            ("LINE_COUNT", self.line_count as f64),
            ("COLUMNS", f64::from(u8::from(self.axis == Axis::Columns))),
            ("ROW_LEN", shape.n1 as f64),
            ("FIELD_LEN", shape.len() as f64),
            ("WG_SIZE", self.threads as f64),
        ]
    }

    /// The constants of the plain transform in `direction` (inverse or not).
    pub fn plain_constants(&self, shape: Shape, inverse: bool) -> Vec<(&'static str, f64)> {
        let mut c = self.constants(shape);
        c.push(("INVERSE", f64::from(u8::from(inverse))));
        c
    }

    /// Workgroups of one field's pass.
    pub fn groups(&self) -> u32 {
        self.line_count.div_ceil(self.lines)
    }
}

/// Largest power-of-two line length whose FFT fits in one workgroup on this device.
pub fn max_fft_len(ctx: &GpuContext) -> u32 {
    let l = &ctx.limits;
    let by_shared = l.max_compute_workgroup_storage_size / 4;
    let by_threads = l
        .max_compute_invocations_per_workgroup
        .min(l.max_compute_workgroup_size_x)
        * ELEMS_PER_THREAD;
    let m = by_shared.min(by_threads);
    if m < 2 {
        0
    } else {
        1 << (31 - m.leading_zeros())
    }
}

/// The forward and inverse pipelines of one axis, with the twiddle table.
#[derive(Debug)]
pub struct AxisPass {
    /// Geometry of the pass.
    pub geometry: AxisGeometry,
    forward: Kernel,
    inverse: Kernel,
    twiddles: wgpu::Buffer,
}

impl AxisPass {
    /// Builds both directions for `axis` of `shape`.
    pub fn new(ctx: &GpuContext, shape: Shape, axis: Axis) -> Result<Self> {
        let geometry = AxisGeometry::new(ctx, shape, axis)?;
        let shader = &shaders::FFT_STOCKHAM;
        let stages = stockham_gen::stages(&geometry.radices);
        let replacements = [(shaders::STOCKHAM_STAGES, stages.as_str())];
        let forward = Kernel::generated(
            &ctx.device,
            shader,
            &replacements,
            "main",
            &geometry.plain_constants(shape, false),
        )?;
        // The inverse shares the forward's layout, and so its bind groups.
        let inverse = Kernel::from_text(
            &ctx.device,
            shader.name,
            &shader.source_with(&replacements),
            "main",
            &forward.layout,
            &geometry.plain_constants(shape, true),
        )?;
        let table = twiddle_table(geometry.n);
        let twiddles = ctx
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("fft.twiddles"),
                contents: bytemuck::cast_slice(&table),
                usage: wgpu::BufferUsages::STORAGE,
            });
        Ok(AxisPass {
            geometry,
            forward,
            inverse,
            twiddles,
        })
    }

    /// The twiddle table `exp(-2 pi i j / n)`, `j < n`, of this axis (for
    /// kernels that fuse work into a pass).
    pub fn twiddles(&self) -> &wgpu::Buffer {
        &self.twiddles
    }

    /// A bind group transforming `buffer` in place.
    pub fn bind(&self, device: &wgpu::Device, buffer: &wgpu::Buffer) -> wgpu::BindGroup {
        self.forward.bind(device, &[buffer, &self.twiddles])
    }

    /// Records the pass over `batch` fields.
    pub fn record(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        bind_group: &wgpu::BindGroup,
        batch: u32,
        inverse: bool,
    ) {
        let kernel = if inverse {
            &self.inverse
        } else {
            &self.forward
        };
        kernel.dispatch(pass, bind_group, [self.geometry.groups(), batch, 1]);
    }
}

/// `exp(-2 pi i j / n)` for `j < n`, computed in f64 and rounded to f32 pairs.
pub fn twiddle_table(n: u32) -> Vec<f32> {
    (0..n)
        .flat_map(|j| {
            let a = -2.0 * std::f64::consts::PI * j as f64 / n as f64;
            [a.cos() as f32, a.sin() as f32]
        })
        .collect()
}
