//! The linearised Wasserstein-2 distance to the equilibrium (docs/MATHEMATICS.md section 5):
//! near `rho*`, `W2(rho, rho*) ~ ||f||_{H^-1(rho*)}` with `f = rho - rho*` and
//!
//! ```text
//! ||f||^2_{H^-1(rho*)} = int rho* |grad phi|^2 = int f phi,   -div(rho* grad phi) = f.
//! ```
//!
//! Both players are solved at once on the GPU by preconditioned conjugate
//! gradients in spectral coordinates (vectors are the spectra of real fields;
//! all dot products are `Re sum conj(u) v`). With `D = i kappa_odd` (Nyquist
//! components zeroed, docs/MATHEMATICS.md section 2) the operator is `A = D^H rho* D`:
//! `D` on the spectrum, an inverse FFT, the product with `rho*` on the grid, a
//! forward FFT, `D^H`. Its null space is spanned by the modes where every
//! component of `kappa_odd` vanishes (the mean, and the Nyquist corners), which
//! are projected out of `f` first. The preconditioner is built from FFT
//! Laplacians, `M = L^+ D^H (1/rho*) D L^+` with `L = |kappa_odd|^2`: in 1D it
//! inverts `A` up to a rank-two correction, so the iteration converges in a
//! few steps; in 2D it drops only the solenoidal part of `rho* grad phi`.
//! `1/rho*` is capped at [`WEIGHT_CAP`] times `1 / max rho*` (the cap changes
//! the preconditioner only, not the answer).
//!
//! With `x_0 = 0`, `<b, x_k> = sum_{j<k} alpha_j g_j` (`g_j = <r_j, M r_j>`)
//! increases monotonically to `<b, A^+ b>`, so every estimate is a lower bound.
//! The iteration stops for each player when the last term is at most `tol`
//! times the sum; then `||f||^2 = h^d / N <b, x>`. Iterations run on the GPU in
//! chunks of [`CHUNK`] with one small readback per chunk. The f64 reference
//! is [`super::w2lin_cpu`].

use wgpu::util::DeviceExt;

use crate::dynamics::Params;
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::field::read_mapped_async;
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::metrics::reduce::{Op, Reducer};
use crate::{Error, Result};

/// Conjugate-gradient iterations recorded per submission.
pub const CHUNK: u32 = 8;

/// `1/rho*` is capped at this times `1 / max rho*` in the preconditioner.
pub const WEIGHT_CAP: f64 = 1e10;

/// Options of the linearised-W2 solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct W2linOptions {
    /// Stop a player when the last term of `<b, x>` is at most `tol` times the
    /// sum (the relative error of `||f||^2`). Default 1e-6.
    pub tol: f64,
    /// Give up after this many iterations; the estimate is then a lower bound.
    /// Default 200.
    pub max_iter: u32,
}

impl Default for W2linOptions {
    fn default() -> Self {
        W2linOptions {
            tol: 1e-6,
            max_iter: 200,
        }
    }
}

/// The linearised W2 distances of both players.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct W2linResult {
    /// `[||mu - mu*||_{H^-1(mu*)}, ||nu - nu*||_{H^-1(nu*)}]`.
    pub distance: [f64; 2],
    /// Iterations each player needed.
    pub iterations: [u32; 2],
    /// Whether each player met the tolerance (else the value is a lower bound).
    pub converged: [bool; 2],
}

/// Kernels, buffers and bind groups of the solve, built once per run.
#[derive(Debug)]
pub struct W2lin {
    opts: W2linOptions,
    cell_over_n: f64,
    groups: [u32; 3],
    plan: FftPlan,
    fft: FftBinding,
    kernels: Kernels,
    binds: Binds,
    red_a: Reducer,
    red_m: Reducer,
    /// The CG scalars (read through the bind groups only).
    _state: wgpu::Buffer,
    history: wgpu::Buffer,
    staging: wgpu::Buffer,
    _fields: Vec<GpuField>,
}

