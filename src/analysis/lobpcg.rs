//! The GPU half of the Poincare LOBPCG (`super::poincare`): kernels, buffers
//! and one iteration as a single submission with one small readback.
//!
//! Vectors are real f32 fields in Hartley coordinates `X = Hart(x)`
//! (`super::schrodinger::hartley`), an orthogonal change of basis up to the
//! factor `N = n1 n2`: Euclidean dot products keep their meaning, `-Lap` and
//! the preconditioner `(-Lap + sigma)^-1` are diagonal (`|kappa|^2`), and only
//! `q` needs transforms: `H X = |kappa|^2 X + Hart(q Hart(X) / N)`, two forward
//! FFTs per application. The basis `[x, w, p]` and its image `[Hx, Hw, Hp]`
//! are two batches of 3 fields; `[psi_0, q]` (Hartley, grid) a batch of 2.

use wgpu::util::DeviceExt;

use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField, Shape};
use crate::metrics::reduce::{finish, Op, Reducer};
use crate::{Error, Result};

/// Host-written coefficients of `poincare_step.wgsl`:
/// `[lambda, c_x, c_w, c_p, e_x, e_w, e_p, 0]` for `x <- c . [x, w, p]`,
/// `p <- e . [x, w, p]` (old `x`, `w`, `p`), `lambda` the residual's shift.
pub type Coefficients = [f32; 8];

/// What one iteration reads back: the squared norm of the deflated residual
/// `||P (H x - lambda x)||^2` of the updated `x`, and the 12 Gram entries of
/// the new basis (`super::ritz::Gram::from_dots`).
#[derive(Debug, Clone, PartialEq)]
pub struct IterationDots {
    /// `||P r||^2`.
    pub residual2: f64,
    /// `xx xw xp ww wp pp xHx xHw xHp wHw wHp pHp`.
    pub gram: Vec<f64>,
}

/// Kernels, buffers and bind groups of the iteration, built once.
#[derive(Debug)]
pub struct LobpcgGpu {
    shape: Shape,
    groups: [u32; 3],
    basis: GpuField,
    _image: GpuField,
    _fixed: GpuField,
    _spec: GpuField,
    coef: wgpu::Buffer,
    staging: wgpu::Buffer,
    /// The iterate with the smallest residual so far (Hartley coordinates).
    best: wgpu::Buffer,
    plan: FftPlan,
    fft_bind: FftBinding,
    kernels: Kernels,
    binds: Binds,
    red_r: Reducer,
    red_w: Reducer,
    red_o: Reducer,
    red_g: Reducer,
}

#[derive(Debug)]
struct Kernels {
    step: Kernel,
    precond: Kernel,
    ortho: Kernel,
    gram: Kernel,
    /// `load` for slots 0 (x), 1 (w) and 2 (p).
    load: [Kernel; 3],
    potential: Kernel,
    /// `finish` for slots 0, 1 and 2.
    finish: [Kernel; 3],
}

#[derive(Debug)]
struct Binds {
    step: wgpu::BindGroup,
    precond: wgpu::BindGroup,
    /// The two Gram-Schmidt passes.
    ortho: [wgpu::BindGroup; 2],
    gram: wgpu::BindGroup,
    apply: wgpu::BindGroup,
}

/// Bytes read back per iteration: `red_w` (4 vec2) then `red_g` (12 vec2).
const READBACK_BYTES: u64 = (4 + 12) * 8;

