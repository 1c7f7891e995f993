//! The payoff on the GPU, in the form the right-hand side uses:
//! `kconv^ = h^d FFT(k on the grid)`, the potential spectra `[a^, b^]` and the
//! band-limited coefficient matrix.

use num_complex::Complex64;
use wgpu::util::DeviceExt;

use crate::dynamics::Params;
use crate::fft::{FftPlan, PairOp, RealPair};
use crate::gpu::{Elem, GpuContext, GpuField};
use crate::{Error, Result};

/// The payoff sampled on the grid (host data, row-major (n2, n1)).
#[derive(Debug, Clone, Copy)]
pub struct PayoffGrids<'a> {
    /// k(z) at z = (j1 h, j2 h).
    pub kernel: &'a [f32],
    /// a(x) at the grid points.
    pub potential_mu: &'a [f32],
    /// b(y) at the grid points.
    pub potential_nu: &'a [f32],
    /// Band-limited term: modes per axis B and coefficients C, row-major
    /// `[box(m)][box(n)]` over the (2B+1)^d box (see `game::band`).
    pub band: Option<(u32, &'a [Complex64])>,
}

/// GPU-resident operators of the right-hand side, built once.
#[derive(Debug)]
pub struct Operators {
    /// `h^d FFT(k)`, one complex field.
    pub kconv: GpuField,
    /// `[FFT(a), FFT(b)]`, two complex fields.
    pub potentials: GpuField,
    /// Band-limited coefficients C as complex f32 pairs (one dummy entry if none).
    pub band_coeffs: wgpu::Buffer,
    /// Band-limited modes per axis B (0: none).
    pub band_modes: u32,
    /// Modes in the box, (2B+1)^d (1 if none, for the dummy buffers).
    pub box_len: u32,
}

impl Operators {
    /// Uploads and transforms the payoff. `pair` and `plan2` are a real-pair helper
    /// and an FFT plan for two fields of the grid.
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        payoff: &PayoffGrids<'_>,
        pair: &RealPair,
        plan2: &FftPlan,
    ) -> Result<Self> {
        let shape = params.shape;
        let n = shape.len();
        for (name, v) in [
            ("game.kernel", payoff.kernel),
            ("game.potential_mu", payoff.potential_mu),
            ("game.potential_nu", payoff.potential_nu),
        ] {
            if v.len() != n {
                return Err(Error::Usage(format!(
                    "{name}: {} samples for a grid of {n} points",
                    v.len()
                )));
            }
        }
        let cell = params.cell() as f32;
        let k: Vec<f32> = payoff.kernel.iter().map(|&v| v * cell).collect();
        let zeros = vec![0.0f32; n];
        let real = |label, a: &[f32], b: &[f32]| -> Result<GpuField> {
            let mut data = a.to_vec();
            data.extend_from_slice(b);
            GpuField::from_data(ctx, label, shape, 2, Elem::Real, &data)
        };
        // Two pairs: (k h^d, 0) and (a, b); pack+FFT+split gives Hermitian spectra.
        let ra = real("operators.re", &k, payoff.potential_mu)?;
        let rb = real("operators.im", &zeros, payoff.potential_nu)?;
        let packed = GpuField::zeros(ctx, "operators.packed", shape, 2, Elem::Complex)?;
        let spec_a = GpuField::zeros(ctx, "operators.spec_re", shape, 2, Elem::Complex)?;
        let spec_b = GpuField::zeros(ctx, "operators.spec_im", shape, 2, Elem::Complex)?;
        let pack = pair.bind(ctx, PairOp::Pack, [&ra, &rb, &packed])?;
        let split = pair.bind(ctx, PairOp::Split, [&packed, &spec_a, &spec_b])?;
        let fft = plan2.bind(ctx, &packed)?;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pair.record(&mut pass, &pack);
            plan2.record(&mut pass, &fft, crate::fft::Direction::Forward);
            pair.record(&mut pass, &split);
        }
        // spec_a = [kconv^, a^], spec_b = [0, b^]: gather into the operator fields.
        let field_bytes = GpuField::bytes_for(shape, 1, Elem::Complex);
        let kconv = GpuField::zeros(ctx, "operators.kconv", shape, 1, Elem::Complex)?;
        let potentials = GpuField::zeros(ctx, "operators.potentials", shape, 2, Elem::Complex)?;
        encoder.copy_buffer_to_buffer(&spec_a.buffer, 0, &kconv.buffer, 0, field_bytes);
        encoder.copy_buffer_to_buffer(
            &spec_a.buffer,
            field_bytes,
            &potentials.buffer,
            0,
            field_bytes,
        );
        encoder.copy_buffer_to_buffer(
            &spec_b.buffer,
            field_bytes,
            &potentials.buffer,
            field_bytes,
            field_bytes,
        );
        ctx.queue.submit([encoder.finish()]);
        ctx.wait()?;

        let (band_modes, coeffs): (u32, Vec<f32>) = match payoff.band {
            Some((modes, c)) if modes > 0 => {
                let side = 2 * modes as usize + 1;
                let box_len = side.pow(shape.dim());
                if c.len() != box_len * box_len {
                    return Err(Error::Usage(format!(
                        "band-limited coefficients: {} given for a box of {box_len} modes",
                        c.len()
                    )));
                }
                (
                    modes,
                    c.iter().flat_map(|z| [z.re as f32, z.im as f32]).collect(),
                )
            }
            _ => (0, vec![0.0, 0.0]),
        };
        let box_len = if band_modes == 0 {
            1
        } else {
            (2 * band_modes + 1).pow(shape.dim())
        };
        let band_coeffs = ctx
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("operators.band_coeffs"),
                contents: bytemuck::cast_slice(&coeffs),
                usage: wgpu::BufferUsages::STORAGE,
            });
        Ok(Operators {
            kconv,
            potentials,
            band_coeffs,
            band_modes,
            box_len,
        })
    }
}
