//! The nonlinear part of the MFL-DA right-hand side, pseudo-spectrally
//! (docs/MATHEMATICS.md section 3), for a state held as spectra `[mu^, nu^]`:
//!
//! 1. `band`: V3^, U3^ on the band-limited mode box;
//! 2. `potentials`: `(i kx - ky) V^`, `(i kx - ky) U^` and `mu^ + i nu^`;
//! 3. inverse FFTs: `Vx + i Vy`, `Ux + i Uy` and `mu + i nu` on the grid;
//! 4. `flux`: `mu grad V` and `-nu grad U`, packed as `fx + i fy`;
//! 5. forward FFT of the fluxes;
//! 6. `divergence`: `N_mu^ = i kappa . F_mu^`, `N_nu^ = eta i kappa . F_nu^`
//!    (optionally 2/3-masked).
//!
//! Two real fields share each complex transform, so a right-hand side costs five
//! complex transforms of one grid.

use std::sync::Arc;

use crate::dynamics::{Operators, Params};
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::groups::{GroupRecorder, InPass, Label};
use crate::gpu::pipeline::{elementwise_groups, storage, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::{Error, Result};

/// Kernels and work buffers of the right-hand side, built once per run.
#[derive(Debug)]
pub struct Rhs {
    band: Kernel,
    potentials: Kernel,
    flux: Kernel,
    divergence: Kernel,
    /// `[grad V, grad U]` packed spectra, then fluxes (two complex fields).
    grad: GpuField,
    /// `mu^ + i nu^`, then `mu + i nu` (one complex field).
    dens: GpuField,
    band_box: wgpu::Buffer,
    fft_grad: FftBinding,
    fft_dens: FftBinding,
    flux_bind: wgpu::BindGroup,
    plan1: Arc<FftPlan>,
    plan2: Arc<FftPlan>,
    groups: [u32; 3],
    band_groups: u32,
    has_band: bool,
    /// Modes in the band-limited box, (2B+1)^d.
    box_len: u64,
    state_len: u64,
    /// The perturbation form's reference fields (None in the absolute form).
    reference: Option<Reference>,
}

/// The equilibrium as the perturbation form's fluxes need it.
#[derive(Debug)]
struct Reference {
    /// `mu* + i nu*` on the grid.
    star: GpuField,
    /// `[grad V*, grad U*]` on the grid, each packed `x + i y`.
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
}

impl Rhs {
    /// Builds the kernels for `params` and the operators; `plan1` and `plan2` are
    /// FFT plans of the grid for one and two fields.
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &Operators,
        plan1: Arc<FftPlan>,
        plan2: Arc<FftPlan>,
        perturbation: bool,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let spectral = params.spectral_constants();
        let with = |extra: &[(&'static str, f64)]| {
            let mut c = spectral.clone();
            c.extend_from_slice(extra);
            c
        };
        let dim = shape.dim() as f64;
        let band = Kernel::new(
            device,
            &shaders::BAND,
            "main",
            &[storage(0, true), storage(1, true), storage(2, false)],
            &with(&[
                ("BOX", ops.box_len as f64),
                ("MODES", ops.band_modes as f64),
                ("DIM", dim),
                ("SCALE", shape.len() as f64 * params.cell()),
            ]),
        )?;
        let potentials_with = |include: bool| {
            Kernel::new(
                device,
                &shaders::POTENTIALS,
                "main",
                &[
                    storage(0, true),
                    storage(1, true),
                    storage(2, true),
                    storage(3, true),
                    storage(4, false),
                    storage(5, false),
                ],
                &with(&[
                    ("MODES", ops.band_modes as f64),
                    ("DIM", dim),
                    ("INCLUDE_POTENTIALS", f64::from(u8::from(include))),
                ]),
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
            Kernel::new(
                device,
                &shaders::FLUX_PERT,
                "main",
                &[
                    storage(0, false),
                    storage(1, true),
                    storage(2, true),
                    storage(3, true),
                ],
                &field_len,
            )?
        } else {
            Kernel::new(
                device,
                &shaders::FLUX,
                "main",
                &[storage(0, false), storage(1, true)],
                &field_len,
            )?
        };
        let divergence = Kernel::new(
            device,
            &shaders::DIVERGENCE,
            "main",
            &[storage(0, true), storage(1, false)],
            &with(&[
                ("ETA", params.eta),
                ("DEALIAS", f64::from(u8::from(params.dealias))),
            ]),
        )?;
        let grad = GpuField::zeros(ctx, "rhs.grad", shape, 2, Elem::Complex)?;
        let dens = GpuField::zeros(ctx, "rhs.dens", shape, 1, Elem::Complex)?;
        let band_box = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rhs.band_box"),
            size: 2 * ops.box_len as u64 * 8,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let fft_grad = plan2.bind(ctx, &grad)?;
        let fft_dens = plan1.bind(ctx, &dens)?;
        let reference = if perturbation {
            Some(Reference {
                star: GpuField::zeros(ctx, "rhs.star", shape, 1, Elem::Complex)?,
                grad_star: GpuField::zeros(ctx, "rhs.grad_star", shape, 2, Elem::Complex)?,
                potentials_full: potentials_full.ok_or_else(|| {
                    Error::Internal("the full potentials kernel is missing".into())
                })?,
            })
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
            band_groups: (2 * ops.box_len).div_ceil(64),
            has_band: ops.band_modes > 0,
            box_len: ops.box_len as u64,
            plan1,
            plan2,
            state_len: GpuField::bytes_for(shape, 2, Elem::Complex),
            reference,
        })
    }

    /// In the perturbation form, computes the reference fields from the
    /// equilibrium's spectra `[mu*^, nu*^]`: `mu* + i nu*` and `[grad V*, grad U*]`
    /// on the grid. Setup only.
    pub fn set_reference(
        &self,
        ctx: &GpuContext,
        ops: &Operators,
        eq_state: &GpuField,
    ) -> Result<()> {
        let r = self.reference.as_ref().ok_or_else(|| {
            Error::Usage("set_reference applies to the perturbation form only".into())
        })?;
        let bind = r.potentials_full.bind(
            &ctx.device,
            &[
                &eq_state.buffer,
                &ops.kconv.buffer,
                &ops.potentials.buffer,
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
            self.plan2
                .record(&mut pass, &self.fft_grad, Direction::Inverse);
            self.plan1
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

    /// Binds `state` (spectra `[mu^, nu^]`) as input and `out` as the output
    /// `[N_mu^, N_nu^]`; both two complex fields of the grid.
    pub fn bind(
        &self,
        ctx: &GpuContext,
        ops: &Operators,
        state: &GpuField,
        out: &GpuField,
    ) -> Result<RhsBinding> {
        for (name, f) in [("state", state), ("output", out)] {
            if f.bytes() != self.state_len || f.elem != Elem::Complex {
                return Err(Error::Usage(format!(
                    "right-hand side {name}: expected two complex fields of {}, got {} {:?} of {}",
                    self.grad.shape, f.batch, f.elem, f.shape
                )));
            }
        }
        let device = &ctx.device;
        Ok(RhsBinding {
            band: self
                .band
                .bind(device, &[&state.buffer, &ops.band_coeffs, &self.band_box]),
            potentials: self.potentials.bind(
                device,
                &[
                    &state.buffer,
                    &ops.kconv.buffer,
                    &ops.potentials.buffer,
                    &self.band_box,
                    &self.grad.buffer,
                    &self.dens.buffer,
                ],
            ),
            divergence: self
                .divergence
                .bind(device, &[&self.grad.buffer, &out.buffer]),
        })
    }

    /// Records the densities on the grid for the bound state: afterwards
    /// [`Self::densities`] holds `mu + i nu` at every point.
    pub fn record_densities(&self, pass: &mut wgpu::ComputePass<'_>, b: &RhsBinding) {
        if self.has_band {
            self.band.dispatch(pass, &b.band, [self.band_groups, 1, 1]);
        }
        self.potentials.dispatch(pass, &b.potentials, self.groups);
        self.plan1.record(pass, &self.fft_dens, Direction::Inverse);
    }

    /// The work field holding `mu + i nu` after [`Self::record_densities`].
    pub fn densities(&self) -> &GpuField {
        &self.dens
    }

    /// Records one evaluation of the nonlinear terms.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, b: &RhsBinding) {
        self.record_groups(&mut InPass(pass), b);
    }

    /// Records one evaluation as labelled groups (`rhs.*`, each FFT axis pass
    /// its own group), with the bytes each moves through global memory: per
    /// point, potentials 64 B (state, kconv, [a^, b^] in; gradient spectra and
    /// packed densities out; 48 B in the perturbation form, which leaves the
    /// constant potentials to the reference), flux 40 B (64 B in the
    /// perturbation form: it also reads the reference's densities and
    /// gradients), divergence 32 B; the band kernel reads its coefficient
    /// matrix and box modes once; each FFT pass reads and writes its fields.
    pub fn record_groups(&self, rec: &mut dyn GroupRecorder, b: &RhsBinding) {
        let (plan1, plan2) = (&self.plan1, &self.plan2);
        let points = self.grad.shape.len() as u64;
        let pert = self.reference.is_some();
        if self.has_band {
            // C (BOX^2 complex) once, 2 BOX gathered modes in, 2 BOX out.
            let bytes = 8 * self.box_len * self.box_len + 32 * self.box_len;
            rec.group(Label::new("rhs.band"), bytes, &mut |pass| {
                self.band.dispatch(pass, &b.band, [self.band_groups, 1, 1])
            });
        }
        let potentials = if pert { 48 } else { 64 } * points;
        rec.group(Label::new("rhs.potentials"), potentials, &mut |pass| {
            self.potentials.dispatch(pass, &b.potentials, self.groups)
        });
        plan2.record_groups(rec, "rhs.ifft_grad", &self.fft_grad, Direction::Inverse);
        plan1.record_groups(rec, "rhs.ifft_dens", &self.fft_dens, Direction::Inverse);
        let flux = if pert { 64 } else { 40 } * points;
        rec.group(Label::new("rhs.flux"), flux, &mut |pass| {
            self.flux.dispatch(pass, &self.flux_bind, self.groups)
        });
        plan2.record_groups(rec, "rhs.fft_flux", &self.fft_grad, Direction::Forward);
        rec.group(Label::new("rhs.divergence"), 32 * points, &mut |pass| {
            self.divergence.dispatch(pass, &b.divergence, self.groups)
        });
    }
}
