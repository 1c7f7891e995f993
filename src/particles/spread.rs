//! Type-1 non-uniform FFT of weighted particles on the GPU, the first half
//! of the spread drift (docs/MATHEMATICS.md section 9): the Fourier moments
//! `m^(k) = sum_j w_j exp(-i k . u_j)` (`u = 2 pi X / L`) at every mode
//! `|k_a| < N/2` of an N-point grid at once, in O(n + N^d log N) rather
//! than the direct sums' O(n N^d).
//!
//! The particles are spread onto an oversampled grid of `M = 2 N` points
//! per axis with the periodic Gaussian `exp(-d^2 / (4 tau))` (d in radians
//! of the 2 pi torus) over `2 SPAN + 1` points per axis, `tau = pi SPAN /
//! (3 N^2)` (Greengard and Lee 2004, oversampling 2); the grid's FFT then
//! gives `m^(k) = (2 pi / M)^d FFT[k] / prod_a (2 sqrt(pi tau) exp(-tau
//! k_a^2))`. Spreading is deterministic with no float atomics: each
//! contribution is a 64-bit fixed-point integer (2^52 units of one, in two
//! u32 words with a carry), and integer sums do not depend on their order,
//! so the moments are bit-reproducible on one device. [`spread_cpu`] is the
//! f64 reference of the spread grid.

use std::sync::Arc;

use num_complex::Complex64;

use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::field::read_buffer;
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::{PARTICLES_SPREAD, PARTICLES_SPREAD_READ};
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::{Error, Result};

/// Oversampling of the spreading grid per axis.
pub const OVERSAMPLING: u32 = 2;

/// The Gaussian's parameter `tau = pi span / (3 n^2)` for `n` modes per
/// axis and a half-width of `span` points (oversampling 2).
pub fn gaussian_tau(n: u32, span: u32) -> f64 {
    std::f64::consts::PI * f64::from(span) / (3.0 * f64::from(n) * f64::from(n))
}

/// The Gaussian's Fourier transform along one axis at integer mode `k`:
/// `2 sqrt(pi tau) exp(-tau k^2)`.
pub fn gaussian_hat(tau: f64, k: i32) -> f64 {
    let k = f64::from(k);
    2.0 * (std::f64::consts::PI * tau).sqrt() * (-tau * k * k).exp()
}

/// The sizes both non-uniform transforms share: a torus of side `length`,
/// `n` modes per axis (a power of two, 4 to 4096) in `dim` dimensions (1 or
/// 2), and the Gaussian over `2 span + 1` points per axis (1 to 16).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NufftGrid {
    /// Side length L of the torus.
    pub length: f64,
    /// Modes per axis.
    pub n: u32,
    /// Space dimension.
    pub dim: u32,
    /// Half-width of the Gaussian in points of the oversampled grid.
    pub span: u32,
}

/// The oversampled grid both transforms use: `M = 2 n` points per axis of
/// a [`NufftGrid`], the Gaussian's `tau`, one complex field and its FFT.
#[derive(Debug)]
pub(crate) struct OversampledGrid {
    pub(crate) shape: Shape,
    pub(crate) tau: f64,
    pub(crate) field: GpuField,
    pub(crate) plan: Arc<FftPlan>,
    pub(crate) fft: FftBinding,
}

impl OversampledGrid {
    /// The grid, or [`Error::Usage`] naming `what` for sizes it cannot take.
    pub(crate) fn new(ctx: &GpuContext, what: &str, grid: &NufftGrid) -> Result<Self> {
        let NufftGrid { n, dim, span, .. } = *grid;
        if !n.is_power_of_two() || !(4..=4096).contains(&n) || !(1..=2).contains(&dim) {
            return Err(Error::Usage(format!(
                "{what} for {n} modes per axis in {dim} dimensions: a power of two 4 to 4096, \
                 in 1 or 2 dimensions"
            )));
        }
        if !(1..=16).contains(&span) {
            return Err(Error::Usage(format!(
                "{what} over half-width {span}: 1 to 16 points"
            )));
        }
        let m = OVERSAMPLING * n;
        let shape = if dim == 2 {
            Shape::square(m)
        } else {
            Shape::line(m)
        };
        let field = GpuField::zeros(ctx, what, shape, 1, Elem::Complex)?;
        let plan = Arc::new(FftPlan::new(ctx, shape, 1)?);
        let fft = plan.bind(ctx, &field)?;
        Ok(OversampledGrid {
            shape,
            tau: gaussian_tau(n, span),
            field,
            plan,
            fft,
        })
    }
}

/// The spreading of one species' particles, its grid and FFT.
#[derive(Debug)]
pub struct Spreader {
    spread: Kernel,
    read: Kernel,
    spread_bind: wgpu::BindGroup,
    read_bind: wgpu::BindGroup,
    spread_groups: [u32; 3],
    read_groups: [u32; 3],
    /// The oversampled grid: spread values, then their spectrum.
    grid: GpuField,
    plan: Arc<FftPlan>,
    fft: FftBinding,
    _acc: wgpu::Buffer,
    /// `n` modes per axis, on a grid of dimension `dim`.
    n: u32,
    dim: u32,
    tau: f64,
}

