//! The time stepper: state, stage buffers and bind groups made once, and a
//! `record_step` that only records (MFLDA.md section 3).

use std::sync::Arc;

use crate::dynamics::etd::EtdKernels;
use crate::dynamics::rhs::{Rhs, RhsBinding};
use crate::dynamics::{Operators, Params, Scheme};
use crate::fft::{Direction, FftPlan, PairOp, RealPair};
use crate::gpu::{field::read_buffer, Elem, GpuContext, GpuField};
use crate::{Error, Result};

/// Advances the spectra `[mu^, nu^]` of both players together.
#[derive(Debug)]
pub struct Stepper {
    /// The parameters the kernels were built for.
    pub params: Params,
    /// The state: spectra `[mu^, nu^]`, two complex fields.
    pub state: GpuField,
    /// The payoff operators (shared with the equilibrium solver).
    pub ops: Arc<Operators>,
    rhs: Rhs,
    etd: EtdKernels,
    /// Stage buffers `a`, `b`/`c` (kept alive for the bind groups).
    _stages: [GpuField; 2],
    nonlin: [GpuField; 3],
    rhs_u: RhsBinding,
    rhs_a: RhsBinding,
    rhs_bc: RhsBinding,
    combos: Vec<wgpu::BindGroup>,
    plan1: Arc<FftPlan>,
    pair1: RealPair,
}

impl Stepper {
    /// Builds everything a step needs: the right-hand side, ETD kernels, and all
    /// buffers and bind groups.
    pub fn new(ctx: &GpuContext, params: &Params, ops: Arc<Operators>) -> Result<Self> {
        let shape = params.shape;
        let plan1 = Arc::new(FftPlan::new(ctx, shape, 1)?);
        let plan2 = Arc::new(FftPlan::new(ctx, shape, 2)?);
        let rhs = Rhs::new(ctx, params, &ops, plan1.clone(), plan2)?;
        let etd = EtdKernels::new(ctx, params)?;
        let field = |label| GpuField::zeros(ctx, label, shape, 2, Elem::Complex);
        let state = field("state")?;
        let stage_a = field("stage.a")?;
        let stage_bc = field("stage.bc")?;
        let nonlin = [field("nonlin.0")?, field("nonlin.1")?, field("nonlin.2")?];
        let rhs_u = rhs.bind(ctx, &ops, &state, &nonlin[0])?;
        let rhs_a = rhs.bind(ctx, &ops, &stage_a, &nonlin[1])?;
        let rhs_bc = rhs.bind(ctx, &ops, &stage_bc, &nonlin[2])?;
        let d = &ctx.device;
        let [n0, n1, n2] = [&nonlin[0].buffer, &nonlin[1].buffer, &nonlin[2].buffer];
        let (u, a, bc) = (&state.buffer, &stage_a.buffer, &stage_bc.buffer);
        let combos = match params.scheme {
            Scheme::Etdrk4 => vec![
                etd.predict_half.bind(d, &[u, n0, a]),
                etd.predict_half.bind(d, &[u, n1, bc]),
                etd.rk4_c.bind(d, &[a, n0, n2, n1, bc]),
                etd.rk4_finish.bind(d, &[u, n0, n1, n2]),
            ],
            Scheme::Etdrk2 => vec![
                etd.predict_full.bind(d, &[u, n0, a]),
                etd.rk2_finish.bind(d, &[u, a, n0, n1]),
            ],
        };
        let pair1 = RealPair::new(ctx, shape, 1)?;
        Ok(Stepper {
            params: params.clone(),
            state,
            ops,
            rhs,
            etd,
            _stages: [stage_a, stage_bc],
            nonlin,
            rhs_u,
            rhs_a,
            rhs_bc,
            combos,
            plan1,
            pair1,
        })
    }

    /// Records one time step into `pass` (no allocation, no readback).
    pub fn record_step(&self, pass: &mut wgpu::ComputePass<'_>) {
        let e = &self.etd;
        let g = e.groups;
        match self.params.scheme {
            Scheme::Etdrk4 => {
                self.rhs.record(pass, &self.rhs_u);
                e.predict_half.dispatch(pass, &self.combos[0], g);
                self.rhs.record(pass, &self.rhs_a);
                e.predict_half.dispatch(pass, &self.combos[1], g);
                self.rhs.record(pass, &self.rhs_bc);
                e.rk4_c.dispatch(pass, &self.combos[2], g);
                self.rhs.record(pass, &self.rhs_bc);
                e.rk4_finish.dispatch(pass, &self.combos[3], g);
            }
            Scheme::Etdrk2 => {
                self.rhs.record(pass, &self.rhs_u);
                e.predict_full.dispatch(pass, &self.combos[0], g);
                self.rhs.record(pass, &self.rhs_a);
                e.rk2_finish.dispatch(pass, &self.combos[1], g);
            }
        }
    }

