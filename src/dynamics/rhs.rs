//! The nonlinear part of the right-hand side of a species system,
//! pseudo-spectrally (docs/MATHEMATICS.md sections 3 and 8), for a state held
//! as spectra `[rho_s^]` (S complex fields):
//!
//! 1. `band`: the band-limited terms on their mode boxes;
//! 2. `potentials`: `(i kx - ky) Phi_s^` for every species and the densities
//!    packed two at a time, `rho_2q^ + i rho_2q+1^`;
//! 3. inverse FFTs: `grad Phi_s` (packed `x + i y`) and the densities on the grid;
//! 4. `flux`: `rho_s grad Phi_s`, packed `fx + i fy`;
//! 5. forward FFT of the fluxes;
//! 6. `divergence`: `N_s^ = eta_s i kappa . F_s^` (optionally 2/3-masked).
//!
//! Two real fields share each complex transform, so a right-hand side costs
//! `2 S + ceil(S / 2)` complex transforms of one grid (five for two species).
//! With `time.fisher_rao > 0` the Fisher-Rao term ([`FisherRao`]) joins in
//! (two more for two species).
//!
//! [`RhsPath::Fused`] (the default where it applies) does steps 2-5 in
//! fewer passes ([`FusedPasses`]): the same terms, without writing the
//! gradient spectra or any grid value to global memory; in a time step the
//! last transform and the divergence then join the ETD combination
//! ([`crate::dynamics::fused_etd`]).

use std::sync::Arc;

use crate::dynamics::fisher_rao::{FisherRao, FisherRaoBinding};
use crate::dynamics::fused::FusedPasses;
use crate::dynamics::Params;
use crate::fft::stockham::Axis;
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::groups::{GroupRecorder, InPass, Label};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::system::SystemOperators;
use crate::{Error, Result};

/// How the right-hand side's pointwise kernels meet its transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RhsPath {
    /// The spectral products, the fluxes and the transforms' passes fused
    /// where the form allows ([`FusedPasses`]; the Fisher-Rao term, which
    /// reads the densities on the grid, keeps the unfused path).
    #[default]
    Fused,
    /// Every kernel and every FFT pass its own dispatch (the reference the
    /// fused path is tested against).
    Unfused,
}

/// Kernels and work buffers of the right-hand side, built once per run.
#[derive(Debug)]
pub struct Rhs {
    band: Kernel,
    potentials: Kernel,
    flux: Kernel,
    divergence: Kernel,
    /// `[grad Phi_s]` packed spectra, then fluxes (S complex fields).
    grad: GpuField,
    /// The densities packed two at a time, spectra then grid values (ceil(S/2) fields).
    dens: GpuField,
    band_box: wgpu::Buffer,
    fft_grad: FftBinding,
    fft_dens: FftBinding,
    flux_bind: wgpu::BindGroup,
    plan_pairs: Arc<FftPlan>,
    plan_species: Arc<FftPlan>,
    groups: [u32; 3],
    band_groups: u32,
    has_band: bool,
    /// Bytes of the band kernel.
    band_bytes: u64,
    /// Bytes per point the potentials kernel reads from the operators (with
    /// and without the potentials).
    operator_bytes: u64,
    species: u64,
    pairs: u64,
    state_len: u64,
    /// The perturbation form's reference fields (None in the absolute form).
    reference: Option<Reference>,
    /// The Fisher-Rao term, when `params.fisher_rao > 0`.
    fisher_rao: Option<FisherRao>,
    /// The fused passes, on [`RhsPath::Fused`] where it applies.
    fused: Option<FusedPasses>,
}

/// The equilibrium as the perturbation form's fluxes need it.
#[derive(Debug)]
struct Reference {
    /// `rho*` on the grid, packed two at a time.
    star: GpuField,
    /// `[grad Phi_s*]` on the grid, each packed `x + i y`.
    grad_star: GpuField,
    /// The potentials kernel with the constant potentials included.
    potentials_full: Kernel,
}