impl Spreader {
    /// The spreading of `count` particles at `positions` (`vec2<f32>`
    /// each, in [0, L)) with `weights` (f32 each) for the moments of the
    /// `grid`'s modes.
    pub fn new(
        ctx: &GpuContext,
        positions: &wgpu::Buffer,
        weights: &wgpu::Buffer,
        count: u32,
        grid: &NufftGrid,
    ) -> Result<Self> {
        let over = OversampledGrid::new(ctx, "particles.spread_grid", grid)?;
        let NufftGrid {
            length,
            n,
            dim,
            span,
        } = *grid;
        let (m, points, tau) = (OVERSAMPLING * n, over.shape.len() as u64, over.tau);
        let device = &ctx.device;
        let spread = Kernel::new(
            device,
            &PARTICLES_SPREAD,
            "main",
            &[
                ("COUNT", f64::from(count)),
                ("M1", f64::from(m)),
                ("M2", f64::from(if dim == 2 { m } else { 1 })),
                ("DIM", f64::from(dim)),
                ("LENGTH", length),
                ("TAU", tau),
                ("SPAN", f64::from(span)),
            ],
        )?;
        let read = Kernel::new(
            device,
            &PARTICLES_SPREAD_READ,
            "main",
            &[("POINTS", points as f64)],
        )?;
        let acc = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("particles.spread_acc"),
            size: 8 * points,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let spread_bind = spread.bind(device, &[positions, weights, &acc]);
        let read_bind = read.bind(device, &[&acc, &over.field.buffer]);
        Ok(Spreader {
            spread,
            read,
            spread_bind,
            read_bind,
            spread_groups: folded_groups(u64::from(count), 64),
            read_groups: folded_groups(points, 64),
            grid: over.field,
            plan: over.plan,
            fft: over.fft,
            _acc: acc,
            n,
            dim,
            tau,
        })
    }

    /// Records the spreading, the fixed-point read-out (which clears the
    /// accumulator) and the forward FFT of the oversampled grid.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.spread
            .dispatch(pass, &self.spread_bind, self.spread_groups);
        self.read.dispatch(pass, &self.read_bind, self.read_groups);
        self.plan.record(pass, &self.fft, Direction::Forward);
    }

    /// Dispatches of the oversampled grid's FFT.
    pub fn fft_passes(&self) -> u32 {
        self.plan.passes()
    }

    /// The spread grid's spectrum after [`Self::record`] (`M^d` complex).
    pub fn spectrum(&self) -> &GpuField {
        &self.grid
    }

    /// Spreads, transforms and reads back (blocking) the moments at
    /// `modes` (each `|k_a| < n/2`), deconvolved in f64 on the host.
    pub fn moments(&self, ctx: &GpuContext, modes: &[[i32; 2]]) -> Result<Vec<Complex64>> {
        let half = (self.n / 2) as i32;
        if let Some(k) = modes.iter().find(|k| {
            k[0].abs() >= half
                || (self.dim == 2 && k[1].abs() >= half)
                || (self.dim == 1 && k[1] != 0)
        }) {
            return Err(Error::Usage(format!(
                "mode {k:?} is outside the {} modes per axis this spreading serves",
                self.n
            )));
        }
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let v = read_buffer(ctx, &self.grid.buffer, self.grid.bytes())?;
        let m = (OVERSAMPLING * self.n) as i64;
        let cell = std::f64::consts::TAU / m as f64;
        Ok(modes
            .iter()
            .map(|k| {
                let j1 = i64::from(k[0]).rem_euclid(m);
                let j2 = if self.dim == 2 {
                    i64::from(k[1]).rem_euclid(m)
                } else {
                    0
                };
                let p = (j2 * m + j1) as usize;
                let z = Complex64::new(f64::from(v[2 * p]), f64::from(v[2 * p + 1]));
                let mut scale = cell / gaussian_hat(self.tau, k[0]);
                if self.dim == 2 {
                    scale *= cell / gaussian_hat(self.tau, k[1]);
                }
                z * scale
            })
            .collect())
    }
}

/// The f64 reference of the spread grid of [`Spreader`]: `(M2, M1)`
/// row-major values `sum_j w_j prod_a exp(-d_a^2 / (4 tau))` over the
/// `2 span + 1` nearest points per axis, `M = 2 n`.
pub fn spread_cpu(x: &[[f64; 2]], w: &[f64], length: f64, n: u32, dim: u32, span: u32) -> Vec<f64> {
    let m = (OVERSAMPLING * n) as i64;
    let m2 = if dim == 2 { m } else { 1 };
    let tau = gaussian_tau(n, span);
    let mut out = vec![0.0; (m * m2) as usize];
    let factor = |u: f64, g: i64| {
        let mut d = u * m as f64 - g as f64;
        d -= m as f64 * (d / m as f64 + 0.5).floor();
        let r = std::f64::consts::TAU * d / m as f64;
        (-r * r / (4.0 * tau)).exp()
    };
    let span = i64::from(span);
    for (p, &wj) in x.iter().zip(w) {
        let u1 = (p[0] / length).rem_euclid(1.0);
        let u2 = (p[1] / length).rem_euclid(1.0);
        let c1 = (u1 * m as f64 + 0.5).floor() as i64;
        let c2 = (u2 * m as f64 + 0.5).floor() as i64;
        let rows = if dim == 2 { -span..=span } else { 0..=0 };
        for b in rows {
            let f2 = if dim == 2 { factor(u2, c2 + b) } else { 1.0 };
            let j2 = (c2 + b).rem_euclid(m2);
            for a in -span..=span {
                let j1 = (c1 + a).rem_euclid(m);
                out[(j2 * m + j1) as usize] += wj * factor(u1, c1 + a) * f2;
            }
        }
    }
    out
}
