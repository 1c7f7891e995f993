//! The time stepper: state, stage buffers and bind groups made once, and a
//! `record_step` that only records (docs/MATHEMATICS.md section 3).

use std::sync::Arc;

use crate::dynamics::etd::EtdKernels;
use crate::dynamics::fused_etd::{Combination, DivergencePasses};
use crate::dynamics::rhs::{Rhs, RhsBinding, RhsPath};
use crate::dynamics::{Params, Scheme};
use crate::fft::FftPlan;
use crate::gpu::groups::{GroupRecorder, InPass, Label, Listing};
use crate::gpu::{field::read_buffer_async, Elem, GpuContext, GpuField, Kernel};
use crate::system::operators::real_spectra_into;
use crate::system::SystemOperators;
use crate::{Error, Result};

/// Advances the spectra `[rho_s^]` of every species of a system together
/// (for the game, `[mu^, nu^]`).
#[derive(Debug)]
pub struct Stepper {
    /// The parameters the kernels were built for.
    pub params: Params,
    /// The state: spectra `[rho_s^]`, S complex fields.
    pub state: GpuField,
    /// The system's operators (shared with the equilibrium solver).
    pub ops: Arc<SystemOperators>,
    rhs: Rhs,
    etd: EtdKernels,
    /// Stage buffers `a`, `b`/`c` (kept alive for the bind groups).
    _stages: [GpuField; 2],
    nonlin: [GpuField; 3],
    rhs_u: RhsBinding,
    rhs_a: RhsBinding,
    rhs_bc: RhsBinding,
    combos: Vec<wgpu::BindGroup>,
    /// The fused divergence passes, one per stage (the fused path on 2D
    /// grids; None: the plain column pass, divergence and combinations).
    divergence: Option<DivergencePasses>,
    /// The perturbation form's stationary state (None in the absolute form).
    reference: Option<Reference>,
}

/// The stationary state the perturbation form's state deviates from.
#[derive(Debug)]
struct Reference {
    /// Its spectra `[rho_s*^]`.
    state: GpuField,
    /// `rho_s*` on the grid (host copies).
    stars: Vec<Vec<f32>>,
}

impl Stepper {
    /// Builds everything a step needs: the right-hand side, ETD kernels, and all
    /// buffers and bind groups. The state holds the densities' spectra.
    pub fn new(ctx: &GpuContext, params: &Params, ops: Arc<SystemOperators>) -> Result<Self> {
        Self::with_path(ctx, params, ops, None, RhsPath::default())
    }

    /// The perturbation form: the state holds the spectra of the deviation
    /// `rho_s - rho_s*` from the stationary state `rho*` (`stars`, one grid
    /// per species, row-major), and the fluxes are expanded about it
    /// (`flux_pert.wgsl`), so the deviation keeps f32 relative precision as
    /// it decays. Densities in and out ([`Self::set_species_densities`],
    /// [`Self::species_densities`]) stay densities.
    pub fn new_perturbation(
        ctx: &GpuContext,
        params: &Params,
        ops: Arc<SystemOperators>,
        stars: &[&[f32]],
    ) -> Result<Self> {
        Self::with_path(ctx, params, ops, Some(stars), RhsPath::default())
    }

