//! The entropy-regularised extragradient iteration of Cen, Wei and Chi (2021)
//! for a stationary state of a species system (docs/MATHEMATICS.md sections 4
//! and 8; for the game, the mixed Nash equilibrium), species by species in log
//! space on the GPU:
//!
//! ```text
//! l_bar_s = (1 - s tau_s) l_s - s Phi_s[rho],      normalised
//! l_new_s = (1 - s tau_s) l_s - s Phi_s[rho_bar],  normalised
//! ```
//!
//! where normalising subtracts the log-sum-exp (never exponentiating raw
//! potentials); for the game `Phi_mu = V`, `Phi_nu = -U`. It stops on the
//! fixed-point residual `r = sum_s int |rho_s - softmax(-Phi_s / tau_s)|`,
//! which is linear in the distance to the stationary state, and reports the
//! equilibrium gap `sum_s tau_s KL(rho_s | Gibbs(-Phi_s / tau_s))` (for the
//! game, the Nikaido-Isoda error) as a diagnostic.
//!
//! With [`EquilibriumOptions::anderson`] `= m > 0` the same iteration is the
//! map that Anderson's method accelerates (`super::anderson`, on the GPU in
//! `super::anderson_gpu`), checked at every iteration.

use web_time::Instant;

use crate::dynamics::potential_eval::PotentialEval;
use crate::dynamics::Params;
use crate::equilibrium::anderson_gpu::AndersonGpu;
use crate::equilibrium::gibbs::{coefficients, logits_kernel, normalise_kernel, GibbsEval};
use crate::equilibrium::options::{EquilibriumOptions, EquilibriumReport};
use crate::equilibrium::stop::{Stall, Stop};
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::groups::{GroupRecorder, InPass, Label, Listing};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{field::read_buffer_async, shaders, Elem, GpuContext, GpuField};
use crate::interrupt::Batcher;
use crate::metrics::reduce::{finish, Op, Reducer, RED_WG};
use crate::system::SystemOperators;
use crate::{Error, Result};

/// The solver's kernels and buffers, built once.
#[derive(Debug)]
pub struct EquilibriumSolver {
    params: Params,
    /// The species' temperatures.
    taus: Vec<f64>,
    plan: FftPlan,
    split: Kernel,
    exp: Kernel,
    logits_step: Kernel,
    pub(super) normalise: Kernel,
    residual: Kernel,
    potential: PotentialEval,
    gibbs: GibbsEval,
    pub(super) lse: Reducer,
    pub(super) sums: Reducer,
    /// Current normalised log-densities `[log rho_s]` (real, S fields),
    /// double-buffered by iteration parity.
    logs: [GpuField; 2],
    /// Work buffers (the bind groups reference them): `l_bar` (S real
    /// fields), packed densities (ceil(S/2) complex), `[rho_s^]` (S complex).
    _work: [GpuField; 3],
    _coef: wgpu::Buffer,
    pub(super) binds: Binds,
    pub(super) groups: [u32; 3],
    pub(super) step: f64,
    pub(super) parity: usize,
    /// The accelerated iteration's ring and kernels (`opts.anderson > 0`).
    pub(super) anderson: Option<AndersonGpu>,
}

#[derive(Debug)]
pub(super) struct Binds {
    fft_dens: FftBinding,
    split: wgpu::BindGroup,
    /// Index: parity of the current logs.
    logits_bar: [wgpu::BindGroup; 2],
    logits_new: [wgpu::BindGroup; 2],
    normalise_bar: wgpu::BindGroup,
    pub(super) normalise_logs: [wgpu::BindGroup; 2],
    exp_logs: [wgpu::BindGroup; 2],
    exp_bar: wgpu::BindGroup,
    residual: [wgpu::BindGroup; 2],
}

