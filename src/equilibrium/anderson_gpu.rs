//! The Anderson-accelerated equilibrium iteration on the GPU
//! (`equilibrium.anderson = m`, the game's default): the extragradient
//! iteration is the map `G` of [`super::anderson`], whose history (the ring
//! of `m` differences `dF`, `dG`) stays on the GPU; one iteration is one
//! submission
//!
//! ```text
//! mix (x_k from the last coefficients), normalise
//! residual check of x_k, then G(x_k) reusing the check's potentials
//! store f_k, dF, dG and reduce the 2m + 1 dot products
//! ```
//!
//! and one readback of the residual sums and the dot products (some 200
//! bytes), from which the host solves the `m x m` least-squares problem in
//! f64 and writes the `m` coefficients of the next mix. The extra memory is
//! `2m + 2` real fields per species (the ring and the previous `f`, `G`).

use wgpu::util::DeviceExt;

use crate::dynamics::Params;
use crate::equilibrium::anderson::{Anderson, Dots};
use crate::equilibrium::stop::Stall;
use crate::equilibrium::{EquilibriumOptions, EquilibriumReport, EquilibriumSolver, Stop};
use crate::gpu::field::read_mapped_async;
use crate::gpu::pipeline::Kernel;
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::metrics::reduce::{finish, Op, Reducer};
use crate::system::SystemOperators;
use crate::Result;

/// The ring, kernels and bind groups of the accelerated iteration, built
/// once with the solver. Every ring slot is a buffer of S real fields (as
/// large as the logs), so that no binding is larger than the solver's own.
#[derive(Debug)]
pub(crate) struct AndersonGpu {
    depth: usize,
    store: Kernel,
    dot: Kernel,
    mix_first: Kernel,
    mix_rest: Kernel,
    /// `[parity][slot]`: `x = logs[p]`, `g = logs[1 - p]`, the slot's `dF`,
    /// `dG`.
    store_binds: [Vec<wgpu::BindGroup>; 2],
    /// `[new slot][j]`: `dF_j` against `dF_new`, and against `f`.
    dot_binds: Vec<Vec<wgpu::BindGroup>>,
    /// `[parity][j]`: the mix term of slot j into `logs[p]`.
    mix_first_binds: [Vec<wgpu::BindGroup>; 2],
    mix_rest_binds: [Vec<wgpu::BindGroup>; 2],
    dots: Reducer,
    /// `(has_prev, 0, 0, 0)` of the next store.
    store_params: wgpu::Buffer,
    /// `gamma` by slot, f32.
    gamma: wgpu::Buffer,
    /// The residual sums (2S vec2) then the dot products (2m + 1 vec2).
    staging: wgpu::Buffer,
    /// `dF` slots, `dG` slots, `f_prev`, `g_prev` (S real fields each) and
    /// the slot indices (uniforms).
    _buffers: (Vec<GpuField>, Vec<wgpu::Buffer>),
}

