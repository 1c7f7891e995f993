//! The back-and-forth method on the device (docs/MATHEMATICS.md section
//! 10), the iteration of [`crate::w2::bfm_cpu::w2_bfm`] with every pass on
//! the GPU and no readback inside an iteration. One iteration is two
//! half-steps,
//!
//! ```text
//! forth: nu_phi = (y -> y - grad psi)_# nu,  phi += sigma_f (-Lap_h)^-1 (mu - nu_phi),
//!        psi = phi^c,  phi = psi^c;
//! back:  mu_psi = (x -> x - grad phi)_# mu,  psi += sigma_b (-Lap_h)^-1 (nu - mu_psi),
//!        phi = psi^c,  psi = phi^c,
//! ```
//!
//! each closed by its scalars (dual value, squared `H^-1` norm of the residual,
//! and after the back half the primal cost, by workgroup reductions) and
//! its step rule on one device thread, which updates `sigma` where the next
//! step reads it. The back half writes `(D, P)` into a ring of [`RING`]
//! entries; the host reads the ring once per [`RING`] iterations (a few
//! dozen bytes) and applies the stopping rule of the f64 method to the
//! history, at those iterations only. The final potentials are read once,
//! and the reported dual value, primal cost, gap, bound and map are summed
//! from them in f64 on the host, as the f64 method sums its own.

use std::cell::Cell;
use std::marker::PhantomData;

use crate::gpu::field::{read_mapped, storage_init};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::shaders::{W2_RULE, W2_SCALARS};
use crate::gpu::{GpuContext, Shape};
use crate::metrics::reduce::{Op, Reducer, RED_WG};
use crate::w2::bfm_cpu::{first_sigma, prepare, stop_rule, BfmOptions, BfmResult, BfmStop};
use crate::w2::envelope_gpu::CTransformGpu;
use crate::w2::h1_step_gpu::H1StepGpu;
use crate::w2::push_gpu::PushGpu;
use crate::{Error, Result};

/// Iterations between two readbacks of the history: the stopping rule is
/// applied every `RING` iterations (the f64 method applies it every one).
pub const RING: u32 = 10;

/// Points per thread of the scalars kernel (`PER_THREAD` in scalars.wgsl).
const PER_THREAD: u32 = 4;

/// One half-step's passes: push, gradient step, scalars, rule.
#[derive(Debug)]
struct HalfGpu {
    push: PushGpu,
    step: H1StepGpu,
    scalars: (Kernel, wgpu::BindGroup),
    rule: (Kernel, wgpu::BindGroup),
}

/// The device solver of one grid: pipelines and buffers made once, for any
/// number of [`BfmGpu::solve`] calls (a run measures W2 at every metrics
/// row).
#[derive(Debug)]
pub struct BfmGpu {
    shape: Shape,
    length: f64,
    mu: wgpu::Buffer,
    nu: wgpu::Buffer,
    phi: wgpu::Buffer,
    psi: wgpu::Buffer,
    sigma: [wgpu::Buffer; 2],
    state: wgpu::Buffer,
    history: wgpu::Buffer,
    staging: wgpu::Buffer,
    /// Where the final `phi`, `psi` are read from (8 bytes a point).
    potentials: wgpu::Buffer,
    halves: [HalfGpu; 2],
    /// `phi -> psi = phi^c` and `psi -> phi = psi^c`.
    transforms: [CTransformGpu; 2],
    reducer: Reducer,
    scalar_groups: [u32; 3],
    _pushed: wgpu::Buffer,
    /// A solve rewrites the buffers and maps the staging one: one thread at
    /// a time (the type is not `Sync`).
    _one_thread: PhantomData<Cell<()>>,
}