#[derive(Debug)]
struct Kernels {
    load: Kernel,
    split: Kernel,
    /// `[A, M]` for each of grad, weight, div.
    grad: [Kernel; 2],
    weight: Kernel,
    div: [Kernel; 2],
    start: Kernel,
    alpha: Kernel,
    beta: Kernel,
    advance: Kernel,
    direction: Kernel,
}

#[derive(Debug)]
struct Binds {
    setup: wgpu::BindGroup,
    /// `[A p -> y, M r -> z]`.
    apply: [wgpu::BindGroup; 2],
    update: wgpu::BindGroup,
    vectors: wgpu::BindGroup,
}

impl W2lin {
    /// A solver for the densities held in `dens` (one complex field per point,
    /// `mu + i nu` on the grid of `params.shape`; with `perturbation` the
    /// deviations from the equilibrium) against the equilibrium whose
    /// log-densities are `eq_logs` (`2 n` values: `log mu*` then `log nu*`,
    /// row-major `(n2, n1)`, normalised so that `exp` is the density).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        eq_logs: &[f32],
        dens: &wgpu::Buffer,
        perturbation: bool,
        opts: W2linOptions,
    ) -> Result<Self> {
        check_options(&opts)?;
        let shape = params.shape;
        let n = shape.len();
        if eq_logs.len() != 2 * n {
            return Err(Error::Usage(format!(
                "linearised W2 on a {shape} grid given {} equilibrium values, not {}",
                eq_logs.len(),
                2 * n
            )));
        }
        let (rho, inv) = weights(eq_logs)?;
        let device = &ctx.device;
        let field =
            |label: &str, data: &[f32]| GpuField::from_data(ctx, label, shape, 2, Elem::Real, data);
        let rho = field("w2lin.rho", &rho)?;
        let inv = field("w2lin.inv_rho", &inv)?;
        let vector = |label: &str| GpuField::zeros(ctx, label, shape, 2, Elem::Complex);
        let (work, x, r, p, z, y) = (
            vector("w2lin.work")?,
            vector("w2lin.x")?,
            vector("w2lin.r")?,
            vector("w2lin.p")?,
            vector("w2lin.z")?,
            vector("w2lin.y")?,
        );
        let plan = FftPlan::new(ctx, shape, 2)?;
        let fft = plan.bind(ctx, &work)?;
        let groups = elementwise_groups(n as u64);
        let leaf = groups[0] * groups[1];
        let red_a = Reducer::new(ctx, "w2lin.pap", &[Op::Sum; 2], leaf)?;
        let red_m = Reducer::new(ctx, "w2lin.rz", &[Op::Sum; 2], leaf)?;
        let state = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("w2lin.state"),
            contents: bytemuck::cast_slice(&[0.0f32; 8]),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let history = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("w2lin.history"),
            size: history_bytes(opts.max_iter),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("w2lin.staging"),
            size: history_bytes(CHUNK),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });

        let kernels = Kernels::new(ctx, params, perturbation, opts.max_iter)?;
        let k = &kernels;
        let (work_b, x_b, r_b) = (&work.buffer, &x.buffer, &r.buffer);
        let (p_b, z_b, y_b) = (&p.buffer, &z.buffer, &y.buffer);
        let binds = Binds {
            setup: k
                .load
                .bind(device, &[dens, &rho.buffer, work_b, x_b, r_b, p_b]),
            apply: [
                k.weight.bind(
                    device,
                    &[&rho.buffer, p_b, y_b, p_b, work_b, &red_a.partials],
                ),
                k.weight.bind(
                    device,
                    &[&inv.buffer, r_b, z_b, r_b, work_b, &red_m.partials],
                ),
            ],
            update: k
                .start
                .bind(device, &[&red_a.result, &red_m.result, &state, &history]),
            vectors: k.advance.bind(device, &[&state, x_b, r_b, p_b, z_b, y_b]),
        };
        Ok(W2lin {
            opts,
            cell_over_n: params.cell() / n as f64,
            groups,
            plan,
            fft,
            kernels,
            binds,
            red_a,
            red_m,
            _state: state,
            history,
            staging,
            _fields: vec![rho, inv, work, x, r, p, z, y],
        })
    }

    /// Records `dst = A src` (`op = 0`: `y = A p`) or `dst = M src` (`op = 1`:
    /// `z = M r`), with the reduction of `<src, dst>`.
    fn record_apply(&self, pass: &mut wgpu::ComputePass<'_>, op: usize) {
        let (k, g, bind) = (&self.kernels, self.groups, &self.binds.apply[op]);
        k.grad[op].dispatch(pass, bind, g);
        self.plan.record(pass, &self.fft, Direction::Inverse);
        k.weight.dispatch(pass, bind, g);
        self.plan.record(pass, &self.fft, Direction::Forward);
        k.div[op].dispatch(pass, bind, g);
        [&self.red_a, &self.red_m][op].record(pass);
    }

    /// Records the right-hand side from the densities buffer and the start of
    /// the iteration. The densities are read here, so they may be overwritten
    /// by later work in the same pass.
    pub fn record_setup(&self, pass: &mut wgpu::ComputePass<'_>) {
        let (k, g) = (&self.kernels, self.groups);
        k.load.dispatch(pass, &self.binds.setup, g);
        self.plan.record(pass, &self.fft, Direction::Forward);
        k.split.dispatch(pass, &self.binds.setup, g);
        self.record_apply(pass, 1);
        k.start.dispatch(pass, &self.binds.update, [1, 1, 1]);
        k.direction.dispatch(pass, &self.binds.vectors, g);
    }

    /// Records one conjugate-gradient iteration of both players.
    fn record_iteration(&self, pass: &mut wgpu::ComputePass<'_>) {
        let (k, g) = (&self.kernels, self.groups);
        self.record_apply(pass, 0);
        k.alpha.dispatch(pass, &self.binds.update, [1, 1, 1]);
        k.advance.dispatch(pass, &self.binds.vectors, g);
        self.record_apply(pass, 1);
        k.beta.dispatch(pass, &self.binds.update, [1, 1, 1]);
        k.direction.dispatch(pass, &self.binds.vectors, g);
    }

    /// Iterates after [`Self::record_setup`] has been submitted, until both
    /// players meet the tolerance or `max_iter` (blocking; one readback of
    /// at most `16 CHUNK` bytes per [`CHUNK`] iterations).
    pub fn solve(&self, ctx: &GpuContext) -> Result<W2linResult> {
        crate::gpu::block(self.solve_async(ctx))
    }

    /// [`Self::solve`] as a future: what a browser awaits.
    pub async fn solve_async(&self, ctx: &GpuContext) -> Result<W2linResult> {
        let mut sums = [0.0f64; 2];
        let mut done = [false; 2];
        let mut iterations = [0u32; 2];
        let mut k = 0;
        while k < self.opts.max_iter && !(done[0] && done[1]) {
            let count = CHUNK.min(self.opts.max_iter - k);
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("w2lin"),
                });
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                for _ in 0..count {
                    self.record_iteration(&mut pass);
                }
            }
            encoder.copy_buffer_to_buffer(
                &self.history,
                u64::from(k) * 16,
                &self.staging,
                0,
                history_bytes(count),
            );
            ctx.queue.submit([encoder.finish()]);
            let raw = read_mapped_async(ctx, &self.staging).await?;
            for it in 0..count as usize {
                for b in 0..2 {
                    if done[b] {
                        continue;
                    }
                    let term = raw[4 * it + 2 * b] as f64;
                    let g_next = raw[4 * it + 2 * b + 1] as f64;
                    if !term.is_finite() {
                        return Err(Error::Data {
                            field: "w2lin".into(),
                            message: "the conjugate-gradient iteration produced a non-finite \
                                      value; the densities or the equilibrium are not finite"
                                .into(),
                        });
                    }
                    sums[b] += term.max(0.0);
                    iterations[b] = k + it as u32 + 1;
                    done[b] = term <= self.opts.tol * sums[b] || g_next <= 0.0;
                }
            }
            k += count;
        }
        Ok(W2linResult {
            distance: sums.map(|s| (self.cell_over_n * s).sqrt()),
            iterations,
            converged: done,
        })
    }

    /// The whole measurement on its own: [`Self::record_setup`], submitted,
    /// then [`Self::solve`].
    pub fn measure(&self, ctx: &GpuContext) -> Result<W2linResult> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record_setup(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        self.solve(ctx)
    }
}