impl LobpcgGpu {
    /// Uploads `psi` (Hartley coordinates, unit norm), `q` (grid values) and the
    /// start vector `x0` (Hartley, orthogonal to `psi`), and builds the kernels
    /// for the preconditioner shift `sigma > 0`.
    pub fn new(
        ctx: &GpuContext,
        shape: Shape,
        length: f64,
        psi: &[f32],
        q: &[f32],
        x0: &[f32],
        sigma: f64,
    ) -> Result<Self> {
        let n = shape.len();
        if psi.len() != n || q.len() != n || x0.len() != n {
            return Err(Error::Usage(format!(
                "Poincare LOBPCG on a {shape} grid given fields of {}, {} and {} values",
                psi.len(),
                q.len(),
                x0.len()
            )));
        }
        let device = &ctx.device;
        let plan = FftPlan::new(ctx, shape, 1)?;
        let fixed_data: Vec<f32> = psi.iter().chain(q).copied().collect();
        let fixed = GpuField::from_data(ctx, "poincare.fixed", shape, 2, Elem::Real, &fixed_data)?;
        let mut basis_data = vec![0.0f32; 3 * n];
        basis_data[..n].copy_from_slice(x0);
        let basis = GpuField::from_data(ctx, "poincare.basis", shape, 3, Elem::Real, &basis_data)?;
        let image = GpuField::zeros(ctx, "poincare.image", shape, 3, Elem::Real)?;
        let spec = GpuField::zeros(ctx, "poincare.spec", shape, 1, Elem::Complex)?;
        let fft_bind = plan.bind(ctx, &spec)?;
        let best = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("poincare.best"),
            size: GpuField::bytes_for(shape, 1, Elem::Real),
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let coef = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("poincare.coef"),
            contents: bytemuck::cast_slice(&[0.0f32; 8]),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        });
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("poincare.readback"),
            size: READBACK_BYTES,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });

        let groups = elementwise_groups(n as u64);
        let leaf = groups[0] * groups[1];
        let red_r = Reducer::new(ctx, "poincare.psi_r", &[Op::Sum], leaf)?;
        let red_w = Reducer::new(ctx, "poincare.precond", &[Op::Sum; 4], leaf)?;
        let red_o = Reducer::new(ctx, "poincare.ortho", &[Op::Sum; 4], leaf)?;
        let red_g = Reducer::new(ctx, "poincare.gram", &[Op::Sum; 12], leaf)?;

        let kernels = Kernels::new(device, shape, length, sigma)?;
        let k = &kernels;
        let (f, b, im) = (&fixed.buffer, &basis.buffer, &image.buffer);
        let binds = Binds {
            step: k.step.bind(device, &[&coef, f, b, im, &red_r.partials]),
            precond: k
                .precond
                .bind(device, &[f, &red_r.result, b, &red_w.partials]),
            ortho: [
                k.ortho
                    .bind(device, &[f, &red_w.result, b, &red_o.partials]),
                // The second pass's partials are not reduced.
                k.ortho
                    .bind(device, &[f, &red_o.result, b, &red_w.partials]),
            ],
            gram: k.gram.bind(device, &[b, im, &red_g.partials]),
            apply: k.potential.bind(device, &[f, b, &spec.buffer, im]),
        };
        Ok(LobpcgGpu {
            shape,
            groups,
            basis,
            _image: image,
            _fixed: fixed,
            _spec: spec,
            coef,
            staging,
            best,
            plan,
            fft_bind,
            kernels,
            binds,
            red_r,
            red_w,
            red_o,
            red_g,
        })
    }

    /// Records `image[slot] = H basis[slot]` (slot 0: x, 1: w, 2: p).
    fn record_apply(&self, pass: &mut wgpu::ComputePass<'_>, slot: usize) {
        let (k, g, bg) = (&self.kernels, self.groups, &self.binds.apply);
        k.load[slot].dispatch(pass, bg, g);
        self.plan.record(pass, &self.fft_bind, Direction::Forward);
        k.potential.dispatch(pass, bg, g);
        self.plan.record(pass, &self.fft_bind, Direction::Forward);
        k.finish[slot].dispatch(pass, bg, g);
    }

    fn record_gram(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.kernels
            .gram
            .dispatch(pass, &self.binds.gram, self.groups);
        self.red_g.record(pass);
    }

    /// Submits `encoder` after copying the reduced values to the staging
    /// buffer, and reads them back (blocking; 112 bytes).
    fn submit_and_read(
        &self,
        ctx: &GpuContext,
        mut encoder: wgpu::CommandEncoder,
    ) -> Result<IterationDots> {
        encoder.copy_buffer_to_buffer(&self.red_w.result, 0, &self.staging, 0, 4 * 8);
        encoder.copy_buffer_to_buffer(&self.red_g.result, 0, &self.staging, 4 * 8, 12 * 8);
        ctx.queue.submit([encoder.finish()]);
        let raw = crate::gpu::field::read_mapped(ctx, &self.staging)?;
        let w = finish(&self.red_w.ops, &raw[..8]);
        let gram = finish(&self.red_g.ops, &raw[8..]);
        Ok(IterationDots {
            residual2: w[0],
            gram,
        })
    }

    /// Recomputes `Hx = H x` from `x` and returns the Gram entries of the
    /// basis (of which `xx` and `xHx` are fresh).
    pub fn refresh(&self, ctx: &GpuContext) -> Result<Vec<f64>> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            self.record_apply(&mut pass, 0);
            self.record_gram(&mut pass);
        }
        Ok(self.submit_and_read(ctx, encoder)?.gram)
    }

    /// One iteration: the update `coef` (`poincare_step.wgsl`), the residual of
    /// the new `x` against `lambda = coef[0]`, its deflation and
    /// preconditioning into `w`, two Gram-Schmidt passes of `w` against
    /// `psi_0`, `x`, `p`, then `Hw` and the Gram matrices of `[x, w, p]`.
    /// With `save_best`, the current `x` is first copied aside
    /// ([`Self::restore_best`]); with `refresh`, `Hx` and `Hp` are first
    /// recomputed from `x` and `p` (two more applications of `H`), so that
    /// the recurrence's drift does not build up.
    pub fn iterate(
        &self,
        ctx: &GpuContext,
        coef: &Coefficients,
        save_best: bool,
        refresh: bool,
    ) -> Result<IterationDots> {
        ctx.queue
            .write_buffer(&self.coef, 0, bytemuck::cast_slice(coef));
        let (k, b, g) = (&self.kernels, &self.binds, self.groups);
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        if save_best {
            encoder.copy_buffer_to_buffer(&self.basis.buffer, 0, &self.best, 0, self.best.size());
        }
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            if refresh {
                self.record_apply(&mut pass, 0);
                self.record_apply(&mut pass, 2);
            }
            k.step.dispatch(&mut pass, &b.step, g);
            self.red_r.record(&mut pass);
            k.precond.dispatch(&mut pass, &b.precond, g);
            self.red_w.record(&mut pass);
            k.ortho.dispatch(&mut pass, &b.ortho[0], g);
            self.red_o.record(&mut pass);
            k.ortho.dispatch(&mut pass, &b.ortho[1], g);
            self.record_apply(&mut pass, 1);
            self.record_gram(&mut pass);
        }
        self.submit_and_read(ctx, encoder)
    }

    /// Puts the saved iterate back as `x` (then [`Self::refresh`] `Hx`).
    pub fn restore_best(&self, ctx: &GpuContext) {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&self.best, 0, &self.basis.buffer, 0, self.best.size());
        ctx.queue.submit([encoder.finish()]);
    }

    /// The current `x` in Hartley coordinates (blocking readback).
    pub fn read_x(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        let all = self.basis.read(ctx)?;
        Ok(all[..self.shape.len()].to_vec())
    }
}