impl EquilibriumSolver {
    /// Builds kernels and buffers for `params` and the payoff operators.
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        opts: &EquilibriumOptions,
    ) -> Result<Self> {
        let shape = params.shape;
        let n = shape.len() as f64;
        let device = &ctx.device;
        let taus: Vec<f64> = ops.system.species.iter().map(|s| s.tau).collect();
        let species = taus.len();
        let tau_max = taus.iter().copied().fold(0.0, f64::max);
        let step = opts
            .step
            .unwrap_or(1.0 / (tau_max + 2.0 * opts.payoff_sup.max(0.0)));
        // s tau = 1 is the exact best response, safe when the payoff vanishes.
        if !(step > 0.0 && step * tau_max <= 1.0 + 1e-12) {
            return Err(Error::config(
                "equilibrium.step",
                format!(
                    "must be > 0 and at most 1/tau = {} (got {step})",
                    1.0 / tau_max
                ),
            ));
        }
        let field_len = [("FIELD_LEN", n)];
        let code = ops.replacements();
        let logits_step = logits_kernel(device, params, ops, false)?;
        let coef: Vec<(f64, f64)> = taus.iter().map(|&t| (1.0 - step * t, step)).collect();
        let coef = coefficients(ctx, "equilibrium.coef", &coef);
        let normalise = normalise_kernel(device, params, ops)?;
        let exp = Kernel::generated(device, &shaders::EQ_EXP, &code, "main", &field_len)?;
        let split = Kernel::generated(
            device,
            &shaders::EQ_SPLIT,
            &code,
            "main",
            &params.spectral_constants(),
        )?;
        let residual = Kernel::generated(device, &shaders::EQ_RESIDUAL, &code, "main", &field_len)?;

        let groups = elementwise_groups(shape.len() as u64);
        let leaf = groups[0] * groups[1];
        let lse = Reducer::new(ctx, "equilibrium.lse", &vec![Op::Lse; species], leaf)?;
        let sums = Reducer::new(ctx, "equilibrium.sums", &vec![Op::Sum; 2 * species], leaf)?;

        let (s32, pairs) = (species as u32, ops.pairs() as u32);
        let real = |label| GpuField::zeros(ctx, label, shape, s32, Elem::Real);
        let logs = [real("equilibrium.logs0")?, real("equilibrium.logs1")?];
        let bar = real("equilibrium.bar")?;
        let dens = GpuField::zeros(ctx, "equilibrium.dens", shape, pairs, Elem::Complex)?;
        let spectra = GpuField::zeros(ctx, "equilibrium.spectra", shape, s32, Elem::Complex)?;
        let potential = PotentialEval::new(ctx, params, ops, &spectra.buffer)?;
        let gibbs = GibbsEval::new(ctx, params, ops, &potential.output)?;
        let plan = FftPlan::new(ctx, shape, pairs)?;

        let l = [&logs[0].buffer, &logs[1].buffer];
        let pot = &potential.output.buffer;
        let binds = Binds {
            fft_dens: plan.bind(ctx, &dens)?,
            split: split.bind(device, &[&dens.buffer, &spectra.buffer]),
            logits_bar: [0, 1]
                .map(|i| logits_step.bind(device, &[l[i], pot, &bar.buffer, &lse.partials, &coef])),
            logits_new: [0, 1]
                .map(|i| logits_step.bind(device, &[l[i], pot, l[1 - i], &lse.partials, &coef])),
            normalise_bar: normalise.bind(device, &[&lse.result, &bar.buffer]),
            normalise_logs: [0, 1].map(|i| normalise.bind(device, &[&lse.result, l[i]])),
            exp_logs: [0, 1].map(|i| exp.bind(device, &[l[i], &dens.buffer])),
            exp_bar: exp.bind(device, &[&bar.buffer, &dens.buffer]),
            residual: [0, 1]
                .map(|i| residual.bind(device, &[l[i], &gibbs.output.buffer, &sums.partials])),
        };
        let anderson = match opts.anderson {
            0 => None,
            m => Some(AndersonGpu::new(
                ctx,
                params,
                ops,
                m as usize,
                [&logs[0].buffer, &logs[1].buffer],
                &lse,
                &sums,
            )?),
        };
        Ok(EquilibriumSolver {
            params: params.clone(),
            taus,
            plan,
            split,
            exp,
            logits_step,
            normalise,
            residual,
            potential,
            gibbs,
            lse,
            sums,
            logs,
            _work: [bar, dens, spectra],
            _coef: coef,
            binds,
            groups,
            step,
            parity: 0,
            anderson,
        })
    }

    /// The step s in use.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// Depth m of the Anderson acceleration in use (0: the plain iteration).
    pub fn anderson(&self) -> usize {
        self.anderson.as_ref().map_or(0, |a| a.depth())
    }

    /// Number of species S.
    pub fn species(&self) -> usize {
        self.taus.len()
    }

    /// Starts from the given log-densities `[log rho_s]` (any additive
    /// constants; they are normalised here in f64), row-major, one field after
    /// the other.
    pub fn start_from_logs(&mut self, ctx: &GpuContext, logs: &[f32]) -> Result<()> {
        let n = self.params.shape.len();
        let fields = self.species();
        if logs.len() != fields * n || logs.iter().any(|v| !v.is_finite()) {
            return Err(Error::Data {
                field: "equilibrium start".into(),
                message: format!(
                    "{} finite log-densities needed for {fields} fields",
                    fields * n
                ),
            });
        }
        let log_cell = self.params.cell().ln();
        let mut l = Vec::with_capacity(fields * n);
        for field in logs.chunks_exact(n) {
            let m = field.iter().copied().fold(f32::MIN, f32::max) as f64;
            let sum: f64 = field.iter().map(|&v| (v as f64 - m).exp()).sum();
            let shift = m + sum.ln() + log_cell;
            l.extend(field.iter().map(|&v| (v as f64 - shift) as f32));
        }
        self.parity = 0;
        self.logs[0].write(ctx, &l)?;
        // An upload's staging copy (and the buffer it writes) is held until
        // a submission carrying it has finished.
        ctx.queue.submit(None);
        ctx.wait()
    }

    /// Starts from the uniform densities.
    pub fn start_uniform(&mut self, ctx: &GpuContext) -> Result<()> {
        let n = self.species() * self.params.shape.len();
        self.start_from_logs(ctx, &vec![0.0; n])
    }

    /// Starts from densities `rho[s]` (one grid per species, non-negative;
    /// they are normalised, and a zero counts as the smallest positive f32),
    /// e.g. to look for the stationary state reached from the initial
    /// densities.
    pub fn start_from_densities(&mut self, ctx: &GpuContext, rho: &[&[f32]]) -> Result<()> {
        let mut logs = Vec::new();
        for (s, r) in rho.iter().enumerate() {
            if let Some(i) = r.iter().position(|&v| !(v >= 0.0 && v.is_finite())) {
                return Err(Error::Data {
                    field: "equilibrium start".into(),
                    message: format!(
                        "species {s} has the density {} at grid index {i}: a start needs \
                         non-negative, finite densities",
                        r[i]
                    ),
                });
            }
            logs.extend(r.iter().map(|v| v.max(f32::MIN_POSITIVE).ln()));
        }
        self.start_from_logs(ctx, &logs)
    }

    /// Bytes per point of one species' real field and of one packed field.
    fn field_bytes(&self) -> (u64, u64) {
        let s = self.species() as u64;
        (4 * s, 8 * s.div_ceil(2))
    }

    /// Records the potentials `Phi_2q - i Phi_2q+1` on the grid (into the
    /// potential evaluator's output) for the densities `exp(logs)`,
    /// `exp_bind` binding the logs, as labelled groups: `eq.exp` (the real
    /// logs in, packed densities out: 16 B per point for two species), the
    /// forward FFT `eq.fft_dens`, `eq.split` (packed spectra in, `[rho_s^]`
    /// out: 24 B per point for two species) and the potential evaluator's
    /// groups.
    fn record_potential(&self, rec: &mut dyn GroupRecorder, exp_bind: &wgpu::BindGroup) {
        let b = &self.binds;
        let points = self.params.shape.len() as u64;
        let (real, packed) = self.field_bytes();
        rec.group(
            Label::new("eq.exp"),
            (real + packed) * points,
            &mut |pass| self.exp.dispatch(pass, exp_bind, self.groups),
        );
        self.plan
            .record_groups(rec, "eq.fft_dens", &b.fft_dens, Direction::Forward);
        rec.group(
            Label::new("eq.split"),
            (packed + 2 * real) * points,
            &mut |pass| self.split.dispatch(pass, &b.split, self.groups),
        );
        self.potential.record_groups(rec);
    }

    /// Records one extragradient iteration from the logs of `parity` (0 or 1)
    /// into those of the other parity (what [`Self::solve`] records, for
    /// benchmarks: alternate the parity between calls).
    pub fn record_iteration(&self, pass: &mut wgpu::ComputePass<'_>, parity: usize) {
        self.record_iteration_groups(&mut InPass(pass), parity);
    }

    /// Records one iteration as labelled groups, with the bytes each moves:
    /// twice the potentials (`eq.exp`, `eq.fft_dens`, `eq.split` and the
    /// `potential.*` groups), `eq.logits` (logs and packed potentials in,
    /// logits out, plus its log-sum-exp partials: 24 B per point for two
    /// species), the reduction `eq.lse` and `eq.normalise` (logs read and
    /// written: 16 B per point for two species). Into one pass this is
    /// [`Self::record_iteration`].
    pub fn record_iteration_groups(&self, rec: &mut dyn GroupRecorder, parity: usize) {
        self.record_halves(rec, parity, true);
    }

    /// Records one iteration whose first potentials are those a
    /// [`Self::record_check`] of the same iterate just left in the potential
    /// evaluator (the accelerated iteration checks every iterate).
    pub(super) fn record_iteration_after_check(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        parity: usize,
    ) {
        self.record_halves(&mut InPass(pass), parity, false);
    }

    /// The two half-steps of an iteration; `first_potentials` records the
    /// potentials of the iterate (else they are already in place).
    fn record_halves(&self, rec: &mut dyn GroupRecorder, parity: usize, first_potentials: bool) {
        let b = &self.binds;
        let g = self.groups;
        let points = self.params.shape.len() as u64;
        let partials = 8 * self.lse.ops.len() as u64 * self.lse.leaf_groups as u64;
        let (real, packed) = self.field_bytes();
        let logits = (2 * real + packed) * points + partials;
        let lse = reducer_bytes(&self.lse);
        let normalise = 2 * real * points + 8 * self.lse.ops.len() as u64;
        let step = |rec: &mut dyn GroupRecorder,
                    potential: Option<&wgpu::BindGroup>,
                    logits_bind: &wgpu::BindGroup,
                    normalise_bind: &wgpu::BindGroup| {
            if let Some(potential) = potential {
                self.record_potential(rec, potential);
            }
            rec.group(Label::new("eq.logits"), logits, &mut |pass| {
                self.logits_step.dispatch(pass, logits_bind, g)
            });
            rec.group(Label::new("eq.lse"), lse, &mut |pass| self.lse.record(pass));
            rec.group(Label::new("eq.normalise"), normalise, &mut |pass| {
                self.normalise.dispatch(pass, normalise_bind, g)
            });
        };
        step(
            rec,
            first_potentials.then_some(&b.exp_logs[parity]),
            &b.logits_bar[parity],
            &b.normalise_bar,
        );
        step(
            rec,
            Some(&b.exp_bar),
            &b.logits_new[parity],
            &b.normalise_logs[1 - parity],
        );
    }

    /// Bytes one iteration moves through global memory: the sum over the
    /// groups of [`Self::record_iteration_groups`].
    pub fn bytes_per_iteration(&self) -> u64 {
        Listing::of(|rec| self.record_iteration_groups(rec, 0)).bytes()
    }

    /// Records the residual check of the logs of `parity`: their
    /// potentials, the Gibbs logs and the residual and gap sums.
    pub(super) fn record_check(&self, pass: &mut wgpu::ComputePass<'_>, parity: usize) {
        self.record_potential(&mut InPass(pass), &self.binds.exp_logs[parity]);
        self.gibbs.record(pass);
        self.residual
            .dispatch(pass, &self.binds.residual[parity], self.groups);
        self.sums.record(pass);
    }

    /// `(residual, gap)` of the current iterate (blocking); the gap is the
    /// NI error for the game.
    pub fn check(&self, ctx: &GpuContext) -> Result<(f64, f64)> {
        crate::gpu::block(self.check_async(ctx))
    }

    /// [`Self::check`] as a future: what a browser awaits.
    pub async fn check_async(&self, ctx: &GpuContext) -> Result<(f64, f64)> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record_check(
            &mut encoder.begin_compute_pass(&Default::default()),
            self.parity,
        );
        ctx.queue.submit([encoder.finish()]);
        let raw = read_buffer_async(ctx, &self.sums.result, 2 * self.species() as u64 * 8).await?;
        self.residual_and_gap(&raw)
    }

    /// `(residual, gap)` from the raw sums of a check (`2S` vec2 pairs).
    pub(super) fn residual_and_gap(&self, raw: &[f32]) -> Result<(f64, f64)> {
        let species = self.species();
        let v = finish(&self.sums.ops, raw);
        let cell = self.params.cell();
        let residual = cell * v[..species].iter().sum::<f64>();
        let ni = cell
            * self
                .taus
                .iter()
                .zip(&v[species..])
                .map(|(t, k)| t * k)
                .sum::<f64>();
        if !residual.is_finite() || !ni.is_finite() {
            return Err(Error::Device(format!(
                "the equilibrium iteration produced non-finite values (residual {residual}, \
                 NI {ni}); try a smaller equilibrium.step (now {})",
                self.step
            )));
        }
        Ok((residual, ni))
    }

    /// Checks (one every `every` iterations) without a 10% gain on the best
    /// residual after which the iteration counts as stalled at round-off. The
    /// error contracts by about `1 - s tau` per iteration (docs/MATHEMATICS.md section 4),
    /// so `3 / (s tau)` iterations would shrink it twentyfold. At low
    /// temperature the residual oscillates for a while before it falls (seen:
    /// tau = 0.03 rose from 1.8 to 3.4 and back over 160 iterations), so the
    /// wait scales with that time and is never under 8 checks.
    pub(super) fn patience(&self, every: u32) -> u32 {
        let iterations = (3.0 / (self.step * self.tau_min())).ceil();
        (iterations.min(u32::MAX as f64) as u32)
            .div_ceil(every)
            .max(8)
    }

    /// Runs extragradient iterations from the current iterate until the residual
    /// reaches `opts.tol`, stops improving (f32 round-off), or `opts.max_iter`.
    pub fn solve(
        &mut self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
    ) -> Result<EquilibriumReport> {
        self.solve_with(ctx, opts, &mut |_, _| {})
    }

    /// [`solve`](Self::solve), calling `on_check(iterations, Some(residual))`
    /// at every check of the residual (every `opts.check_every` iterations),
    /// and `on_check(iterations, None)` after each submission in between, for
    /// progress reports. The iterations between two checks are submitted in
    /// batches of about [`crate::interrupt::SLICE`] of GPU time, and `opts.interrupt`
    /// is looked at after each: an interrupt stops the iteration within about
    /// a second at any grid size. The batching does not change the iterates.
    pub fn solve_with(
        &mut self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        on_check: &mut dyn FnMut(u32, Option<f64>),
    ) -> Result<EquilibriumReport> {
        crate::gpu::block(self.solve_with_async(ctx, opts, on_check))
    }

    /// [`Self::solve_with`] as a future: what a browser awaits.
    pub async fn solve_with_async(
        &mut self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        on_check: &mut dyn FnMut(u32, Option<f64>),
    ) -> Result<EquilibriumReport> {
        if self.anderson.is_some() {
            return self.solve_anderson(ctx, opts, on_check).await;
        }
        let every = opts.check_every.max(1);
        let mut iterations = 0;
        let mut history = Vec::new();
        let (mut residual, mut ni) = self.check_async(ctx).await?;
        history.push((0, residual));
        on_check(0, Some(residual));
        let mut batcher = Batcher::new(every);
        let interrupted = |iterations: u32, residual: f64| {
            format!(
                "the equilibrium iteration, after {iterations} iterations (residual \
                 {residual:.2e})"
            )
        };
        let mut stall = Stall::new(residual);
        let patience = self.patience(every);
        let stop = loop {
            if residual <= opts.tol {
                break Stop::Converged;
            }
            if iterations >= opts.max_iter {
                break Stop::MaxIterations;
            }
            if stall.stale >= patience {
                break Stop::RoundOff;
            }
            let mut left = every.min(opts.max_iter - iterations);
            while left > 0 {
                opts.interrupt.check(|| interrupted(iterations, residual))?;
                let batch = batcher.next(left);
                let start = Instant::now();
                let mut encoder = ctx.device.create_command_encoder(&Default::default());
                {
                    let mut pass = encoder.begin_compute_pass(&Default::default());
                    for _ in 0..batch {
                        self.record_iteration(&mut pass, self.parity);
                        self.parity = 1 - self.parity;
                    }
                }
                ctx.queue.submit([encoder.finish()]);
                ctx.wait()?;
                batcher.done(start, batch);
                iterations += batch;
                left -= batch;
                if left > 0 {
                    on_check(iterations, None);
                }
            }
            (residual, ni) = self.check_async(ctx).await?;
            history.push((iterations, residual));
            on_check(iterations, Some(residual));
            stall.record(residual);
        };
        Ok(EquilibriumReport {
            iterations,
            residual,
            ni,
            step: self.step,
            stop,
            round_off: f64::from(f32::EPSILON) * opts.payoff_sup / self.tau_min(),
            tol: opts.tol,
            anderson: 0,
            restarts: 0,
            history,
        })
    }

    /// The lowest temperature, which sets the slowest contraction.
    pub(super) fn tau_min(&self) -> f64 {
        self.taus.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// The current normalised log-densities `[log rho_s]` on the GPU.
    pub fn logs(&self) -> &GpuField {
        &self.logs[self.parity]
    }

    /// The current densities `(mu, nu)` of a two-species system on the grid
    /// (blocking readback).
    pub fn densities(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        Ok(densities_from_logs(&self.logs().read(ctx)?))
    }

    /// The current densities of every species on the grid (blocking readback).
    pub fn species_densities(&self, ctx: &GpuContext) -> Result<Vec<Vec<f32>>> {
        Ok(species_from_logs(&self.logs().read(ctx)?, self.species()))
    }
}

/// The densities of `species` log-density fields of equal length, one after
/// the other.
pub fn species_from_logs(logs: &[f32], species: usize) -> Vec<Vec<f32>> {
    let n = logs.len() / species.max(1);
    logs.chunks(n.max(1))
        .map(|s| s.iter().map(|v| v.exp()).collect())
        .collect()
}

/// The densities `(mu, nu)` of log-densities `[log mu, log nu]` (two fields of
/// equal length, one after the other).
pub fn densities_from_logs(logs: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let exp = |s: &[f32]| s.iter().map(|v| v.exp()).collect::<Vec<f32>>();
    let (mu, nu) = logs.split_at(logs.len() / 2);
    (exp(mu), exp(nu))
}

/// Bytes the levels of `r` move: each level reads `count` partials per channel
/// and writes `ceil(count / RED_WG)`. Keep in sync with `Reducer::new`.
fn reducer_bytes(r: &Reducer) -> u64 {
    let channels = r.ops.len() as u64;
    let mut count = r.leaf_groups as u64;
    let mut bytes = 0;
    loop {
        let groups = count.div_ceil(RED_WG as u64);
        bytes += 8 * channels * (count + groups);
        if groups <= 1 {
            return bytes;
        }
        count = groups;
    }
}
