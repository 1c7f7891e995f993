//! The 2D (or 1D) FFT plan: a row pass then a column pass, in place.

use crate::fft::stockham::{Axis, AxisGeometry, AxisPass};
use crate::gpu::groups::{GroupRecorder, Label};
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::{Error, Result};

/// Transform direction, with numpy's normalisation: forward unnormalised,
/// inverse divided by the number of points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `X[m] = sum_j x[j] exp(-2 pi i m.j / n)`.
    Forward,
    /// `x[j] = (1 / n1 n2) sum_m X[m] exp(+2 pi i m.j / n)`.
    Inverse,
}

/// A batched complex-to-complex FFT of fields of one shape, built once: it owns
/// its pipelines and twiddle tables and records transforms into an existing
/// compute pass without allocating.
#[derive(Debug)]
pub struct FftPlan {
    /// Shape of each field.
    pub shape: Shape,
    /// Number of fields transformed per call.
    pub batch: u32,
    rows: AxisPass,
    columns: Option<AxisPass>,
}

/// Bind groups of a plan for one field buffer (made once, reused every step).
#[derive(Debug)]
pub struct FftBinding {
    rows: wgpu::BindGroup,
    columns: Option<wgpu::BindGroup>,
}

impl FftPlan {
    /// A plan for `batch` complex fields of `shape`; fails with a clear message
    /// when a line does not fit in one workgroup or the batch in one binding.
    pub fn new(ctx: &GpuContext, shape: Shape, batch: u32) -> Result<Self> {
        if batch == 0 {
            return Err(Error::Usage("an FFT batch needs at least one field".into()));
        }
        GpuField::check_fits(ctx, shape, batch, Elem::Complex)?;
        if batch > ctx.limits.max_compute_workgroups_per_dimension {
            return Err(Error::Grid(format!(
                "a batch of {batch} fields is too large"
            )));
        }
        let rows = AxisPass::new(ctx, shape, Axis::Rows)?;
        let columns = if shape.n2 > 1 {
            Some(AxisPass::new(ctx, shape, Axis::Columns)?)
        } else {
            None
        };
        Ok(FftPlan {
            shape,
            batch,
            rows,
            columns,
        })
    }

    /// Bind groups transforming `field` in place; checks its shape, batch and type.
    pub fn bind(&self, ctx: &GpuContext, field: &GpuField) -> Result<FftBinding> {
        if field.shape != self.shape || field.batch != self.batch || field.elem != Elem::Complex {
            return Err(Error::Usage(format!(
                "FFT plan for {} complex field(s) of {} given {} {:?} field(s) of {}",
                self.batch, self.shape, field.batch, field.elem, field.shape
            )));
        }
        Ok(FftBinding {
            rows: self.rows.bind(&ctx.device, &field.buffer),
            columns: self
                .columns
                .as_ref()
                .map(|c| c.bind(&ctx.device, &field.buffer)),
        })
    }

    /// Records one transform of the bound field into `pass`.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, binding: &FftBinding, dir: Direction) {
        let inverse = dir == Direction::Inverse;
        self.rows.record(pass, &binding.rows, self.batch, inverse);
        if let (Some(c), Some(bg)) = (&self.columns, &binding.columns) {
            c.record(pass, bg, self.batch, inverse);
        }
    }

    /// Records only the pass along `axis` (for per-pass timing); in 1D there is
    /// no column pass and nothing is recorded for it.
    pub fn record_axis(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        binding: &FftBinding,
        dir: Direction,
        axis: Axis,
    ) {
        let inverse = dir == Direction::Inverse;
        match axis {
            Axis::Rows => self.rows.record(pass, &binding.rows, self.batch, inverse),
            Axis::Columns => {
                if let (Some(c), Some(bg)) = (&self.columns, &binding.columns) {
                    c.record(pass, bg, self.batch, inverse);
                }
            }
        }
    }

    /// Records one transform as labelled groups, one per axis pass
    /// (`stage.rows`, then `stage.columns` in 2D), each moving
    /// [`Self::pass_bytes`]; into one pass this is exactly [`Self::record`].
    pub fn record_groups(
        &self,
        rec: &mut dyn GroupRecorder,
        stage: &'static str,
        binding: &FftBinding,
        dir: Direction,
    ) {
        let bytes = self.pass_bytes();
        rec.group(Label::part(stage, "rows"), bytes, &mut |pass| {
            self.record_axis(pass, binding, dir, Axis::Rows)
        });
        if self.columns.is_some() {
            rec.group(Label::part(stage, "columns"), bytes, &mut |pass| {
                self.record_axis(pass, binding, dir, Axis::Columns)
            });
        }
    }

    /// Submits one transform of the bound field (a convenience outside hot loops).
    pub fn run(&self, ctx: &GpuContext, binding: &FftBinding, dir: Direction) {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("fft") });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("fft"),
                timestamp_writes: None,
            });
            self.record(&mut pass, binding, dir);
        }
        ctx.queue.submit([encoder.finish()]);
    }

    /// Global passes per transform (1 in 1D, 2 in 2D).
    pub fn passes(&self) -> u32 {
        1 + u32::from(self.columns.is_some())
    }

    /// Bytes one transform moves through global memory: each pass reads and
    /// writes every field once.
    pub fn bytes_moved(&self) -> u64 {
        self.passes() as u64 * self.pass_bytes()
    }

    /// Bytes one axis pass moves: it reads and writes every field once.
    pub fn pass_bytes(&self) -> u64 {
        2 * GpuField::bytes_for(self.shape, self.batch, Elem::Complex)
    }

    /// The pass along `axis` (None for the columns of a 1D grid).
    pub fn axis_pass(&self, axis: Axis) -> Option<&AxisPass> {
        match axis {
            Axis::Rows => Some(&self.rows),
            Axis::Columns => self.columns.as_ref(),
        }
    }

    /// Per-axis geometry (rows first), for reports.
    pub fn geometry(&self) -> Vec<&AxisGeometry> {
        std::iter::once(&self.rows.geometry)
            .chain(self.columns.as_ref().map(|c| &c.geometry))
            .collect()
    }
}