/// The right-hand side bound to one input state and one output buffer.
#[derive(Debug)]
pub struct RhsBinding {
    band: wgpu::BindGroup,
    potentials: wgpu::BindGroup,
    divergence: wgpu::BindGroup,
    fisher_rao: Option<FisherRaoBinding>,
    /// The fused potentials pass (2D, [`RhsPath::Fused`]).
    fused_potentials: Option<wgpu::BindGroup>,
}

impl Rhs {
    /// Builds the kernels for `params` and the system's operators;
    /// `plan_pairs` and `plan_species` are FFT plans of the grid for
    /// `ceil(S / 2)` and `S` fields; `path` chooses the fused or the unfused
    /// evaluation (the Fisher-Rao term always takes the unfused one).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        plan_pairs: Arc<FftPlan>,
        plan_species: Arc<FftPlan>,
        perturbation: bool,
        path: RhsPath,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let spectral = params.spectral_constants();
        let with = |extra: &[(&'static str, f64)]| {
            let mut c = spectral.clone();
            c.extend_from_slice(extra);
            c
        };
        let code = ops.replacements();
        let band = Kernel::generated(
            device,
            &shaders::BAND,
            &code,
            "main",
            &with(&[("SCALE", shape.len() as f64 * params.cell())]),
        )?;
        let potentials_with = |include: bool| {
            Kernel::generated(
                device,
                &shaders::POTENTIALS,
                &code,
                "main",
                &with(&[("INCLUDE_POTENTIALS", f64::from(u8::from(include)))]),
            )
        };
        let potentials = potentials_with(!perturbation)?;
        let potentials_full = if perturbation {
            Some(potentials_with(true)?)
        } else {
            None
        };
        let field_len = [("FIELD_LEN", shape.len() as f64)];
        let flux = if perturbation {
            Kernel::generated(device, &shaders::FLUX_PERT, &code, "main", &field_len)?
        } else {
            Kernel::generated(device, &shaders::FLUX, &code, "main", &field_len)?
        };
        let divergence = Kernel::generated(
            device,
            &shaders::DIVERGENCE,
            &code,
            "main",
            &with(&[("DEALIAS", f64::from(u8::from(params.dealias)))]),
        )?;
        let species = ops.species() as u32;
        let pairs = ops.pairs() as u32;
        let grad = GpuField::zeros(ctx, "rhs.grad", shape, species, Elem::Complex)?;
        let dens = GpuField::zeros(ctx, "rhs.dens", shape, pairs, Elem::Complex)?;
        let band_box = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rhs.band_box"),
            size: ops.band_threads.max(1) as u64 * 8,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let fisher_rao = if params.fisher_rao > 0.0 {
            if perturbation {
                return Err(Error::Usage(
                    "the Fisher-Rao term needs the absolute form (time.perturbation = false)"
                        .into(),
                ));
            }
            Some(FisherRao::new(ctx, params, ops, plan_pairs.clone(), &dens)?)
        } else {
            None
        };
        let fft_grad = plan_species.bind(ctx, &grad)?;
        let fft_dens = plan_pairs.bind(ctx, &dens)?;
        let reference = if perturbation {
            Some(Reference {
                star: GpuField::zeros(ctx, "rhs.star", shape, pairs, Elem::Complex)?,
                grad_star: GpuField::zeros(ctx, "rhs.grad_star", shape, species, Elem::Complex)?,
                potentials_full: potentials_full.ok_or_else(|| {
                    Error::Internal("the full potentials kernel is missing".into())
                })?,
            })
        } else {
            None
        };
        let fused = if path == RhsPath::Fused && fisher_rao.is_none() {
            Some(FusedPasses::new(
                ctx,
                params,
                ops,
                &plan_pairs,
                &grad,
                &dens,
                reference.as_ref().map(|r| (&r.star, &r.grad_star)),
            )?)
        } else {
            None
        };
        let flux_bind = match &reference {
            Some(r) => flux.bind(
                device,
                &[
                    &grad.buffer,
                    &dens.buffer,
                    &r.star.buffer,
                    &r.grad_star.buffer,
                ],
            ),
            None => flux.bind(device, &[&grad.buffer, &dens.buffer]),
        };
        Ok(Rhs {
            band,
            potentials,
            flux,
            divergence,
            grad,
            dens,
            band_box,
            fft_grad,
            fft_dens,
            flux_bind,
            groups: elementwise_groups(shape.len() as u64),
            band_groups: ops.band_threads.div_ceil(64).max(1),
            has_band: ops.has_band(),
            band_bytes: ops.band_bytes(),
            operator_bytes: ops.operator_bytes_per_point(!perturbation),
            species: species as u64,
            pairs: pairs as u64,
            plan_pairs,
            plan_species,
            state_len: GpuField::bytes_for(shape, species, Elem::Complex),
            reference,
            fisher_rao,
            fused,
        })
    }

