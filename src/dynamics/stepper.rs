//! The time stepper: state, stage buffers and bind groups made once, and a
//! `record_step` that only records (docs/MATHEMATICS.md section 3).

use std::sync::Arc;

use crate::dynamics::etd::EtdKernels;
use crate::dynamics::rhs::{Rhs, RhsBinding};
use crate::dynamics::{Operators, Params, Scheme};
use crate::fft::{Direction, FftPlan, PairOp, RealPair};
use crate::gpu::groups::{GroupRecorder, InPass, Label, Listing};
use crate::gpu::{field::read_buffer, Elem, GpuContext, GpuField, Kernel};
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
    /// The perturbation form's equilibrium (None in the absolute form).
    reference: Option<Reference>,
}

/// The equilibrium the perturbation form's state deviates from.
#[derive(Debug)]
struct Reference {
    /// Its spectra `[mu*^, nu*^]`.
    state: GpuField,
    /// `mu*`, `nu*` on the grid (host copies).
    mu: Vec<f32>,
    nu: Vec<f32>,
}

impl Stepper {
    /// Builds everything a step needs: the right-hand side, ETD kernels, and all
    /// buffers and bind groups. The state holds the densities' spectra.
    pub fn new(ctx: &GpuContext, params: &Params, ops: Arc<Operators>) -> Result<Self> {
        Self::build(ctx, params, ops, None)
    }

    /// The perturbation form: the state holds the spectra of the deviation
    /// `(mu - mu*, nu - nu*)` from the equilibrium `(mu*, nu*)` (on the grid,
    /// row-major), and the fluxes are expanded about it (`flux_pert.wgsl`), so
    /// the deviation keeps f32 relative precision as it decays. Densities in
    /// and out ([`Self::set_densities`], [`Self::densities`]) stay densities.
    pub fn new_perturbation(
        ctx: &GpuContext,
        params: &Params,
        ops: Arc<Operators>,
        mu_star: &[f32],
        nu_star: &[f32],
    ) -> Result<Self> {
        Self::build(ctx, params, ops, Some((mu_star, nu_star)))
    }