impl Kernels {
    fn new(ctx: &GpuContext, params: &Params, perturbation: bool, max_iter: u32) -> Result<Self> {
        let device = &ctx.device;
        let spectral = params.spectral_constants();
        let with = |extra: (&'static str, f64)| {
            let mut c = spectral.clone();
            c.push(extra);
            c
        };
        let setup_consts = with(("PERTURBATION", f64::from(u8::from(perturbation))));
        let load = Kernel::new(device, &shaders::W2LIN_SETUP, "load", &setup_consts)?;
        let split = Kernel::with_layout(
            device,
            &shaders::W2LIN_SETUP,
            "split",
            &load.layout,
            &setup_consts,
        )?;
        let weight = Kernel::new(device, &shaders::W2LIN_APPLY, "weight", &spectral)?;
        let apply = |entry: &str, precond: bool| {
            Kernel::with_layout(
                device,
                &shaders::W2LIN_APPLY,
                entry,
                &weight.layout,
                &with(("PRECOND", f64::from(u8::from(precond)))),
            )
        };
        let grad = [apply("grad", false)?, apply("grad", true)?];
        let div = [apply("div", false)?, apply("div", true)?];
        let iter_consts = [("MAX_ITER", f64::from(max_iter))];
        let start = Kernel::new(device, &shaders::W2LIN_UPDATE, "start", &iter_consts)?;
        let scalar = |entry: &str| {
            Kernel::with_layout(
                device,
                &shaders::W2LIN_UPDATE,
                entry,
                &start.layout,
                &iter_consts,
            )
        };
        let (alpha, beta) = (scalar("alpha")?, scalar("beta")?);
        let len = [("FIELD_LEN", params.shape.len() as f64)];
        let advance = Kernel::new(device, &shaders::W2LIN_VECTORS, "advance", &len)?;
        let direction = Kernel::with_layout(
            device,
            &shaders::W2LIN_VECTORS,
            "direction",
            &advance.layout,
            &len,
        )?;
        Ok(Kernels {
            load,
            split,
            grad,
            weight,
            div,
            start,
            alpha,
            beta,
            advance,
            direction,
        })
    }
}