impl BfmGpu {
    /// The solver of the torus grid `shape` of side `length`: a square whose
    /// side is a power-of-two number of points (at least 4), or a circle of
    /// a power-of-two number of points (at least 4): the FFT's sizes.
    pub fn new(ctx: &GpuContext, shape: Shape, length: f64) -> Result<Self> {
        let (n1, n2) = (shape.n1, shape.n2);
        if !fits(shape) {
            return Err(Error::Usage(format!(
                "W2 on the device: square grids of power-of-two side (at least 4) or \
                 power-of-two circles, not {shape} (the host method takes any square)"
            )));
        }
        let len = shape.len();
        let bytes = vec![0u8; 4 * len];
        let field = |label: &str| storage_init(ctx, label, &bytes, true);
        let (mu, nu, phi, psi, pushed) = (
            field("w2.mu"),
            field("w2.nu"),
            field("w2.phi"),
            field("w2.psi"),
            field("w2.pushed"),
        );
        let sigma = [
            storage_init(ctx, "w2.sigma.forth", &[0; 4], true),
            storage_init(ctx, "w2.sigma.back", &[0; 4], true),
        ];
        let state = storage_init(ctx, "w2.state", &[0; 8], true);
        let ring = 8 * u64::from(RING);
        let history = storage_init(ctx, "w2.history", &vec![0; ring as usize], true);
        let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("w2.history.staging"),
            size: ring,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let potentials = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("w2.potentials.staging"),
            size: 8 * len as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let scalar_groups = elementwise_groups((len as u64).div_ceil(u64::from(PER_THREAD)));
        const _: () = assert!(RED_WG == crate::gpu::pipeline::ELEMENTWISE_WG);
        let reducer = Reducer::new(
            ctx,
            "w2.scalars",
            &[Op::Sum; 3],
            scalar_groups[0] * scalar_groups[1],
        )?;
        let h = length / f64::from(n1);
        let cell = h.powi(shape.dim() as i32);
        let device = &ctx.device;
        // Half 0 raises phi against mu (nu pushed by psi); half 1 raises psi
        // against nu (mu pushed by phi) and records the iteration, whose
        // primal cost is that of phi's map of mu.
        let half = |index: usize| -> Result<HalfGpu> {
            let (pot, den, other_pot, other_den) = if index == 0 {
                (&phi, &mu, &psi, &nu)
            } else {
                (&psi, &nu, &phi, &mu)
            };
            let push = PushGpu::new(ctx, shape, length, other_den, other_pot, &pushed)?;
            let step = H1StepGpu::new(ctx, shape, length, den, &pushed, pot, &sigma[index])?;
            let scalars = Kernel::new(
                device,
                &W2_SCALARS,
                "main",
                &[
                    ("N1", f64::from(n1)),
                    ("N2", f64::from(n2)),
                    ("H", h),
                    ("PRIMAL", index as f64),
                    ("PER_THREAD", f64::from(PER_THREAD)),
                ],
            )?;
            let scalars_bind = scalars.bind(
                device,
                &[
                    pot,
                    den,
                    other_pot,
                    other_den,
                    &pushed,
                    step.work(),
                    &reducer.partials,
                ],
            );
            let rule = Kernel::new(
                device,
                &W2_RULE,
                "main",
                &[
                    ("CELL", cell),
                    ("RECORD", index as f64),
                    ("RING", f64::from(RING)),
                ],
            )?;
            let rule_bind = rule.bind(device, &[&reducer.result, &sigma[index], &state, &history]);
            Ok(HalfGpu {
                push,
                step,
                scalars: (scalars, scalars_bind),
                rule: (rule, rule_bind),
            })
        };
        let halves = [half(0)?, half(1)?];
        let transforms = CTransformGpu::pair(ctx, shape, length, &phi, &psi)?;
        ctx.take_errors()?;
        Ok(BfmGpu {
            shape,
            length,
            mu,
            nu,
            phi,
            psi,
            sigma,
            state,
            history,
            staging,
            potentials,
            halves,
            transforms,
            reducer,
            scalar_groups,
            _pushed: pushed,
            _one_thread: PhantomData,
        })
    }

    /// The grid this solver was made for.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Records one iteration (both half-steps) on the current potentials:
    /// what [`Self::solve`] repeats, for benchmarks.
    pub fn record_iteration(&self, pass: &mut wgpu::ComputePass<'_>) {
        for (index, half) in self.halves.iter().enumerate() {
            half.push.record(pass);
            half.step.record(pass);
            // Forth: psi = phi^c, phi = psi^c; back: phi = psi^c, psi = phi^c.
            let order = if index == 0 { [0, 1] } else { [1, 0] };
            for t in order {
                self.transforms[t].record(pass);
            }
            half.scalars
                .0
                .dispatch(pass, &half.scalars.1, self.scalar_groups);
            self.reducer.record(pass);
            half.rule.0.dispatch(pass, &half.rule.1, [1, 1, 1]);
        }
    }

    /// Dispatches per iteration (both half-steps).
    pub fn dispatches(&self) -> u32 {
        let transforms: u32 = self.transforms.iter().map(|t| t.dispatches()).sum();
        let half = 2 + self.halves[0].step.dispatches() + 1 + self.reducer.levels() as u32 + 1;
        2 * (half + transforms)
    }

