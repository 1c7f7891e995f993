//! The potentials of every species on the grid from the spectra `[rho_s^]` of
//! a state: the band kernel, `Phi_2q^ - i Phi_2q+1^`
//! (`shaders/equilibrium/eq_potentials.wgsl`) and inverse FFTs, so that field
//! q holds `Phi_2q - i Phi_2q+1` (for the game, `V + i U`). Used by the
//! equilibrium iteration and by the equilibrium-gap metric. And
//! [`GradientEval`], their gradient spectra `(i kx - ky) Phi_s^`, for the
//! particles' spread drift.

use crate::dynamics::Params;
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::groups::{GroupRecorder, InPass, Label};
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::system::SystemOperators;
use crate::Result;

/// Evaluates the potentials of the state held in one buffer, built once.
#[derive(Debug)]
pub struct PotentialEval {
    band: Kernel,
    potentials: Kernel,
    plan: FftPlan,
    fft: FftBinding,
    band_bind: wgpu::BindGroup,
    potentials_bind: wgpu::BindGroup,
    /// `Phi_2q - i Phi_2q+1` on the grid after [`Self::record`]
    /// (`ceil(S / 2)` complex fields).
    pub output: GpuField,
    _band_box: wgpu::Buffer,
    groups: [u32; 3],
    band_groups: u32,
    has_band: bool,
    band_bytes: u64,
    /// Bytes per point of the spectra kernel.
    spectra_bytes: u64,
}

impl PotentialEval {
    /// Potentials of the spectra `[rho_s^]` in `state` (S complex fields).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        state: &wgpu::Buffer,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let n = shape.len() as f64;
        let with = |extra: &[(&'static str, f64)]| {
            let mut c = params.spectral_constants();
            c.extend_from_slice(extra);
            c
        };
        let code = ops.replacements();
        let band = Kernel::generated(
            device,
            &shaders::BAND,
            &code,
            "main",
            &with(&[("SCALE", n * params.cell())]),
        )?;
        let potentials =
            Kernel::generated(device, &shaders::EQ_POTENTIALS, &code, "main", &with(&[]))?;
        let pairs = ops.pairs() as u32;
        let output = GpuField::zeros(ctx, "potentials.grid", shape, pairs, Elem::Complex)?;
        let band_box = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("potentials.band_box"),
            size: ops.band_threads.max(1) as u64 * 8,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let plan = FftPlan::new(ctx, shape, pairs)?;
        let fft = plan.bind(ctx, &output)?;
        let band_bind = band.bind(device, &[state, &ops.band_coeffs, &band_box]);
        let potentials_bind = potentials.bind(
            device,
            &[state, &ops.mult, &ops.pots, &band_box, &output.buffer],
        );
        Ok(PotentialEval {
            band,
            potentials,
            plan,
            fft,
            band_bind,
            potentials_bind,
            output,
            _band_box: band_box,
            groups: elementwise_groups(shape.len() as u64),
            band_groups: ops.band_threads.div_ceil(64).max(1),
            has_band: ops.has_band(),
            band_bytes: ops.band_bytes(),
            spectra_bytes: 8 * (ops.convolution_sources() + ops.pairs()) as u64
                + ops.operator_bytes_per_point(true),
        })
    }

    /// Records the evaluation into [`Self::output`].
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.record_groups(&mut InPass(pass));
    }

    /// Records the evaluation as labelled groups (`potential.*`), with the
    /// bytes each moves: the band kernel its coefficients and box modes
    /// once, the spectra kernel 8 B per point of each species a convolution
    /// reads and of each packed output field, plus each multiplier and
    /// potential spectrum once (48 B for the game: `[mu^,
    /// nu^]`, the multiplier and `[a^, b^]` in, `V^ + i U^` out), each
    /// inverse FFT pass its fields.
    pub fn record_groups(&self, rec: &mut dyn GroupRecorder) {
        if self.has_band {
            rec.group(Label::new("potential.band"), self.band_bytes, &mut |pass| {
                self.band
                    .dispatch(pass, &self.band_bind, [self.band_groups, 1, 1])
            });
        }
        let points = self.output.shape.len() as u64;
        let bytes = self.spectra_bytes * points;
        rec.group(Label::new("potential.spectra"), bytes, &mut |pass| {
            self.potentials
                .dispatch(pass, &self.potentials_bind, self.groups)
        });
        self.plan
            .record_groups(rec, "potential.ifft", &self.fft, Direction::Inverse);
    }
}

/// The gradient spectra of every species' potential from the spectra
/// `[rho_s^]` of a state, constant potentials included: the band kernel and
/// the right-hand side's spectra kernel (`shaders/dynamics/potentials.wgsl`),
/// so that field s of [`Self::gradients`] holds `(i kx - ky) Phi_s^`, whose
/// inverse transform is `dPhi_s/dx + i dPhi_s/dy`. Serves the particles'
/// spread drift.
#[derive(Debug)]
pub struct GradientEval {
    band: Kernel,
    potentials: Kernel,
    band_bind: wgpu::BindGroup,
    potentials_bind: wgpu::BindGroup,
    /// `[(i kx - ky) Phi_s^]` after [`Self::record`] (S complex fields).
    pub gradients: GpuField,
    /// The densities packed two at a time (the kernel's second output).
    _densities: GpuField,
    _band_box: wgpu::Buffer,
    groups: [u32; 3],
    band_groups: u32,
    has_band: bool,
}

impl GradientEval {
    /// Gradient spectra of the spectra `[rho_s^]` in `state` (S complex
    /// fields of the grid of `params`).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        state: &wgpu::Buffer,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let with = |extra: &[(&'static str, f64)]| {
            let mut c = params.spectral_constants();
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
        let potentials = Kernel::generated(
            device,
            &shaders::POTENTIALS,
            &code,
            "main",
            &with(&[("INCLUDE_POTENTIALS", 1.0)]),
        )?;
        let species = ops.species() as u32;
        let gradients = GpuField::zeros(ctx, "gradients.grad", shape, species, Elem::Complex)?;
        let densities = GpuField::zeros(
            ctx,
            "gradients.dens",
            shape,
            ops.pairs() as u32,
            Elem::Complex,
        )?;
        let band_box = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("gradients.band_box"),
            size: ops.band_threads.max(1) as u64 * 8,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let band_bind = band.bind(device, &[state, &ops.band_coeffs, &band_box]);
        let potentials_bind = potentials.bind(
            device,
            &[
                state,
                &ops.mult,
                &ops.pots,
                &band_box,
                &gradients.buffer,
                &densities.buffer,
            ],
        );
        Ok(GradientEval {
            band,
            potentials,
            band_bind,
            potentials_bind,
            gradients,
            _densities: densities,
            _band_box: band_box,
            groups: elementwise_groups(shape.len() as u64),
            band_groups: ops.band_threads.div_ceil(64).max(1),
            has_band: ops.has_band(),
        })
    }

    /// Records the evaluation into [`Self::gradients`].
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        if self.has_band {
            self.band
                .dispatch(pass, &self.band_bind, [self.band_groups, 1, 1]);
        }
        self.potentials
            .dispatch(pass, &self.potentials_bind, self.groups);
    }

    /// Kernel dispatches of [`Self::record`].
    pub fn dispatches(&self) -> u32 {
        1 + u32::from(self.has_band)
    }
}
