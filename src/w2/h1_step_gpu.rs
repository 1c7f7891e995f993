//! The gradient step of a back-and-forth half-step on the device,
//!
//! ```text
//! phi <- phi + sigma (-Lap_h)^-1 (target - pushed),
//! ```
//!
//! the twin of [`crate::w2::bfm_cpu::inverse_laplacian`]: the residual as a
//! complex field, the FFT, the periodic five-point symbol inverted (the mean
//! dropped), the inverse FFT and the update, `sigma` read from a device
//! buffer so that the step rule can set it there.

use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::{W2_ASCEND, W2_INVERSE_LAPLACIAN, W2_RESIDUAL};
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::Result;

/// One gradient step between fixed buffers.
#[derive(Debug)]
pub struct H1StepGpu {
    residual: (Kernel, wgpu::BindGroup),
    symbol: (Kernel, wgpu::BindGroup),
    ascend: (Kernel, wgpu::BindGroup),
    fft: FftPlan,
    binding: FftBinding,
    groups: [u32; 3],
    work: GpuField,
}

impl H1StepGpu {
    /// The step of `phi` towards `target` from `pushed` (each `shape.len()`
    /// f32, row-major `(n2, n1)`, powers of two on a square or the circle)
    /// on the torus of side `length`, with the step size `sigma[0]` (f32).
    pub fn new(
        ctx: &GpuContext,
        shape: Shape,
        length: f64,
        target: &wgpu::Buffer,
        pushed: &wgpu::Buffer,
        phi: &wgpu::Buffer,
        sigma: &wgpu::Buffer,
    ) -> Result<Self> {
        let len = shape.len();
        let work = GpuField::zeros(ctx, "w2.h1.work", shape, 1, Elem::Complex)?;
        let fft = FftPlan::new(ctx, shape, 1)?;
        let binding = fft.bind(ctx, &work)?;
        let device = &ctx.device;
        let each = [("LEN", len as f64)];
        let residual = Kernel::new(device, &W2_RESIDUAL, "main", &each)?;
        let residual_bind = residual.bind(device, &[target, pushed, &work.buffer]);
        let symbol = Kernel::new(
            device,
            &W2_INVERSE_LAPLACIAN,
            "main",
            &[
                ("N1", f64::from(shape.n1)),
                ("N2", f64::from(shape.n2)),
                ("H", length / f64::from(shape.n1)),
            ],
        )?;
        let symbol_bind = symbol.bind(device, &[&work.buffer]);
        let ascend = Kernel::new(device, &W2_ASCEND, "main", &each)?;
        let ascend_bind = ascend.bind(device, &[&work.buffer, sigma, phi]);
        Ok(H1StepGpu {
            residual: (residual, residual_bind),
            symbol: (symbol, symbol_bind),
            ascend: (ascend, ascend_bind),
            fft,
            binding,
            groups: folded_groups(len as u64, 256),
            work,
        })
    }

    /// Records the step.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.residual
            .0
            .dispatch(pass, &self.residual.1, self.groups);
        self.fft.record(pass, &self.binding, Direction::Forward);
        self.symbol.0.dispatch(pass, &self.symbol.1, self.groups);
        self.fft.record(pass, &self.binding, Direction::Inverse);
        self.ascend.0.dispatch(pass, &self.ascend.1, self.groups);
    }

    /// The complex work field (`shape.len()` vec2 f32): after [`Self::record`]
    /// its real parts hold `(-Lap_h)^-1 (target - pushed)`.
    pub fn work(&self) -> &wgpu::Buffer {
        &self.work.buffer
    }

    /// Bytes a step moves through global memory: the residual (read two
    /// f32 fields, write a complex one), the two FFTs, the symbol and the
    /// update (read and write a complex field; read the complex field, read
    /// and write `phi`), 48 bytes a point besides the FFTs.
    pub fn bytes_moved(&self) -> u64 {
        48 * self.work.shape.len() as u64 + 2 * self.fft.bytes_moved()
    }

    /// Dispatches per step (the FFT's passes and three kernels).
    pub fn dispatches(&self) -> u32 {
        2 * self.fft.passes() + 3
    }
}