    /// True when the fused passes evaluate this right-hand side.
    pub fn is_fused(&self) -> bool {
        self.fused.is_some()
    }

    /// In the perturbation form, computes the reference fields from the
    /// stationary state's spectra `[rho_s*^]`: `rho*` packed and `[grad Phi_s*]`
    /// on the grid. Setup only.
    pub fn set_reference(
        &self,
        ctx: &GpuContext,
        ops: &SystemOperators,
        eq_state: &GpuField,
    ) -> Result<()> {
        let r = self.reference.as_ref().ok_or_else(|| {
            Error::Usage("set_reference applies to the perturbation form only".into())
        })?;
        let bind = r.potentials_full.bind(
            &ctx.device,
            &[
                &eq_state.buffer,
                &ops.mult,
                &ops.pots,
                &self.band_box,
                &self.grad.buffer,
                &self.dens.buffer,
            ],
        );
        let band = self.band.bind(
            &ctx.device,
            &[&eq_state.buffer, &ops.band_coeffs, &self.band_box],
        );
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            if self.has_band {
                self.band
                    .dispatch(&mut pass, &band, [self.band_groups, 1, 1]);
            }
            r.potentials_full.dispatch(&mut pass, &bind, self.groups);
            self.plan_species
                .record(&mut pass, &self.fft_grad, Direction::Inverse);
            self.plan_pairs
                .record(&mut pass, &self.fft_dens, Direction::Inverse);
        }
        encoder.copy_buffer_to_buffer(
            &self.grad.buffer,
            0,
            &r.grad_star.buffer,
            0,
            self.grad.bytes(),
        );
        encoder.copy_buffer_to_buffer(&self.dens.buffer, 0, &r.star.buffer, 0, self.dens.bytes());
        ctx.queue.submit([encoder.finish()]);
        ctx.wait()
    }

    /// Binds `state` (spectra `[rho_s^]`) as input and `out` as the output
    /// `[N_s^]`; both S complex fields of the grid.
    pub fn bind(
        &self,
        ctx: &GpuContext,
        ops: &SystemOperators,
        state: &GpuField,
        out: &GpuField,
    ) -> Result<RhsBinding> {
        for (name, f) in [("state", state), ("output", out)] {
            if f.bytes() != self.state_len || f.elem != Elem::Complex {
                return Err(Error::Usage(format!(
                    "right-hand side {name}: expected {} complex fields of {}, got {} {:?} of {}",
                    self.species, self.grad.shape, f.batch, f.elem, f.shape
                )));
            }
        }
        let device = &ctx.device;
        // The potentials kernel's buffers; the fused potentials pass adds
        // the column twiddles.
        let potentials = vec![
            &state.buffer,
            &ops.mult,
            &ops.pots,
            &self.band_box,
            &self.grad.buffer,
            &self.dens.buffer,
        ];
        let column_twiddles = self
            .plan_pairs
            .axis_pass(Axis::Columns)
            .map(|c| c.twiddles());
        let fused_potentials = match (&self.fused, column_twiddles) {
            (Some(f), Some(tw)) => {
                let mut buffers = potentials.clone();
                buffers.push(tw);
                f.bind_potentials(device, &buffers)
            }
            _ => None,
        };
        Ok(RhsBinding {
            band: self
                .band
                .bind(device, &[&state.buffer, &ops.band_coeffs, &self.band_box]),
            potentials: self.potentials.bind(device, &potentials),
            divergence: self
                .divergence
                .bind(device, &[&self.grad.buffer, &out.buffer]),
            fisher_rao: self
                .fisher_rao
                .as_ref()
                .map(|f| f.bind(ctx, ops, &self.band_box, state, out)),
            fused_potentials,
        })
    }

    /// Records the densities on the grid for the bound state: afterwards
    /// [`Self::densities`] holds `rho_2q + i rho_2q+1` at every point.
    pub fn record_densities(&self, pass: &mut wgpu::ComputePass<'_>, b: &RhsBinding) {
        if self.has_band {
            self.band.dispatch(pass, &b.band, [self.band_groups, 1, 1]);
        }
        self.potentials.dispatch(pass, &b.potentials, self.groups);
        self.plan_pairs
            .record(pass, &self.fft_dens, Direction::Inverse);
    }

    /// The work field holding the packed densities after [`Self::record_densities`].
    pub fn densities(&self) -> &GpuField {
        &self.dens
    }

    /// Records one evaluation of the nonlinear terms.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, b: &RhsBinding) {
        self.record_groups(&mut InPass(pass), b);
    }

    /// Records one evaluation as labelled groups (`rhs.*`, each FFT axis pass
    /// its own group), with the bytes each moves through global memory: per
    /// point, potentials `8 (S + S + ceil(S/2))` B plus each multiplier and
    /// potential spectrum read once (the state in; gradient spectra and
    /// packed densities out; the perturbation form leaves the potentials to
    /// the reference), flux `8 (2 S + ceil(S/2))` B (plus `8 (S +
    /// ceil(S/2))` B in the perturbation form: it also reads the reference's
    /// densities and gradients), divergence `16 S` B; the band kernel reads
    /// its coefficients and box modes once; each FFT pass reads and writes
    /// its fields. For two species: 64, 40 (64), 32 B. The Fisher-Rao
    /// term's groups ([`FisherRao`]) come after the band, the densities'
    /// transform and the divergence. The fused path's groups are
    /// [`Self::record_fused`]'s.
    pub fn record_groups(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding) {
        if let Some(f) = &self.fused {
            return self.record_fused(rec, b, f);
        }
        let (plan_pairs, plan_species) = (&self.plan_pairs, &self.plan_species);
        let points = self.grad.shape.len() as u64;
        let (s, q) = (self.species, self.pairs);
        let pert = self.reference.is_some();
        self.record_band(rec, b);
        self.record_potentials(rec, b);
        plan_species.record_groups(rec, "rhs.ifft_grad", &self.fft_grad, Direction::Inverse);
        plan_pairs.record_groups(rec, "rhs.ifft_dens", &self.fft_dens, Direction::Inverse);
        let fr = self.fisher_rao.as_ref().zip(b.fisher_rao.as_ref());
        if let Some((f, fb)) = fr {
            f.record_potentials(rec, fb);
            f.record_products(rec);
        }
        let flux = 8 * (2 * s + q + if pert { s + q } else { 0 }) * points;
        rec.group(Label::new("rhs.flux"), flux, &mut |pass| {
            self.flux.dispatch(pass, &self.flux_bind, self.groups)
        });
        plan_species.record_groups(rec, "rhs.fft_flux", &self.fft_grad, Direction::Forward);
        rec.group(Label::new("rhs.divergence"), 16 * s * points, &mut |pass| {
            self.divergence.dispatch(pass, &b.divergence, self.groups)
        });
        if let Some((f, fb)) = fr {
            f.record_reaction(rec, fb);
        }
    }

    /// The fused evaluation as labelled groups: those of
    /// [`Self::record_fused_flux`], then the fluxes' forward column pass (2D)
    /// and the divergence.
    fn record_fused(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding, f: &FusedPasses) {
        self.record_fused_flux(rec, b, f);
        if self.plan_species.passes() > 1 {
            rec.group(
                Label::part("rhs.fft_flux", "columns"),
                self.plan_species.pass_bytes(),
                &mut |pass| {
                    self.plan_species.record_axis(
                        pass,
                        &self.fft_grad,
                        Direction::Forward,
                        Axis::Columns,
                    )
                },
            );
        }
        let points = self.grad.shape.len() as u64;
        rec.group(
            Label::new("rhs.divergence"),
            16 * self.species * points,
            &mut |pass| self.divergence.dispatch(pass, &b.divergence, self.groups),
        );
    }

    /// On the fused path, records the groups up to the fluxes transformed
    /// along rows in [`Self::flux_field`] (the band, the potentials pass,
    /// the flux pass), for a pass that finishes the transform, the
    /// divergence and the ETD combination at once
    /// ([`crate::dynamics::fused_etd`]); false (nothing recorded) on the
    /// unfused path.
    pub fn record_flux_groups(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding) -> bool {
        match &self.fused {
            Some(f) => {
                self.record_fused_flux(rec, b, f);
                true
            }
            None => false,
        }
    }

    /// The work field that holds the fluxes after [`Self::record_flux_groups`]
    /// (S complex fields).
    pub fn flux_field(&self) -> &GpuField {
        &self.grad
    }

    /// The species' FFT plan.
    pub fn plan_species(&self) -> &FftPlan {
        &self.plan_species
    }

    /// The fused groups up to the fluxes, with their bytes per point: the
    /// band; in 2D, per pair, `rhs.potentials_ifft.columns` (the state, read
    /// by each pair, and the operators in; the pair's gradients and packed
    /// densities out: 64 B for two species), else the plain potentials
    /// kernel; `rhs.flux_fft.rows` (the gradients and densities in, the
    /// fluxes out: the flux kernel's bytes, 40 B for two species).
    fn record_fused_flux(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding, f: &FusedPasses) {
        let points = self.grad.shape.len() as u64;
        let (s, q) = (self.species, self.pairs);
        let pert = self.reference.is_some();
        self.record_band(rec, b);
        match (&b.fused_potentials, f.has_potentials_pass()) {
            (Some(bind), true) => {
                for pair in 0..q {
                    let members = (s - 2 * pair).min(2);
                    let bytes = (8 * (s + members + 1) + self.operator_bytes) * points;
                    let label = Label::part("rhs.potentials_ifft", "columns");
                    rec.group(label, bytes, &mut |pass| {
                        f.record_potentials(pass, bind, pair as usize)
                    });
                }
            }
            _ => {
                self.record_potentials(rec, b);
            }
        }
        let flux = 8 * (2 * s + q + if pert { s + q } else { 0 }) * points;
        rec.group(Label::part("rhs.flux_fft", "rows"), flux, &mut |pass| {
            f.record_flux(pass)
        });
    }

    /// The band kernel's group, where the system has band-limited terms.
    fn record_band(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding) {
        if self.has_band {
            rec.group(Label::new("rhs.band"), self.band_bytes, &mut |pass| {
                self.band.dispatch(pass, &b.band, [self.band_groups, 1, 1])
            });
        }
    }

    /// The plain potentials kernel's group (see [`Self::record_groups`]).
    fn record_potentials(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding) {
        let points = self.grad.shape.len() as u64;
        let (s, q) = (self.species, self.pairs);
        let potentials = (8 * (2 * s + q) + self.operator_bytes) * points;
        rec.group(Label::new("rhs.potentials"), potentials, &mut |pass| {
            self.potentials.dispatch(pass, &b.potentials, self.groups)
        });
    }
}