    /// Bytes one step moves through global memory: the right-hand sides plus the
    /// ETD combinations (per point of both fields: predictor 48 B, ETDRK4 stage c
    /// 96 B, ETDRK4 finish 80 B, ETDRK2 finish 80 B).
    pub fn bytes_moved(&self) -> u64 {
        let points = self.params.shape.len() as u64;
        let rhs = self.rhs.bytes_moved();
        match self.params.scheme {
            Scheme::Etdrk4 => 4 * rhs + (2 * 48 + 96 + 80) * points,
            Scheme::Etdrk2 => 2 * rhs + (48 + 80) * points,
        }
    }

    /// Submits `steps` steps in one command buffer and one compute pass.
    pub fn advance(&self, ctx: &GpuContext, steps: u32) {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("steps"),
            });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("steps"),
                timestamp_writes: None,
            });
            for _ in 0..steps {
                self.record_step(&mut pass);
            }
        }
        ctx.queue.submit([encoder.finish()]);
    }

    /// Records the evaluation of the nonlinear terms at the current state into
    /// `nonlin[0]` (for tests and diagnostics).
    pub fn record_rhs(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.rhs.record(pass, &self.rhs_u);
    }

    /// Reads the last nonlinear term `[N_mu^, N_nu^]` written by
    /// [`Self::record_rhs`], as interleaved complex pairs.
    pub fn read_rhs(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        self.nonlin[0].read(ctx)
    }

    /// Records the densities on the grid into the right-hand side's work field:
    /// afterwards [`Self::densities_field`] holds `mu + i nu` at every point.
    pub fn record_densities(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.rhs.record_densities(pass, &self.rhs_u);
    }

    /// The work field holding `mu + i nu` after [`Self::record_densities`].
    pub fn densities_field(&self) -> &GpuField {
        self.rhs.densities()
    }

    /// The densities `(mu, nu)` on the grid, row-major (blocking readback).
    pub fn densities(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record_densities(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let f = self.densities_field();
        let z = read_buffer(ctx, &f.buffer, f.bytes())?;
        Ok((
            z.iter().step_by(2).copied().collect(),
            z.iter().skip(1).step_by(2).copied().collect(),
        ))
    }

    /// Sets the state from densities on the grid (row-major, one value per
    /// point each): `[mu^, nu^] = FFT` of them, exactly Hermitian.
    pub fn set_densities(&self, ctx: &GpuContext, mu: &[f32], nu: &[f32]) -> Result<()> {
        let shape = self.params.shape;
        if mu.len() != shape.len() || nu.len() != shape.len() {
            return Err(Error::Shape(format!(
                "densities of {} and {} points for a grid of {}",
                mu.len(),
                nu.len(),
                shape.len()
            )));
        }
        let a = GpuField::from_data(ctx, "init.mu", shape, 1, Elem::Real, mu)?;
        let b = GpuField::from_data(ctx, "init.nu", shape, 1, Elem::Real, nu)?;
        let z = GpuField::zeros(ctx, "init.packed", shape, 1, Elem::Complex)?;
        let sa = GpuField::zeros(ctx, "init.spec_mu", shape, 1, Elem::Complex)?;
        let sb = GpuField::zeros(ctx, "init.spec_nu", shape, 1, Elem::Complex)?;
        let pack = self.pair1.bind(ctx, PairOp::Pack, [&a, &b, &z])?;
        let split = self.pair1.bind(ctx, PairOp::Split, [&z, &sa, &sb])?;
        let fft = self.plan1.bind(ctx, &z)?;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            self.pair1.record(&mut pass, &pack);
            self.plan1.record(&mut pass, &fft, Direction::Forward);
            self.pair1.record(&mut pass, &split);
        }
        let bytes = sa.bytes();
        encoder.copy_buffer_to_buffer(&sa.buffer, 0, &self.state.buffer, 0, bytes);
        encoder.copy_buffer_to_buffer(&sb.buffer, 0, &self.state.buffer, bytes, bytes);
        ctx.queue.submit([encoder.finish()]);
        ctx.wait()
    }

    /// The raw state `[mu^, nu^]` as interleaved complex pairs (blocking).
    pub fn read_state(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        self.state.read(ctx)
    }

    /// Overwrites the raw state (interleaved complex pairs, two fields).
    pub fn write_state(&self, ctx: &GpuContext, data: &[f32]) -> Result<()> {
        self.state.write(ctx, data)
    }
}