    /// Bytes an iteration moves through global memory, a point's share per
    /// half-step: the push (read `rho`, `psi`, read and write the 8-byte
    /// accumulator; then read it, write the density and clear it: 44), the
    /// `H^1` step ([`H1StepGpu::bytes_moved`]), two c-transforms (each pass
    /// reads and writes a field and writes and reads 16 bytes of envelope:
    /// 40 a pass) and the scalars (read five f32 fields and a complex one:
    /// 28). The reductions' partials and the rule are below 1% of it.
    pub fn bytes_per_iteration(&self) -> u64 {
        let points = self.shape.len() as u64;
        let transforms: u64 = self
            .transforms
            .iter()
            .map(|t| 40 * u64::from(t.dispatches()))
            .sum();
        let half = (44 + 28 + transforms) * points + self.halves[0].step.bytes_moved();
        2 * half
    }

    /// `W2^2 / 2` between `mu` and `nu` (row-major `(n2, n1)` values at the
    /// grid points, finite, non-negative, of positive mass; each normalised
    /// to unit mass here), with the options and the result of
    /// [`crate::w2::bfm_cpu::w2_bfm`]. The stopping rule is applied every
    /// [`RING`] iterations, to the history up to then, so `iterations` is a
    /// multiple of it (or `max_iter`), and a stop is that of the state
    /// returned; `ctx` is the context the solver was made with; `history` holds the `(D, gap)` of every iteration as
    /// the device summed them in f32.
    pub fn solve(
        &self,
        ctx: &GpuContext,
        mu: &[f64],
        nu: &[f64],
        options: BfmOptions,
    ) -> Result<BfmResult> {
        let (grid, mu, nu) = prepare(
            mu,
            nu,
            self.shape,
            self.length,
            options,
            f64::from(f32::EPSILON),
        )?;
        let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        let sigma = first_sigma(&mu, &nu) as f32;
        let queue = &ctx.queue;
        queue.write_buffer(&self.mu, 0, bytemuck::cast_slice(&f32s(&mu)));
        queue.write_buffer(&self.nu, 0, bytemuck::cast_slice(&f32s(&nu)));
        for s in &self.sigma {
            queue.write_buffer(s, 0, bytemuck::bytes_of(&sigma));
        }
        let mut history = Vec::new();
        let mut stop = BfmStop::IterationLimit;
        let mut iterations = 0;
        while iterations < options.max_iter {
            let chunk = RING.min(options.max_iter - iterations);
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("w2.bfm"),
                });
            if iterations == 0 {
                // Both potentials, the dual value and the count start at 0.
                for b in [&self.phi, &self.psi, &self.state] {
                    encoder.clear_buffer(b, 0, None);
                }
            }
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("w2.bfm"),
                    timestamp_writes: None,
                });
                for _ in 0..chunk {
                    self.record_iteration(&mut pass);
                }
            }
            encoder.copy_buffer_to_buffer(&self.history, 0, &self.staging, 0, 8 * u64::from(RING));
            queue.submit([encoder.finish()]);
            let ring = read_mapped(ctx, &self.staging)?;
            // The chunk starts at a multiple of RING, so its entries lie in
            // order at the start of the ring.
            for entry in ring.chunks_exact(2).take(chunk as usize) {
                let (dual, primal) = (f64::from(entry[0]), f64::from(entry[1]));
                history.push([dual, grid.gap(primal, dual)]);
            }
            iterations += chunk;
            if history[history.len() - chunk as usize..]
                .iter()
                .any(|v| !(v[0].is_finite() && v[1].is_finite()))
            {
                return Err(Error::Internal(format!(
                    "W2 on the device: the dual value or the gap is not finite after \
                     {iterations} iterations"
                )));
            }
            if let Some(why) = stop_rule(&history, options.tol) {
                stop = why;
                break;
            }
        }
        // The potentials, through the staging buffer made once.
        let bytes = 4 * mu.len() as u64;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&self.phi, 0, &self.potentials, 0, bytes);
        encoder.copy_buffer_to_buffer(&self.psi, 0, &self.potentials, bytes, bytes);
        queue.submit([encoder.finish()]);
        let both = read_mapped(ctx, &self.potentials)?;
        ctx.take_errors()?;
        let (phi, psi) = both.split_at(mu.len());
        let f64s = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
        Ok(grid.result(
            (&mu, &nu),
            f64s(phi),
            &f64s(psi),
            (iterations, stop),
            history,
        ))
    }
}

/// [`BfmGpu::solve`] on a solver made for this one pair.
pub fn w2_bfm_gpu(
    ctx: &GpuContext,
    mu: &[f64],
    nu: &[f64],
    shape: Shape,
    length: f64,
    options: BfmOptions,
) -> Result<BfmResult> {
    BfmGpu::new(ctx, shape, length)?.solve(ctx, mu, nu, options)
}

/// Whether [`BfmGpu`] takes the grid `shape` (else the host method does).
pub fn fits(shape: Shape) -> bool {
    shape.n1 >= 4 && shape.n1.is_power_of_two() && (shape.n2 == 1 || shape.n2 == shape.n1)
}