impl AndersonGpu {
    /// The accelerated iteration of depth `depth >= 1` over the solver's
    /// log buffers `logs` (S real fields each), whose log-sum-exp reducer
    /// `lse` normalises the mix and whose `sums` hold a check's sums.
    pub(crate) fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        depth: usize,
        logs: [&wgpu::Buffer; 2],
        lse: &Reducer,
        sums: &Reducer,
    ) -> Result<Self> {
        let device = &ctx.device;
        let shape = params.shape;
        let species = ops.system.species.len() as u32;
        let code = ops.replacements();
        let len = ("FIELD_LEN", shape.len() as f64);
        let store = Kernel::generated(
            device,
            &shaders::AA_STORE,
            &code,
            "main",
            &[
                len,
                ("LOG_CELL", params.cell().ln()),
                ("FF_CHANNEL", 2.0 * depth as f64),
            ],
        )?;
        let dot = Kernel::generated(
            device,
            &shaders::AA_DOT,
            &code,
            "main",
            &[len, ("DEPTH", depth as f64)],
        )?;
        let mix = |first: bool| {
            Kernel::generated(
                device,
                &shaders::AA_MIX,
                &code,
                "main",
                &[len, ("FIRST", f64::from(u8::from(first)))],
            )
        };
        let (mix_first, mix_rest) = (mix(true)?, mix(false)?);
        let field = |label: String| GpuField::zeros(ctx, &label, shape, species, Elem::Real);
        let df = (0..depth)
            .map(|j| field(format!("anderson.df{j}")))
            .collect::<Result<Vec<_>>>()?;
        let dg = (0..depth)
            .map(|j| field(format!("anderson.dg{j}")))
            .collect::<Result<Vec<_>>>()?;
        let f_prev = field("anderson.f_prev".into())?;
        let g_prev = field("anderson.g_prev".into())?;
        let dots = Reducer::new(
            ctx,
            "anderson.dots",
            &vec![Op::Sum; 2 * depth + 1],
            lse.leaf_groups,
        )?;
        let small = |label, size, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        let copy_dst = wgpu::BufferUsages::COPY_DST;
        let store_params = small("anderson.store", 16, wgpu::BufferUsages::UNIFORM | copy_dst);
        let gamma = small(
            "anderson.gamma",
            4 * depth as u64,
            wgpu::BufferUsages::STORAGE | copy_dst,
        );
        let staging = small(
            "anderson.staging",
            8 * (sums.ops.len() + dots.ops.len()) as u64,
            wgpu::BufferUsages::MAP_READ | copy_dst,
        );
        let index: Vec<wgpu::Buffer> = (0..depth as u32)
            .map(|j| {
                device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("anderson.slot"),
                    contents: bytemuck::cast_slice(&[j, 0, 0, 0]),
                    usage: wgpu::BufferUsages::UNIFORM,
                })
            })
            .collect();
        let store_binds = [0, 1].map(|p| {
            (0..depth)
                .map(|j| {
                    store.bind(
                        device,
                        &[
                            logs[p],
                            logs[1 - p],
                            &f_prev.buffer,
                            &g_prev.buffer,
                            &df[j].buffer,
                            &dg[j].buffer,
                            &store_params,
                            &dots.partials,
                        ],
                    )
                })
                .collect()
        });
        let dot_binds = (0..depth)
            .map(|new| {
                (0..depth)
                    .map(|j| {
                        let d = [&df[j].buffer, &df[new].buffer, &f_prev.buffer];
                        dot.bind(device, &[d[0], d[1], d[2], &index[j], &dots.partials])
                    })
                    .collect()
            })
            .collect();
        let mix_binds = |kernel: &Kernel| {
            [0, 1].map(|p| {
                (0..depth)
                    .map(|j| {
                        let b = [&g_prev.buffer, &dg[j].buffer, &gamma, &index[j]];
                        kernel.bind(device, &[b[0], b[1], b[2], b[3], logs[p], &lse.partials])
                    })
                    .collect()
            })
        };
        let (mix_first_binds, mix_rest_binds) = (mix_binds(&mix_first), mix_binds(&mix_rest));
        let mut fields = df;
        fields.extend(dg);
        fields.extend([f_prev, g_prev]);
        Ok(AndersonGpu {
            depth,
            store,
            dot,
            mix_first,
            mix_rest,
            store_binds,
            dot_binds,
            mix_first_binds,
            mix_rest_binds,
            dots,
            store_params,
            gamma,
            staging,
            _buffers: (fields, index),
        })
    }

    /// Ring slots m.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Records the mix into the logs of `parity` from the coefficients
    /// `gamma` (by slot, already written to the GPU): one term per nonzero
    /// coefficient, at least one.
    fn record_mix(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        parity: usize,
        gamma: &[f32],
        groups: [u32; 3],
    ) {
        let mut terms = (0..self.depth).filter(|&j| gamma[j] != 0.0).peekable();
        let first = terms.peek().copied().unwrap_or(0);
        self.mix_first
            .dispatch(pass, &self.mix_first_binds[parity][first], groups);
        for j in terms.skip(1) {
            self.mix_rest
                .dispatch(pass, &self.mix_rest_binds[parity][j], groups);
        }
    }

    /// Records the store of `G(x)` (the logs of `1 - parity`) into ring slot
    /// `slot` and the dot products of the slots `live` against it.
    fn record_store(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        parity: usize,
        slot: usize,
        live: &[usize],
        groups: [u32; 3],
    ) {
        self.store
            .dispatch(pass, &self.store_binds[parity][slot], groups);
        for &j in live {
            self.dot.dispatch(pass, &self.dot_binds[slot][j], groups);
        }
        self.dots.record(pass);
    }
}

