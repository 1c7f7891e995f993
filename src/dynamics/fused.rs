//! The right-hand side's pointwise work fused into its FFT passes
//! (docs/PERFORMANCE.md, "Where the bytes go"). The unfused evaluation
//! ([`crate::dynamics::rhs`]) writes the gradient spectra, transforms them
//! in two passes, forms the fluxes on the grid and transforms those in two
//! more; here, for each pair of species:
//!
//! 1. `shaders/dynamics/rhs_potentials_pass.wgsl` (2D only): the spectral
//!    products `(i kx - ky) Phi_s^` and the packed densities computed in the
//!    load of the inverse column pass, so their spectra are never written;
//! 2. `shaders/dynamics/rhs_flux_pass.wgsl`: the inverse row pass, the
//!    fluxes and the forward row pass in one kernel, so the grid values never
//!    leave the workgroup (in 1D it follows the plain potentials kernel);
//!
//! then the plain forward column pass and the divergence. The inverse 2D
//! transform thus runs columns then rows (the separable DFT in the other
//! order: the same transform, rounded differently), the forward rows then
//! columns as before. Built once per run, like the unfused path.

use crate::dynamics::Params;
use crate::fft::stockham::Axis;
use crate::fft::stockham_gen::{transform, transform_sequence, LinePlan, SequencePlan};
use crate::fft::FftPlan;
use crate::gpu::pipeline::Kernel;
use crate::gpu::{shaders, GpuContext, GpuField};
use crate::system::SystemOperators;
use crate::{Error, Result};

/// The fused kernels of one grid and system.
#[derive(Debug)]
pub struct FusedPasses {
    /// The potentials in the inverse column pass, one pipeline per pair
    /// (empty in 1D).
    potentials: Vec<Kernel>,
    /// The inverse row pass, the fluxes and the forward row pass.
    flux: Kernel,
    flux_bind: wgpu::BindGroup,
    column_groups: u32,
    row_groups: u32,
    pairs: u32,
}

impl FusedPasses {
    /// Builds the kernels over the right-hand side's work fields `grad` (S
    /// complex fields) and `dens` (`ceil(S / 2)`), with the perturbation
    /// form's reference fields `(rho* packed, [grad Phi_s*])` when given;
    /// `plan` is an FFT plan of the grid (for its geometry and twiddles).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        plan: &FftPlan,
        grad: &GpuField,
        dens: &GpuField,
        reference: Option<(&GpuField, &GpuField)>,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let missing = || Error::Internal("the FFT plan has no row pass".into());
        let rows = plan.axis_pass(Axis::Rows).ok_or_else(missing)?;
        let row_radices = &rows.geometry.radices;
        let code = ops.replacements();
        let flux_stages = transform_sequence(&SequencePlan {
            radices: row_radices,
            shared: 1,
            each: 2,
            inverse: "true",
            second: "false",
        });
        let mut replacements: Vec<(&str, &str)> = code.to_vec();
        replacements.push((shaders::STOCKHAM_STAGES, &flux_stages));
        if reference.is_some() {
            replacements.push((shaders::FLUX_TERM, shaders::FLUX_TERM_PERT));
        }
        let flux = Kernel::generated(
            device,
            &shaders::RHS_FLUX_PASS,
            &replacements,
            "main",
            &rows.geometry.constants(shape),
        )?;
        let mut buffers = vec![rows.twiddles(), &grad.buffer, &dens.buffer];
        if let Some((star, grad_star)) = reference {
            buffers.extend([&star.buffer, &grad_star.buffer]);
        }
        let flux_bind = flux.bind(device, &buffers);
        let pairs = ops.pairs() as u32;
        let mut potentials = Vec::new();
        let mut column_groups = 0;
        if let Some(columns) = plan.axis_pass(Axis::Columns) {
            let g = &columns.geometry;
            let stages = transform(&LinePlan {
                radices: &g.radices,
                sets: 3,
                inverse: "true",
                second: None,
                mirror: false,
            });
            let mut replacements: Vec<(&str, &str)> = code.to_vec();
            replacements.push((shaders::STOCKHAM_STAGES, &stages));
            let shader = &shaders::RHS_POTENTIALS_PASS;
            let with_pair = |q: u32| {
                let mut c = params.spectral_constants();
                c.extend(g.constants(shape));
                c.push((
                    "INCLUDE_POTENTIALS",
                    f64::from(u8::from(reference.is_none())),
                ));
                c.push(("PAIR", f64::from(q)));
                c
            };
            let first = Kernel::generated(device, shader, &replacements, "main", &with_pair(0))?;
            let text = shader.source_with(&replacements);
            for q in 1..pairs {
                potentials.push(Kernel::from_text(
                    device,
                    shader.name,
                    &text,
                    "main",
                    &first.layout,
                    &with_pair(q),
                )?);
            }
            potentials.insert(0, first);
            column_groups = g.groups();
        }
        Ok(FusedPasses {
            potentials,
            flux,
            flux_bind,
            column_groups,
            row_groups: rows.geometry.groups(),
            pairs,
        })
    }

    /// True on a 2D grid, where the potentials run in the column pass.
    pub fn has_potentials_pass(&self) -> bool {
        !self.potentials.is_empty()
    }

    /// The bind group of the potentials pass for a state: `[state, mult,
    /// pots, band_box, grad, dens, column twiddles]` in binding order.
    pub fn bind_potentials(
        &self,
        device: &wgpu::Device,
        buffers: &[&wgpu::Buffer],
    ) -> Option<wgpu::BindGroup> {
        self.potentials.first().map(|k| k.bind(device, buffers))
    }

    /// Records the potentials pass of pair `q` (2D only).
    pub fn record_potentials(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        bind: &wgpu::BindGroup,
        q: usize,
    ) {
        if let Some(k) = self.potentials.get(q) {
            k.dispatch(pass, bind, [self.column_groups, 1, 1]);
        }
    }

    /// Records the flux pass of every pair.
    pub fn record_flux(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.flux
            .dispatch(pass, &self.flux_bind, [self.row_groups, self.pairs, 1]);
    }
}