/// Bytes of `iterations` history entries (two vec2 per iteration).
fn history_bytes(iterations: u32) -> u64 {
    u64::from(iterations.max(1)) * 16
}

/// `rho* = exp(log rho*)` and the capped `1/rho*` of the preconditioner, per
/// player (f64, then f32).
fn weights(eq_logs: &[f32]) -> Result<(Vec<f32>, Vec<f32>)> {
    let n = eq_logs.len() / 2;
    let mut rho = Vec::with_capacity(2 * n);
    let mut inv = Vec::with_capacity(2 * n);
    for (b, logs) in eq_logs.chunks_exact(n).enumerate() {
        if let Some(j) = logs.iter().position(|v| !v.is_finite()) {
            return Err(Error::Data {
                field: format!("equilibrium log-density of {}", ["mu", "nu"][b]),
                message: format!("value {} at point {j} is not finite", logs[j]),
            });
        }
        let top = logs.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
        let floor = top.exp() / WEIGHT_CAP;
        for &l in logs {
            let r = (l as f64).exp();
            rho.push(r as f32);
            inv.push((1.0 / r.max(floor)) as f32);
        }
    }
    Ok((rho, inv))
}

fn check_options(opts: &W2linOptions) -> Result<()> {
    if !(opts.tol > 0.0 && opts.tol < 1.0) {
        return Err(Error::Config {
            field: "w2lin tol".into(),
            message: format!("{} is not in (0, 1); e.g. 1e-6", opts.tol),
        });
    }
    if opts.max_iter == 0 {
        return Err(Error::Config {
            field: "w2lin max_iter".into(),
            message: "must be at least 1; e.g. 200".into(),
        });
    }
    Ok(())
}
