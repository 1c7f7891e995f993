//! The metrics of docs/MATHEMATICS.md section 5 on the GPU: mass, min, max, entropy, and
//! the L2, L_inf, KL and chi2 distances of each player to the equilibrium, plus
//! the Nikaido-Isoda error. Everything is reduced on the GPU (pairwise trees);
//! one measurement reads back 18 pairs of floats. The linearised W2
//! distances (`super::w2lin`) are added on request.

use crate::dynamics::potential_eval::PotentialEval;
use crate::dynamics::{Params, Stepper};
use crate::equilibrium::gibbs::GibbsEval;
use crate::gpu::pipeline::{elementwise_groups, storage, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::metrics::reduce::{finish, Op, Reducer};
use crate::metrics::w2lin::{W2lin, W2linOptions};
use crate::system::SystemOperators;
use crate::{Error, Result};

/// Column names of `metrics.csv`, in order.
pub const COLUMNS: &[&str] = &[
    "t",
    "mass_mu",
    "mass_nu",
    "min_mu",
    "min_nu",
    "max_mu",
    "max_nu",
    "l2_mu",
    "l2_nu",
    "linf_mu",
    "linf_nu",
    "kl_mu",
    "kl_nu",
    "chi2_mu",
    "chi2_nu",
    "entropy_mu",
    "entropy_nu",
    "ni",
];

/// The columns of `metrics.csv`: [`COLUMNS`], then `w2lin_mu`, `w2lin_nu` when
/// the linearised W2 distances are measured.
pub fn columns(w2lin: bool) -> Vec<&'static str> {
    let mut c = COLUMNS.to_vec();
    if w2lin {
        c.extend(["w2lin_mu", "w2lin_nu"]);
    }
    c
}

/// The statistics of one player's density `rho` against its equilibrium `rho*`.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlayerStats {
    /// `int rho`.
    pub mass: f64,
    /// `min rho`.
    pub min: f64,
    /// `max rho`.
    pub max: f64,
    /// `-int rho log rho` (points with rho <= 0 contribute 0).
    pub entropy: f64,
    /// `(int (rho - rho*)^2)^(1/2)`.
    pub l2: f64,
    /// `max |rho - rho*|`.
    pub linf: f64,
    /// `KL(rho | rho*)`, in the Bregman form `int rho log(rho/rho*) - rho + rho*`.
    pub kl: f64,
    /// `int (rho - rho*)^2 / rho*`.
    pub chi2: f64,
    /// The linearised W2 distance `||rho - rho*||_{H^-1(rho*)}`, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w2lin: Option<f64>,
}

/// One row of metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricsRow {
    /// Simulated time.
    pub t: f64,
    /// The min player.
    pub mu: PlayerStats,
    /// The max player.
    pub nu: PlayerStats,
    /// Nikaido-Isoda error.
    pub ni: f64,
}

impl MetricsRow {
    /// The values in the order of [`columns`]`(w2lin measured)`.
    pub fn values(&self) -> Vec<f64> {
        let (m, n) = (&self.mu, &self.nu);
        let mut v = vec![
            self.t, m.mass, n.mass, m.min, n.min, m.max, n.max, m.l2, n.l2, m.linf, n.linf, m.kl,
            n.kl, m.chi2, n.chi2, m.entropy, n.entropy, self.ni,
        ];
        if let (Some(a), Some(b)) = (m.w2lin, n.w2lin) {
            v.extend([a, b]);
        }
        v
    }

    /// True when every value is finite.
    pub fn is_finite(&self) -> bool {
        self.values().iter().all(|v| v.is_finite())
    }
}

/// Kernels, buffers and bind groups of the metrics, built once per run.
#[derive(Debug)]
pub struct Metrics {
    params: Params,
    stats_kernel: Kernel,
    ni_kernel: Kernel,
    stats: Reducer,
    ni: Reducer,
    potential: PotentialEval,
    gibbs: GibbsEval,
    stats_bind: wgpu::BindGroup,
    ni_bind: wgpu::BindGroup,
    staging: wgpu::Buffer,
    groups: [u32; 3],
    /// The equilibrium log-densities (copied; the stats bind group reads them).
    _eq_logs: GpuField,
    /// Perturbation form: the kernel adding rho*^ to the deviation, its bind
    /// group, the full state it writes and its workgroup grid.
    full: Option<(Kernel, wgpu::BindGroup, GpuField, [u32; 3])>,
    /// The linearised W2 solver, when requested ([`Self::with_w2lin`]).
    w2lin: Option<W2lin>,
}