    fn build(
        ctx: &GpuContext,
        params: &Params,
        ops: Arc<Operators>,
        eq: Option<(&[f32], &[f32])>,
    ) -> Result<Self> {
        let shape = params.shape;
        let plan1 = Arc::new(FftPlan::new(ctx, shape, 1)?);
        let plan2 = Arc::new(FftPlan::new(ctx, shape, 2)?);
        let rhs = Rhs::new(ctx, params, &ops, plan1.clone(), plan2, eq.is_some())?;
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
        let reference = match eq {
            Some((mu, nu)) => {
                let eq_state = field("reference.state")?;
                spectra_into(ctx, &pair1, &plan1, mu, nu, &eq_state)?;
                rhs.set_reference(ctx, &ops, &eq_state)?;
                Some(Reference {
                    state: eq_state,
                    mu: mu.to_vec(),
                    nu: nu.to_vec(),
                })
            }
            None => None,
        };
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
            reference,
        })
    }

    /// True in the perturbation form.
    pub fn is_perturbation(&self) -> bool {
        self.reference.is_some()
    }

    /// In the perturbation form, the equilibrium's spectra `[mu*^, nu*^]`.
    pub fn reference_state(&self) -> Option<&GpuField> {
        self.reference.as_ref().map(|r| &r.state)
    }

    /// Records one time step into `pass` (no allocation, no readback).
    pub fn record_step(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.record_step_groups(&mut InPass(pass));
    }

    /// Records one time step as labelled groups: the right-hand sides' groups
    /// (`rhs.*`, see [`Rhs::record_groups`]) and the ETD combinations (`etd.*`),
    /// with the bytes each moves. Per point of both fields: predictor 48 B (u
    /// and N in, stage out), ETDRK4 stage c 96 B (a, N(u), N(a) and N(b) in,
    /// N(a) + N(b) and c out), ETDRK4 and ETDRK2 finish 80 B (u and three
    /// nonlinear terms in, u out). Into one pass this is [`Self::record_step`].
    pub fn record_step_groups(&self, rec: &mut dyn GroupRecorder) {
        let e = &self.etd;
        let g = e.groups;
        let points = self.params.shape.len() as u64;
        let combo = |rec: &mut dyn GroupRecorder, label, bytes, kernel: &Kernel, bind| {
            rec.group(Label::new(label), bytes * points, &mut |pass| {
                kernel.dispatch(pass, bind, g)
            })
        };
        match self.params.scheme {
            Scheme::Etdrk4 => {
                self.rhs.record_groups(rec, &self.rhs_u);
                combo(rec, "etd.predict", 48, &e.predict_half, &self.combos[0]);
                self.rhs.record_groups(rec, &self.rhs_a);
                combo(rec, "etd.predict", 48, &e.predict_half, &self.combos[1]);
                self.rhs.record_groups(rec, &self.rhs_bc);
                combo(rec, "etd.rk4_c", 96, &e.rk4_c, &self.combos[2]);
                self.rhs.record_groups(rec, &self.rhs_bc);
                combo(rec, "etd.rk4_finish", 80, &e.rk4_finish, &self.combos[3]);
            }
            Scheme::Etdrk2 => {
                self.rhs.record_groups(rec, &self.rhs_u);
                combo(rec, "etd.predict", 48, &e.predict_full, &self.combos[0]);
                self.rhs.record_groups(rec, &self.rhs_a);
                combo(rec, "etd.rk2_finish", 80, &e.rk2_finish, &self.combos[1]);
            }
        }
    }

    /// Bytes one step moves through global memory: the sum over the groups of
    /// [`Self::record_step_groups`].
    pub fn bytes_moved(&self) -> u64 {
        Listing::of(|rec| self.record_step_groups(rec)).bytes()
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
        let (mut mu, mut nu) = self.grid_fields(ctx)?;
        if let Some(r) = &self.reference {
            mu.iter_mut().zip(&r.mu).for_each(|(d, s)| *d += s);
            nu.iter_mut().zip(&r.nu).for_each(|(d, s)| *d += s);
        }
        Ok((mu, nu))
    }

    /// Sets the state from densities on the grid (row-major, one value per
    /// point each): `[mu^, nu^] = FFT` of them (of their deviations from the
    /// equilibrium in the perturbation form), exactly Hermitian.
    pub fn set_densities(&self, ctx: &GpuContext, mu: &[f32], nu: &[f32]) -> Result<()> {
        match &self.reference {
            Some(r) => {
                let dev = |a: &[f32], b: &[f32]| {
                    a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<f32>>()
                };
                if mu.len() != r.mu.len() || nu.len() != r.nu.len() {
                    return Err(Error::Usage(
                        "densities and equilibrium differ in size".into(),
                    ));
                }
                self.set_deviation(ctx, &dev(mu, &r.mu), &dev(nu, &r.nu))
            }
            None => spectra_into(ctx, &self.pair1, &self.plan1, mu, nu, &self.state),
        }
    }

    /// Perturbation form: sets the deviation `(d_mu, d_nu)` on the grid directly
    /// (its mean removed: deviations between unit masses have none), without
    /// passing through `rho* + d`, which would round a tiny `d` away.
    pub fn set_deviation(&self, ctx: &GpuContext, d_mu: &[f32], d_nu: &[f32]) -> Result<()> {
        if self.reference.is_none() {
            return Err(Error::Usage(
                "set_deviation needs the perturbation form".into(),
            ));
        }
        spectra_into(ctx, &self.pair1, &self.plan1, d_mu, d_nu, &self.state)?;
        // Mass is conserved, so a mass mismatch of round-off size between the
        // densities and the equilibrium would never decay and would set a floor
        // under the deviation: both have unit mass, so the deviation's mean
        // (mode 0) is exactly zero.
        let field = self.state.bytes() / 2;
        for offset in [0, field] {
            ctx.queue.write_buffer(
                &self.state.buffer,
                offset,
                bytemuck::cast_slice(&[0.0f32; 2]),
            );
        }
        ctx.wait()
    }

    /// Perturbation form: the deviation `(d_mu, d_nu)` on the grid (blocking).
    pub fn deviation(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        if self.reference.is_none() {
            return Err(Error::Usage("deviation needs the perturbation form".into()));
        }
        self.grid_fields(ctx)
    }

    /// The state's two fields on the grid (densities, or deviations in the
    /// perturbation form), read back (blocking).
    fn grid_fields(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
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

    /// The raw state `[mu^, nu^]` as interleaved complex pairs (blocking).
    pub fn read_state(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        self.state.read(ctx)
    }

    /// Overwrites the raw state (interleaved complex pairs, two fields).
    pub fn write_state(&self, ctx: &GpuContext, data: &[f32]) -> Result<()> {
        self.state.write(ctx, data)
    }
}

/// Writes the spectra `[FFT(a), FFT(b)]` of two real fields into `out` (two
/// complex fields) by one packed transform; the split makes them exactly
/// Hermitian. Setup work: it allocates.
fn spectra_into(
    ctx: &GpuContext,
    pair: &RealPair,
    plan: &FftPlan,
    a: &[f32],
    b: &[f32],
    out: &GpuField,
) -> Result<()> {
    let shape = pair.shape;
    if a.len() != shape.len() || b.len() != shape.len() {
        return Err(Error::Usage(format!(
            "densities of {} and {} points for a grid of {}",
            a.len(),
            b.len(),
            shape.len()
        )));
    }
    let ra = GpuField::from_data(ctx, "spectra.a", shape, 1, Elem::Real, a)?;
    let rb = GpuField::from_data(ctx, "spectra.b", shape, 1, Elem::Real, b)?;
    let z = GpuField::zeros(ctx, "spectra.packed", shape, 1, Elem::Complex)?;
    let sa = GpuField::zeros(ctx, "spectra.split_a", shape, 1, Elem::Complex)?;
    let sb = GpuField::zeros(ctx, "spectra.split_b", shape, 1, Elem::Complex)?;
    let pack = pair.bind(ctx, PairOp::Pack, [&ra, &rb, &z])?;
    let split = pair.bind(ctx, PairOp::Split, [&z, &sa, &sb])?;
    let fft = plan.bind(ctx, &z)?;
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pair.record(&mut pass, &pack);
        plan.record(&mut pass, &fft, Direction::Forward);
        pair.record(&mut pass, &split);
    }
    let bytes = sa.bytes();
    encoder.copy_buffer_to_buffer(&sa.buffer, 0, &out.buffer, 0, bytes);
    encoder.copy_buffer_to_buffer(&sb.buffer, 0, &out.buffer, bytes, bytes);
    ctx.queue.submit([encoder.finish()]);
    ctx.wait()
}