    /// [`Self::new`] (`stars` None) or [`Self::new_perturbation`] with the
    /// right-hand side evaluated along `path` (the unfused path is the
    /// reference the fused one is tested and benchmarked against).
    pub fn with_path(
        ctx: &GpuContext,
        params: &Params,
        ops: Arc<SystemOperators>,
        eq: Option<&[&[f32]]>,
        path: RhsPath,
    ) -> Result<Self> {
        let shape = params.shape;
        let species = ops.species() as u32;
        let pairs = ops.pairs() as u32;
        let plan_pairs = Arc::new(FftPlan::new(ctx, shape, pairs)?);
        let plan_species = if species == pairs {
            plan_pairs.clone()
        } else {
            Arc::new(FftPlan::new(ctx, shape, species)?)
        };
        let rhs = Rhs::new(
            ctx,
            params,
            &ops,
            plan_pairs,
            plan_species,
            eq.is_some(),
            path,
        )?;
        let etd = EtdKernels::new(ctx, params, &ops)?;
        let field = |label| GpuField::zeros(ctx, label, shape, species, Elem::Complex);
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
        let stages = match params.scheme {
            Scheme::Etdrk4 => vec![
                (Combination::Predict { half: true }, vec![u, n0, a]),
                (Combination::Predict { half: true }, vec![u, n1, bc]),
                (Combination::Rk4C, vec![a, n0, n1, bc]),
                (Combination::Rk4Finish, vec![u, n0, n1]),
            ],
            Scheme::Etdrk2 => vec![
                (Combination::Predict { half: false }, vec![u, n0, a]),
                (Combination::Rk2Finish, vec![u, a, n0]),
            ],
        };
        let divergence = if rhs.is_fused() {
            let flux = rhs.flux_field();
            DivergencePasses::new(ctx, params, &ops, rhs.plan_species(), flux, &stages)?
        } else {
            None
        };
        let reference = match eq {
            Some(stars) => {
                check_species(stars.len(), species as usize)?;
                let eq_state = field("reference.state")?;
                real_spectra_into(ctx, shape, stars, &eq_state.buffer, 0)?;
                rhs.set_reference(ctx, &ops, &eq_state)?;
                Some(Reference {
                    state: eq_state,
                    stars: stars.iter().map(|s| s.to_vec()).collect(),
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
            divergence,
            reference,
        })
    }

    /// True when the right-hand side runs the fused passes.
    pub fn is_fused(&self) -> bool {
        self.rhs.is_fused()
    }

    /// Number of species S.
    pub fn species(&self) -> usize {
        self.ops.species()
    }

    /// True in the perturbation form.
    pub fn is_perturbation(&self) -> bool {
        self.reference.is_some()
    }

    /// In the perturbation form, the stationary state's spectra `[rho_s*^]`.
    pub fn reference_state(&self) -> Option<&GpuField> {
        self.reference.as_ref().map(|r| &r.state)
    }

    /// Records one time step into `pass` (no allocation, no readback).
    pub fn record_step(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.record_step_groups(&mut InPass(pass));
    }

    /// Records one time step as labelled groups: the right-hand sides' groups
    /// (`rhs.*`, see [`Rhs::record_groups`]) and the ETD combinations (`etd.*`),
    /// with the bytes each moves. Per point of each species' field:
    /// predictor 24 B (u and N in, stage out), ETDRK4 stage c 48 B (a, N(u),
    /// N(a) and N(b) in, N(a) + N(b) and c out), ETDRK4 finish 40 B (u and
    /// three nonlinear terms in, u out), ETDRK2 finish 32 B (a, N(u) and
    /// N(a) in, u out). Into one pass this is
    /// [`Self::record_step`]. Where the fused divergence passes apply, each
    /// right-hand side's groups up to its fluxes
    /// ([`Rhs::record_flux_groups`]) and then its stage's divergence pass
    /// ([`DivergencePasses::record`]).
    pub fn record_step_groups(&self, rec: &mut dyn GroupRecorder) {
        if let Some(d) = &self.divergence {
            let inputs = match self.params.scheme {
                Scheme::Etdrk4 => vec![&self.rhs_u, &self.rhs_a, &self.rhs_bc, &self.rhs_bc],
                Scheme::Etdrk2 => vec![&self.rhs_u, &self.rhs_a],
            };
            for (i, b) in inputs.into_iter().enumerate() {
                self.rhs.record_flux_groups(rec, b);
                d.record(rec, i);
            }
            return;
        }
        let e = &self.etd;
        let g = e.groups;
        // Points of all S fields: the counts below are per element.
        let points = self.params.shape.len() as u64 * self.species() as u64;
        let combo = |rec: &mut dyn GroupRecorder, label, bytes, kernel: &Kernel, bind| {
            rec.group(Label::new(label), bytes * points, &mut |pass| {
                kernel.dispatch(pass, bind, g)
            })
        };
        match self.params.scheme {
            Scheme::Etdrk4 => {
                self.rhs.record_groups(rec, &self.rhs_u);
                combo(rec, "etd.predict", 24, &e.predict_half, &self.combos[0]);
                self.rhs.record_groups(rec, &self.rhs_a);
                combo(rec, "etd.predict", 24, &e.predict_half, &self.combos[1]);
                self.rhs.record_groups(rec, &self.rhs_bc);
                combo(rec, "etd.rk4_c", 48, &e.rk4_c, &self.combos[2]);
                self.rhs.record_groups(rec, &self.rhs_bc);
                combo(rec, "etd.rk4_finish", 40, &e.rk4_finish, &self.combos[3]);
            }
            Scheme::Etdrk2 => {
                self.rhs.record_groups(rec, &self.rhs_u);
                combo(rec, "etd.predict", 24, &e.predict_full, &self.combos[0]);
                self.rhs.record_groups(rec, &self.rhs_a);
                combo(rec, "etd.rk2_finish", 32, &e.rk2_finish, &self.combos[1]);
            }
        }
    }

    /// Bytes one step moves through global memory: the sum over the groups of
    /// [`Self::record_step_groups`].
    pub fn bytes_moved(&self) -> u64 {
        Listing::of(|rec| self.record_step_groups(rec)).bytes()
    }

    /// Kernel dispatches one step records: one per group of
    /// [`Self::record_step_groups`].
    pub fn dispatches_per_step(&self) -> usize {
        Listing::of(|rec| self.record_step_groups(rec)).groups.len()
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

    /// Reads the last nonlinear term `[N_s^]` written by
    /// [`Self::record_rhs`], as interleaved complex pairs.
    pub fn read_rhs(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        self.nonlin[0].read(ctx)
    }

    /// Records the densities on the grid into the right-hand side's work field:
    /// afterwards [`Self::densities_field`] holds `rho_2q + i rho_2q+1` at
    /// every point (for the game, `mu + i nu`).
    pub fn record_densities(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.rhs.record_densities(pass, &self.rhs_u);
    }

    /// The work field holding the packed densities after [`Self::record_densities`].
    pub fn densities_field(&self) -> &GpuField {
        self.rhs.densities()
    }

    /// The densities of every species on the grid, row-major (blocking readback).
    pub fn species_densities(&self, ctx: &GpuContext) -> Result<Vec<Vec<f32>>> {
        crate::gpu::block(self.species_densities_async(ctx))
    }

    /// [`Self::species_densities`] as a future: what a browser awaits.
    pub async fn species_densities_async(&self, ctx: &GpuContext) -> Result<Vec<Vec<f32>>> {
        let mut fields = self.grid_fields(ctx).await?;
        if let Some(r) = &self.reference {
            for (f, star) in fields.iter_mut().zip(&r.stars) {
                f.iter_mut().zip(star).for_each(|(d, s)| *d += s);
            }
        }
        Ok(fields)
    }

    /// The two players' densities `(mu, nu)` of a two-species system.
    pub fn densities(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        two(self.species_densities(ctx)?)
    }

    /// Sets the state from densities on the grid (one row-major grid per
    /// species): `[rho_s^] = FFT` of them (of their deviations from the
    /// stationary state in the perturbation form), exactly Hermitian.
    pub fn set_species_densities(&self, ctx: &GpuContext, rho: &[&[f32]]) -> Result<()> {
        check_species(rho.len(), self.species())?;
        match &self.reference {
            Some(r) => {
                let dev: Vec<Vec<f32>> = rho
                    .iter()
                    .zip(&r.stars)
                    .map(|(a, b)| {
                        if a.len() != b.len() {
                            return Err(Error::Usage(
                                "densities and stationary state differ in size".into(),
                            ));
                        }
                        Ok(a.iter().zip(b).map(|(x, y)| x - y).collect())
                    })
                    .collect::<Result<_>>()?;
                let refs: Vec<&[f32]> = dev.iter().map(|v| v.as_slice()).collect();
                self.set_species_deviation(ctx, &refs)
            }
            None => real_spectra_into(ctx, self.params.shape, rho, &self.state.buffer, 0),
        }
    }

    /// [`Self::set_species_densities`] of a two-species system.
    pub fn set_densities(&self, ctx: &GpuContext, mu: &[f32], nu: &[f32]) -> Result<()> {
        self.set_species_densities(ctx, &[mu, nu])
    }

    /// Perturbation form: sets the deviation `d_s` of every species on the
    /// grid directly (its mean removed: deviations between unit masses have
    /// none), without passing through `rho* + d`, which would round a tiny `d`
    /// away.
    pub fn set_species_deviation(&self, ctx: &GpuContext, d: &[&[f32]]) -> Result<()> {
        if self.reference.is_none() {
            return Err(Error::Usage(
                "set_deviation needs the perturbation form".into(),
            ));
        }
        check_species(d.len(), self.species())?;
        real_spectra_into(ctx, self.params.shape, d, &self.state.buffer, 0)?;
        // Mass is conserved, so a mass mismatch of round-off size between the
        // densities and the stationary state would never decay and would set
        // a floor under the deviation: both have unit mass, so the deviation's
        // mean (mode 0) is exactly zero.
        let field = self.state.bytes() / self.species() as u64;
        for s in 0..self.species() as u64 {
            ctx.queue.write_buffer(
                &self.state.buffer,
                s * field,
                bytemuck::cast_slice(&[0.0f32; 2]),
            );
        }
        ctx.wait()
    }

    /// [`Self::set_species_deviation`] of a two-species system.
    pub fn set_deviation(&self, ctx: &GpuContext, d_mu: &[f32], d_nu: &[f32]) -> Result<()> {
        self.set_species_deviation(ctx, &[d_mu, d_nu])
    }

    /// Perturbation form: the deviation of every species on the grid (blocking).
    pub fn species_deviation(&self, ctx: &GpuContext) -> Result<Vec<Vec<f32>>> {
        if self.reference.is_none() {
            return Err(Error::Usage("deviation needs the perturbation form".into()));
        }
        crate::gpu::block(self.grid_fields(ctx))
    }

    /// Perturbation form: the deviation `(d_mu, d_nu)` of a two-species
    /// system on the grid (blocking).
    pub fn deviation(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        if self.reference.is_none() {
            return Err(Error::Usage("deviation needs the perturbation form".into()));
        }
        two(crate::gpu::block(self.grid_fields(ctx))?)
    }

    /// The state's fields on the grid (densities, or deviations in the
    /// perturbation form), read back (blocking).
    async fn grid_fields(&self, ctx: &GpuContext) -> Result<Vec<Vec<f32>>> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record_densities(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let f = self.densities_field();
        let z = read_buffer_async(ctx, &f.buffer, f.bytes()).await?;
        let n = self.params.shape.len();
        Ok((0..self.species())
            .map(|s| {
                let pair = &z[2 * n * (s / 2)..2 * n * (s / 2 + 1)];
                pair.iter().skip(s % 2).step_by(2).copied().collect()
            })
            .collect())
    }

    /// The raw state `[rho_s^]` as interleaved complex pairs (blocking).
    pub fn read_state(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        self.state.read(ctx)
    }

    /// Overwrites the raw state (interleaved complex pairs, S fields).
    pub fn write_state(&self, ctx: &GpuContext, data: &[f32]) -> Result<()> {
        self.state.write(ctx, data)
    }
}

fn check_species(given: usize, species: usize) -> Result<()> {
    if given != species {
        return Err(Error::Usage(format!(
            "{given} density fields for a system of {species} species"
        )));
    }
    Ok(())
}

/// The two fields of a two-species system.
fn two(mut fields: Vec<Vec<f32>>) -> Result<(Vec<f32>, Vec<f32>)> {
    if fields.len() != 2 {
        return Err(Error::Usage(format!(
            "a pair of densities asked of a system of {} species",
            fields.len()
        )));
    }
    let nu = fields.pop().unwrap_or_default();
    let mu = fields.pop().unwrap_or_default();
    Ok((mu, nu))
}