impl Kernels {
    fn new(device: &wgpu::Device, shape: Shape, length: f64, sigma: f64) -> Result<Self> {
        let n = [("FIELD_LEN", shape.len() as f64)];
        let spectral = [
            ("N1", shape.n1 as f64),
            ("N2", shape.n2 as f64),
            ("LENGTH", length),
        ];
        let mut precond_consts = spectral.to_vec();
        precond_consts.push(("SIGMA", sigma));
        let step = Kernel::new(device, &shaders::POINCARE_STEP, "main", &n)?;
        let precond = Kernel::new(device, &shaders::POINCARE_PRECOND, "main", &precond_consts)?;
        let ortho = Kernel::new(device, &shaders::POINCARE_ORTHO, "main", &n)?;
        let gram = Kernel::new(device, &shaders::POINCARE_GRAM, "main", &n)?;
        let potential = Kernel::new(device, &shaders::HARTLEY_APPLY, "potential", &spectral)?;
        let specialise = |entry: &str, slot: u32| {
            let mut c = spectral.to_vec();
            c.push(("SLOT", slot as f64));
            Kernel::with_layout(
                device,
                &shaders::HARTLEY_APPLY,
                entry,
                &potential.layout,
                &c,
            )
        };
        Ok(Kernels {
            step,
            precond,
            ortho,
            gram,
            load: [
                specialise("load", 0)?,
                specialise("load", 1)?,
                specialise("load", 2)?,
            ],
            finish: [
                specialise("finish", 0)?,
                specialise("finish", 1)?,
                specialise("finish", 2)?,
            ],
            potential,
        })
    }
}
