//! The Fisher-Rao term of the right-hand side (docs/MATHEMATICS.md section
//! 9): with `time.fisher_rao = alpha > 0` every species gains
//!
//! ```text
//! -alpha eta_s (Phi_s - <Phi_s>) rho_s,   <Phi_s> = ∫ Phi_s rho_s / ∫ rho_s,
//! ```
//!
//! the mean-field limit of Wasserstein-Fisher-Rao particles. Pseudo-spectrally,
//! beside the transport terms of [`crate::dynamics::rhs`]:
//!
//! 1. `potentials`: `Phi_s^` packed two species at a time;
//! 2. inverse FFT: `Phi_2q + i Phi_2q+1` on the grid;
//! 3. `product`: `Phi_s rho_s` (the densities of the transport terms' pass);
//! 4. forward FFT: the products' spectra `G_s^`;
//! 5. `reaction`: `N_s^ -= alpha eta_s (G_s^ - G_s^(0) / rho_s^(0) rho_s^)`,
//!    nothing at `kappa = 0`, so that mass is kept exactly.
//!
//! The mean is read off the zero mode of the same transform, so the term
//! needs no separate reduction: `2 ceil(S / 2)` more complex transforms per
//! right-hand side. The CPU reference is [`crate::system::cpu::CpuSystem::rhs`].

use std::sync::Arc;

use crate::dynamics::Params;
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::groups::{GroupRecorder, Label};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::system::SystemOperators;
use crate::Result;

/// Kernels and the work field of the Fisher-Rao term, built once per run.
#[derive(Debug)]
pub struct FisherRao {
    potentials: Kernel,
    product: Kernel,
    reaction: Kernel,
    /// Packed potentials, then products, then their spectra (ceil(S/2) fields).
    phi: GpuField,
    fft_phi: FftBinding,
    product_bind: wgpu::BindGroup,
    plan_pairs: Arc<FftPlan>,
    groups: [u32; 3],
    product_groups: [u32; 3],
    operator_bytes: u64,
    species: u64,
    pairs: u64,
}

/// The term bound to one input state and one output buffer.
#[derive(Debug)]
pub struct FisherRaoBinding {
    potentials: wgpu::BindGroup,
    reaction: wgpu::BindGroup,
}

impl FisherRao {
    /// Builds the term at rate `params.fisher_rao` for the system's
    /// operators; `dens` is the right-hand side's field of packed densities
    /// on the grid (ceil(S/2) complex fields), `band_box` its band modes,
    /// `plan_pairs` an FFT plan of the grid for ceil(S/2) fields.
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        plan_pairs: Arc<FftPlan>,
        dens: &GpuField,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let code = ops.replacements();
        let spectral = params.spectral_constants();
        let potentials = Kernel::generated(
            device,
            &shaders::FISHER_RAO_POTENTIALS,
            &code,
            "main",
            &spectral,
        )?;
        let field_len = [("FIELD_LEN", shape.len() as f64)];
        let product = Kernel::generated(
            device,
            &shaders::FISHER_RAO_PRODUCT,
            &code,
            "main",
            &field_len,
        )?;
        let mut constants = spectral.clone();
        constants.push(("ALPHA", params.fisher_rao));
        constants.push(("DEALIAS", f64::from(u8::from(params.dealias))));
        let reaction = Kernel::generated(
            device,
            &shaders::FISHER_RAO_REACTION,
            &code,
            "main",
            &constants,
        )?;
        let pairs = ops.pairs() as u32;
        let phi = GpuField::zeros(ctx, "fisher_rao.phi", shape, pairs, Elem::Complex)?;
        let fft_phi = plan_pairs.bind(ctx, &phi)?;
        let product_bind = product.bind(device, &[&phi.buffer, &dens.buffer]);
        Ok(FisherRao {
            potentials,
            product,
            reaction,
            fft_phi,
            product_bind,
            plan_pairs,
            groups: elementwise_groups(shape.len() as u64),
            product_groups: elementwise_groups(shape.len() as u64 * pairs as u64),
            operator_bytes: ops.operator_bytes_per_point(true),
            species: ops.species() as u64,
            pairs: pairs as u64,
            phi,
        })
    }

    /// Binds `state` (spectra `[rho_s^]`) and the output `[N_s^]` (both S
    /// complex fields), with the band modes `band_box` the potentials read.
    pub fn bind(
        &self,
        ctx: &GpuContext,
        ops: &SystemOperators,
        band_box: &wgpu::Buffer,
        state: &GpuField,
        out: &GpuField,
    ) -> FisherRaoBinding {
        let device = &ctx.device;
        FisherRaoBinding {
            potentials: self.potentials.bind(
                device,
                &[
                    &state.buffer,
                    &ops.mult,
                    &ops.pots,
                    band_box,
                    &self.phi.buffer,
                ],
            ),
            reaction: self
                .reaction
                .bind(device, &[&self.phi.buffer, &state.buffer, &out.buffer]),
        }
    }

    /// Records steps 1 and 2 (after the band terms): the potentials on the
    /// grid. Bytes per point: the state in and the packed potentials out,
    /// `8 (S + ceil(S/2))` B, plus the operators.
    pub fn record_potentials(&self, rec: &mut dyn GroupRecorder, b: &FisherRaoBinding) {
        let points = self.phi.shape.len() as u64;
        let bytes = (8 * (self.species + self.pairs) + self.operator_bytes) * points;
        rec.group(Label::new("rhs.fr_potentials"), bytes, &mut |pass| {
            self.potentials.dispatch(pass, &b.potentials, self.groups)
        });
        self.plan_pairs
            .record_groups(rec, "rhs.fr_ifft", &self.fft_phi, Direction::Inverse);
    }

    /// Records steps 3 and 4 (once the densities are on the grid): the
    /// products and their spectra. Bytes per point `24 ceil(S/2)` B.
    pub fn record_products(&self, rec: &mut dyn GroupRecorder) {
        let points = self.phi.shape.len() as u64;
        rec.group(
            Label::new("rhs.fr_product"),
            24 * self.pairs * points,
            &mut |pass| {
                self.product
                    .dispatch(pass, &self.product_bind, self.product_groups)
            },
        );
        self.plan_pairs
            .record_groups(rec, "rhs.fr_fft", &self.fft_phi, Direction::Forward);
    }

    /// Records step 5 (after the divergence has written `N_s^`). Bytes per
    /// point: the packed spectra at the mode and its mirror, the state, the
    /// output read and written, `16 ceil(S/2) + 24 S` B.
    pub fn record_reaction(&self, rec: &mut dyn GroupRecorder, b: &FisherRaoBinding) {
        let points = self.phi.shape.len() as u64;
        let bytes = (16 * self.pairs + 24 * self.species) * points;
        rec.group(Label::new("rhs.fr_reaction"), bytes, &mut |pass| {
            self.reaction.dispatch(pass, &b.reaction, self.groups)
        });
    }
}
