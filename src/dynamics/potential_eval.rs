//! `V + i U` on the grid from the spectra `[mu^, nu^]` of a state: the band
//! kernel, `V^ + i U^` (`shaders/equilibrium/eq_potentials.wgsl`) and one inverse
//! FFT. Used by the equilibrium iteration and by the NI metric.

use crate::dynamics::{Operators, Params};
use crate::fft::{Direction, FftBinding, FftPlan};
use crate::gpu::groups::{GroupRecorder, InPass, Label};
use crate::gpu::pipeline::{elementwise_groups, storage, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::Result;

/// Evaluates the potentials of the state held in one buffer, built once.
#[derive(Debug)]
pub struct PotentialEval {
    band: Kernel,
    potentials: Kernel,
    plan1: FftPlan,
    fft: FftBinding,
    band_bind: wgpu::BindGroup,
    potentials_bind: wgpu::BindGroup,
    /// `V + i U` on the grid after [`Self::record`] (one complex field).
    pub output: GpuField,
    _band_box: wgpu::Buffer,
    groups: [u32; 3],
    band_groups: u32,
    has_band: bool,
    /// Modes in the band-limited box, (2B+1)^d.
    box_len: u64,
}

impl PotentialEval {
    /// Potentials of the spectra `[mu^, nu^]` in `state` (two complex fields).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &Operators,
        state: &wgpu::Buffer,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let n = shape.len() as f64;
        let dim = shape.dim() as f64;
        let with = |extra: &[(&'static str, f64)]| {
            let mut c = params.spectral_constants();
            c.extend_from_slice(extra);
            c
        };
        let ro = |i| storage(i, true);
        let rw = |i| storage(i, false);
        let band = Kernel::new(
            device,
            &shaders::BAND,
            "main",
            &[ro(0), ro(1), rw(2)],
            &with(&[
                ("BOX", ops.box_len as f64),
                ("MODES", ops.band_modes as f64),
                ("DIM", dim),
                ("SCALE", n * params.cell()),
            ]),
        )?;
        let potentials = Kernel::new(
            device,
            &shaders::EQ_POTENTIALS,
            "main",
            &[ro(0), ro(1), ro(2), ro(3), rw(4)],
            &with(&[("MODES", ops.band_modes as f64), ("DIM", dim)]),
        )?;
        let output = GpuField::zeros(ctx, "potentials.grid", shape, 1, Elem::Complex)?;
        let band_box = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("potentials.band_box"),
            size: 2 * ops.box_len as u64 * 8,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let plan1 = FftPlan::new(ctx, shape, 1)?;
        let fft = plan1.bind(ctx, &output)?;
        let band_bind = band.bind(device, &[state, &ops.band_coeffs, &band_box]);
        let potentials_bind = potentials.bind(
            device,
            &[
                state,
                &ops.kconv.buffer,
                &ops.potentials.buffer,
                &band_box,
                &output.buffer,
            ],
        );
        Ok(PotentialEval {
            band,
            potentials,
            plan1,
            fft,
            band_bind,
            potentials_bind,
            output,
            _band_box: band_box,
            groups: elementwise_groups(shape.len() as u64),
            band_groups: (2 * ops.box_len).div_ceil(64),
            has_band: ops.band_modes > 0,
            box_len: ops.box_len as u64,
        })
    }

    /// Records the evaluation into [`Self::output`].
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.record_groups(&mut InPass(pass));
    }

    /// Records the evaluation as labelled groups (`potential.*`), with the
    /// bytes each moves: the band kernel its coefficient matrix and box modes
    /// once, the spectra kernel 48 B per point (`[mu^, nu^]`, kconv and
    /// `[a^, b^]` in, `V^ + i U^` out), each inverse FFT pass 16 B per point.
    pub fn record_groups(&self, rec: &mut dyn GroupRecorder) {
        if self.has_band {
            let bytes = 8 * self.box_len * self.box_len + 32 * self.box_len;
            rec.group(Label::new("potential.band"), bytes, &mut |pass| {
                self.band
                    .dispatch(pass, &self.band_bind, [self.band_groups, 1, 1])
            });
        }
        let points = self.output.shape.len() as u64;
        rec.group(Label::new("potential.spectra"), 48 * points, &mut |pass| {
            self.potentials
                .dispatch(pass, &self.potentials_bind, self.groups)
        });
        self.plan1
            .record_groups(rec, "potential.ifft", &self.fft, Direction::Inverse);
    }
}