impl Metrics {
    /// Metrics of `stepper`'s state against the equilibrium log-densities
    /// `eq_logs` (`[log mu*, log nu*]`, two real fields; copied here).
    pub fn new(
        ctx: &GpuContext,
        stepper: &Stepper,
        ops: &SystemOperators,
        eq_logs: &GpuField,
    ) -> Result<Self> {
        let params = stepper.params.clone();
        let shape = params.shape;
        if eq_logs.shape != shape || eq_logs.batch != 2 || eq_logs.elem != Elem::Real {
            return Err(Error::Usage(format!(
                "equilibrium logs: expected two real fields of {shape}"
            )));
        }
        let device = &ctx.device;
        let ro = |i| storage(i, true);
        let rw = |i| storage(i, false);
        let pert = stepper.reference_state();
        let constants = [
            ("FIELD_LEN", shape.len() as f64),
            ("PERTURBATION", f64::from(u8::from(pert.is_some()))),
        ];
        let stats_kernel = Kernel::new(
            device,
            &shaders::FIELD_STATS,
            "main",
            &[ro(0), ro(1), rw(2)],
            &constants,
        )?;
        let ni_kernel = Kernel::new(
            device,
            &shaders::NI_TERMS,
            "main",
            &[ro(0), ro(1), rw(2), ro(3)],
            &constants,
        )?;
        let groups = elementwise_groups(shape.len() as u64);
        let leaf = groups[0] * groups[1];
        let mut stat_ops = Vec::new();
        for _ in 0..2 {
            stat_ops.extend([
                Op::Sum,
                Op::Min,
                Op::Max,
                Op::Sum,
                Op::Sum,
                Op::Max,
                Op::Sum,
                Op::Sum,
            ]);
        }
        let stats = Reducer::new(ctx, "metrics.stats", &stat_ops, leaf)?;
        let ni = Reducer::new(ctx, "metrics.ni", &[Op::Sum, Op::Sum], leaf)?;
        // The NI needs the potentials of the densities themselves: in the
        // perturbation form, of rho*^ + d^.
        let full = match pert {
            Some(eq_state) => {
                let count = 2 * shape.len() as u64;
                let add = Kernel::new(
                    device,
                    &shaders::ADD_STATE,
                    "main",
                    &[ro(0), ro(1), rw(2)],
                    &[("COUNT", count as f64)],
                )?;
                let out = GpuField::zeros(ctx, "metrics.full_state", shape, 2, Elem::Complex)?;
                let bind = add.bind(
                    device,
                    &[&eq_state.buffer, &stepper.state.buffer, &out.buffer],
                );
                Some((add, bind, out, elementwise_groups(count)))
            }
            None => None,
        };
        let state = full.as_ref().map_or(&stepper.state.buffer, |f| &f.2.buffer);
        let potential = PotentialEval::new(ctx, &params, ops, state)?;
        let gibbs = GibbsEval::new(ctx, &params, ops, &potential.output)?;

        let star = GpuField::zeros(ctx, "metrics.eq_logs", shape, 2, Elem::Real)?;
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&eq_logs.buffer, 0, &star.buffer, 0, star.bytes());
        ctx.queue.submit([encoder.finish()]);

        let dens = &stepper.densities_field().buffer;
        let stats_bind = stats_kernel.bind(device, &[dens, &star.buffer, &stats.partials]);
        let ni_bind = ni_kernel.bind(
            device,
            &[dens, &gibbs.output.buffer, &ni.partials, &star.buffer],
        );
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("metrics.staging"),
            size: 18 * 8,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(Metrics {
            params,
            stats_kernel,
            ni_kernel,
            stats,
            ni,
            potential,
            gibbs,
            stats_bind,
            ni_bind,
            staging,
            groups,
            _eq_logs: star,
            full,
            w2lin: None,
        })
    }

    /// Adds the linearised W2 distances to every measurement of `stepper` (the
    /// stepper given to [`Self::new`]); `eq_logs` are the host values of the
    /// equilibrium log-densities given there (`2 n` values, `log mu*` then
    /// `log nu*`).
    pub fn with_w2lin(
        mut self,
        ctx: &GpuContext,
        stepper: &Stepper,
        eq_logs: &[f32],
        opts: W2linOptions,
    ) -> Result<Self> {
        self.w2lin = Some(W2lin::new(
            ctx,
            &self.params,
            eq_logs,
            &stepper.densities_field().buffer,
            stepper.reference_state().is_some(),
            opts,
        )?);
        Ok(self)
    }

    /// Records the whole measurement of `stepper`'s current state, and the
    /// start of the linearised-W2 solve whose iterations [`Self::measure`] runs.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, stepper: &Stepper) {
        let g = self.groups;
        stepper.record_densities(pass);
        self.stats_kernel.dispatch(pass, &self.stats_bind, g);
        self.stats.record(pass);
        if let Some(w) = &self.w2lin {
            w.record_setup(pass);
        }
        if let Some((add, bind, _, groups)) = &self.full {
            add.dispatch(pass, bind, *groups);
        }
        self.potential.record(pass);
        self.gibbs.record(pass);
        self.ni_kernel.dispatch(pass, &self.ni_bind, g);
        self.ni.record(pass);
    }

    /// Measures `stepper`'s current state at time `t` (one small blocking readback).
    pub fn measure(&self, ctx: &GpuContext, stepper: &Stepper, t: f64) -> Result<MetricsRow> {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("metrics"),
            });
        self.record(
            &mut encoder.begin_compute_pass(&Default::default()),
            stepper,
        );
        encoder.copy_buffer_to_buffer(&self.stats.result, 0, &self.staging, 0, 16 * 8);
        encoder.copy_buffer_to_buffer(&self.ni.result, 0, &self.staging, 16 * 8, 2 * 8);
        ctx.queue.submit([encoder.finish()]);
        let raw = crate::gpu::field::read_mapped(ctx, &self.staging)?;
        let stats = finish(&self.stats.ops, &raw[..32]);
        let ni = finish(&self.ni.ops, &raw[32..]);
        let mut row = self.row(t, &stats, &ni);
        if let Some(w) = &self.w2lin {
            let d = w.solve(ctx)?.distance;
            row.mu.w2lin = Some(d[0]);
            row.nu.w2lin = Some(d[1]);
        }
        Ok(row)
    }

    fn row(&self, t: f64, s: &[f64], ni: &[f64]) -> MetricsRow {
        let cell = self.params.cell();
        let player = |o: usize| PlayerStats {
            mass: cell * s[o],
            min: s[o + 1],
            max: s[o + 2],
            entropy: cell * s[o + 3],
            l2: (cell * s[o + 4]).max(0.0).sqrt(),
            linf: s[o + 5],
            kl: cell * s[o + 6],
            chi2: cell * s[o + 7],
            w2lin: None,
        };
        MetricsRow {
            t,
            mu: player(0),
            nu: player(8),
            ni: self.params.tau * cell * (ni[0] + ni[1]),
        }
    }
}