/// `s` iterations without a 10% gain on the best residual after which the
/// accelerated iteration counts as stalled at round-off, once the best is
/// within three times the round-off scale: three histories and ten more (the
/// safeguard restarts a stalled history well within that). Above three
/// times the round-off scale the plain iteration's patience applies.
fn short_patience(depth: usize) -> u32 {
    3 * depth as u32 + 10
}

impl EquilibriumSolver {
    /// The accelerated iteration from the current iterate (what
    /// [`Self::solve_with`] runs when the solver was built with
    /// `anderson > 0`): one residual check per iteration, the same stops as
    /// the plain iteration.
    pub(super) async fn solve_anderson(
        &self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        on_check: &mut dyn FnMut(u32, Option<f64>),
    ) -> Result<EquilibriumReport> {
        let aa = self
            .anderson
            .as_ref()
            .expect("solve_anderson on a solver built without the accelerated iteration");
        let mut host = Anderson::new(aa.depth);
        let species = self.species();
        let round_off = f64::from(f32::EPSILON) * opts.payoff_sup / self.tau_min();
        let long = self.patience(1);
        let short = short_patience(aa.depth);
        let sums_bytes = 8 * self.sums.ops.len() as u64;
        let dots_bytes = 8 * aa.dots.ops.len() as u64;
        let parity = self.parity;
        let mut history = Vec::new();
        let mut iterations = 0;
        let mut mix = false;
        let mut stall = Stall::new(f64::INFINITY);
        let interrupted = |iterations: u32, residual: f64| {
            if iterations == 0 {
                return "the equilibrium iteration (accelerated), before its first check".into();
            }
            format!(
                "the equilibrium iteration (accelerated), after {iterations} iterations \
                 (residual {residual:.2e})"
            )
        };
        let mut residual = f64::NAN;
        let mut gamma = vec![0.0f32; aa.depth];
        let (residual, ni, stop) = loop {
            opts.interrupt.check(|| interrupted(iterations, residual))?;
            let store = host.next_store();
            let live = host.live_slots();
            let params = [u32::from(store.has_prev), 0, 0, 0];
            ctx.queue
                .write_buffer(&aa.store_params, 0, bytemuck::cast_slice(&params));
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                if mix {
                    aa.record_mix(&mut pass, parity, &gamma, self.groups);
                    self.lse.record(&mut pass);
                    self.normalise.dispatch(
                        &mut pass,
                        &self.binds.normalise_logs[parity],
                        self.groups,
                    );
                }
                self.record_check(&mut pass, parity);
                self.record_iteration_after_check(&mut pass, parity);
                aa.record_store(&mut pass, parity, store.slot, &live, self.groups);
            }
            encoder.copy_buffer_to_buffer(&self.sums.result, 0, &aa.staging, 0, sums_bytes);
            encoder.copy_buffer_to_buffer(&aa.dots.result, 0, &aa.staging, sums_bytes, dots_bytes);
            ctx.queue.submit([encoder.finish()]);
            let raw = read_mapped_async(ctx, &aa.staging).await?;
            let ni;
            (residual, ni) = self.residual_and_gap(&raw[..2 * 2 * species])?;
            history.push((iterations, residual));
            on_check(iterations, Some(residual));
            stall.record(residual);
            if residual <= opts.tol {
                break (residual, ni, Stop::Converged);
            }
            if iterations >= opts.max_iter {
                break (residual, ni, Stop::MaxIterations);
            }
            if stall.stale
                >= if stall.best <= 3.0 * round_off {
                    short
                } else {
                    long
                }
            {
                break (residual, ni, Stop::RoundOff);
            }
            let v = finish(&aa.dots.ops, &raw[2 * 2 * species..]);
            let m = aa.depth;
            let dots = Dots {
                new: v[..m].to_vec(),
                rhs: v[m..2 * m].to_vec(),
                ff: v[2 * m],
            };
            gamma = host.update(&dots).gamma.iter().map(|&g| g as f32).collect();
            ctx.queue
                .write_buffer(&aa.gamma, 0, bytemuck::cast_slice(&gamma));
            mix = true;
            iterations += 1;
        };
        Ok(EquilibriumReport {
            iterations,
            residual,
            ni,
            step: self.step,
            stop,
            round_off,
            tol: opts.tol,
            anderson: aa.depth as u32,
            restarts: host.rejections(),
            history,
        })
    }
}
