//! Type-2 non-uniform FFT on the GPU, the second half of the spread drift
//! (docs/MATHEMATICS.md section 9): a trigonometric sum given by its
//! spectrum `c` on an N-point grid (the grid's FFT order and normalisation,
//! e.g. the gradient spectra `(i kx - ky) Phi^` the right-hand side builds)
//! evaluated at every particle,
//!
//! ```text
//! f(X_i) = (1 / N^d) sum_{|k_a| < N/2} c[k] exp(i k . u_i),   u = 2 pi X / L,
//! ```
//!
//! a complex value per particle, in O(N^d log N + n) rather than the direct
//! sums' O(n N^d). The spectrum, divided by the Gaussian's transform, goes
//! onto the grid of [`super::spread`] (`M = 2 N` per axis, the Nyquist modes
//! left out), an inverse FFT follows, and each particle gathers its `2 w +
//! 1` nearest points per axis with the same Gaussian, in a fixed order (no
//! atomics). [`interpolate_cpu`] is the direct f64 sum.

use std::sync::Arc;

use num_complex::Complex64;

use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::field::read_buffer;
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::{PARTICLES_INTERP_GATHER, PARTICLES_INTERP_PAD};
use crate::gpu::{GpuContext, GpuField};
use crate::particles::spread::{NufftGrid, OversampledGrid, OVERSAMPLING};
use crate::{Error, Result};

/// What an [`Interpolator`] evaluates of the spectrum `c` it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluate {
    /// The trigonometric sum `f(X) = (1 / N^d) sum c[k] exp(i k . u)`.
    Values,
    /// `c` is a packed gradient spectrum `(i kx - ky) Phi^` (the grid's
    /// convention): the potential `Phi(X)` less its mean, from `Phi^ = c /
    /// (i kx - ky)` at every mode but 0 (real for a real `Phi`).
    Potential,
}

/// The evaluation at one species' particles of spectra held in one buffer.
#[derive(Debug)]
pub struct Interpolator {
    pad: Kernel,
    gather: Kernel,
    pad_bind: wgpu::BindGroup,
    gather_bind: wgpu::BindGroup,
    pad_groups: [u32; 3],
    gather_groups: [u32; 3],
    grid: GpuField,
    plan: Arc<FftPlan>,
    fft: FftBinding,
    /// The values at the particles, one `vec2<f32>` each.
    pub output: wgpu::Buffer,
    count: u32,
}

impl Interpolator {
    /// The evaluation at `count` particles at `positions` (`vec2<f32>`
    /// each, in [0, L)) of field `field` of `spectrum` (complex spectra of
    /// the `grid`'s n-point grid, its FFT order, one after another): its
    /// values, or with `what = Evaluate::Potential` the potential whose
    /// packed gradient it is. The values go to [`Self::output`].
    pub fn new(
        ctx: &GpuContext,
        spectrum: &wgpu::Buffer,
        field: u32,
        what: Evaluate,
        positions: &wgpu::Buffer,
        count: u32,
        grid: &NufftGrid,
    ) -> Result<Self> {
        if count == 0 {
            return Err(Error::Usage(
                "interpolation at 0 particles: give at least one".into(),
            ));
        }
        let over = OversampledGrid::new(ctx, "particles.interp_grid", grid)?;
        let NufftGrid {
            length,
            n,
            dim,
            span,
        } = *grid;
        let (shape, tau) = (over.shape, over.tau);
        let m = OVERSAMPLING * n;
        let (n2, m2) = if dim == 2 { (n, m) } else { (1, 1) };
        let device = &ctx.device;
        let scale = (std::f64::consts::TAU / f64::from(n)).powi(dim as i32);
        let pad = Kernel::new(
            device,
            &PARTICLES_INTERP_PAD,
            "main",
            &[
                ("N1", f64::from(n)),
                ("N2", f64::from(n2)),
                ("M1", f64::from(m)),
                ("M2", f64::from(m2)),
                ("TAU", tau),
                ("SCALE", scale),
                ("FIELD", f64::from(field)),
                (
                    "POTENTIAL",
                    f64::from(u8::from(what == Evaluate::Potential)),
                ),
                ("UNIT", std::f64::consts::TAU / length),
            ],
        )?;
        let gather = Kernel::new(
            device,
            &PARTICLES_INTERP_GATHER,
            "main",
            &[
                ("COUNT", f64::from(count)),
                ("M1", f64::from(m)),
                ("M2", f64::from(m2)),
                ("DIM", f64::from(dim)),
                ("LENGTH", length),
                ("TAU", tau),
                ("SPAN", f64::from(span)),
            ],
        )?;
        let output = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("particles.interp_out"),
            size: 8 * u64::from(count),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let pad_bind = pad.bind(device, &[spectrum, &over.field.buffer]);
        let gather_bind = gather.bind(device, &[positions, &over.field.buffer, &output]);
        Ok(Interpolator {
            pad,
            gather,
            pad_bind,
            gather_bind,
            pad_groups: folded_groups(shape.len() as u64, 64),
            gather_groups: folded_groups(u64::from(count), 64),
            grid: over.field,
            plan: over.plan,
            fft: over.fft,
            output,
            count,
        })
    }

    /// Records the padding, the inverse FFT and the gather.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.pad.dispatch(pass, &self.pad_bind, self.pad_groups);
        self.plan.record(pass, &self.fft, Direction::Inverse);
        self.gather
            .dispatch(pass, &self.gather_bind, self.gather_groups);
    }

    /// Evaluates and reads back (blocking) the values at the particles.
    pub fn values(&self, ctx: &GpuContext) -> Result<Vec<Complex64>> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let v = read_buffer(ctx, &self.output, 8 * u64::from(self.count))?;
        Ok(v.chunks_exact(2)
            .map(|c| Complex64::new(f64::from(c[0]), f64::from(c[1])))
            .collect())
    }

    /// The oversampled grid (the padded spectrum, then its inverse FFT).
    pub fn grid(&self) -> &GpuField {
        &self.grid
    }
}

/// The direct f64 sum of [`Interpolator`]: `(1 / N^d) sum c[k] exp(i k .
/// u)` over `|k_a| < n/2` at every position (`(x, y)`, `y` ignored in 1D),
/// `c` in the FFT order of an `n`-point grid in `dim` dimensions.
pub fn interpolate_cpu(
    c: &[Complex64],
    n: u32,
    dim: u32,
    x: &[[f64; 2]],
    length: f64,
) -> Vec<Complex64> {
    let n = n as i64;
    let half = n / 2;
    let n2 = if dim == 2 { n } else { 1 };
    let norm = (n as f64).powi(dim as i32);
    let unit = std::f64::consts::TAU / length;
    x.iter()
        .map(|p| {
            let mut acc = Complex64::default();
            for j2 in 0..n2 {
                let k2 = if j2 >= (n2 + 1) / 2 { j2 - n2 } else { j2 };
                if dim == 2 && k2.abs() >= half {
                    continue;
                }
                for j1 in 0..n {
                    let k1 = if j1 >= (n + 1) / 2 { j1 - n } else { j1 };
                    if k1.abs() >= half {
                        continue;
                    }
                    let phase = unit * (k1 as f64 * p[0] + k2 as f64 * p[1]);
                    acc += c[(j2 * n + j1) as usize] * Complex64::from_polar(1.0, phase);
                }
            }
            acc / norm
        })
        .collect()
}
