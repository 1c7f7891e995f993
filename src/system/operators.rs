//! A [`System`] on the GPU, built once: the convolution multipliers
//! `M = h^d FFT(k_grid)` (or the given `M(kappa)`), the potential spectra
//! `a_s^`, the band-limited coefficients, and the WGSL the system compiles to
//! ([`crate::system::code`]). The right-hand side, the equilibrium and the
//! metrics all evaluate the potentials through these.

use crate::fft::{Direction, FftPlan, PairOp, RealPair};
use crate::gpu::field::storage_init;
use crate::gpu::{shaders, Elem, GpuContext, GpuField, Shape};
use crate::system::{code, Multiplier, System};
use crate::Result;

/// The system's operators on the GPU.
#[derive(Debug)]
pub struct SystemOperators {
    /// The sampled system (host copy, for references and reports).
    pub system: System,
    /// The grid.
    pub shape: Shape,
    /// Cell measure h^d.
    pub cell: f64,
    /// Multipliers `[M_j]`, complex fields (8 bytes if none).
    pub mult: wgpu::Buffer,
    /// Potential spectra `[a_s^]` of the species with a potential, in
    /// [`System::potential_slots`] order (8 bytes if none).
    pub pots: wgpu::Buffer,
    /// Every band matrix, complex f32 pairs, in [`code::matrix_offsets`]
    /// order (one dummy entry if none).
    pub band_coeffs: wgpu::Buffer,
    /// Modes of every band term's box together ([`code::band_offsets`]).
    pub band_threads: u32,
    /// Complex entries of all band matrices.
    pub band_coeff_len: u64,
    species_code: String,
    potentials_code: String,
    band_code: String,
}

/// Writes the spectra of the real fields `reals` (each one value per point
/// of `shape`) into `dst` as complex fields `first, first + 1, ...`: two at
/// a time through one packed transform, split so that each is exactly
/// Hermitian (an odd last field is paired with zeros). Setup work: it
/// allocates.
pub fn real_spectra_into(
    ctx: &GpuContext,
    shape: Shape,
    reals: &[&[f32]],
    dst: &wgpu::Buffer,
    first: usize,
) -> Result<()> {
    let n = shape.len();
    if let Some(bad) = reals.iter().find(|r| r.len() != n) {
        return Err(crate::Error::Usage(format!(
            "a real field of {} values for a grid of {n} points",
            bad.len()
        )));
    }
    if reals.is_empty() {
        return Ok(());
    }
    let pair = RealPair::new(ctx, shape, 1)?;
    let plan = FftPlan::new(ctx, shape, 1)?;
    let zeros = vec![0.0f32; n];
    let z = GpuField::zeros(ctx, "spectra.packed", shape, 1, Elem::Complex)?;
    let sa = GpuField::zeros(ctx, "spectra.split_a", shape, 1, Elem::Complex)?;
    let sb = GpuField::zeros(ctx, "spectra.split_b", shape, 1, Elem::Complex)?;
    let fft = plan.bind(ctx, &z)?;
    let bytes = sa.bytes();
    for (q, chunk) in reals.chunks(2).enumerate() {
        let b = chunk.get(1).copied().unwrap_or(&zeros);
        let ra = GpuField::from_data(ctx, "spectra.a", shape, 1, Elem::Real, chunk[0])?;
        let rb = GpuField::from_data(ctx, "spectra.b", shape, 1, Elem::Real, b)?;
        let pack = pair.bind(ctx, PairOp::Pack, [&ra, &rb, &z])?;
        let split = pair.bind(ctx, PairOp::Split, [&z, &sa, &sb])?;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pair.record(&mut pass, &pack);
            plan.record(&mut pass, &fft, Direction::Forward);
            pair.record(&mut pass, &split);
        }
        let at = (first + 2 * q) as u64 * bytes;
        encoder.copy_buffer_to_buffer(&sa.buffer, 0, dst, at, bytes);
        if chunk.len() == 2 {
            encoder.copy_buffer_to_buffer(&sb.buffer, 0, dst, at + bytes, bytes);
        }
        ctx.queue.submit([encoder.finish()]);
        ctx.wait()?;
    }
    Ok(())
}

/// A zeroed storage buffer of `fields` complex fields of `shape` (at least 8 bytes).
fn complex_fields(ctx: &GpuContext, label: &str, shape: Shape, fields: usize) -> wgpu::Buffer {
    let bytes = (GpuField::bytes_for(shape, 1, Elem::Complex) * fields as u64).max(8);
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    })
}

impl SystemOperators {
    /// Uploads `system` for a grid of `shape` with cell measure `cell`
    /// (checked first: [`System::check`]).
    pub fn new(ctx: &GpuContext, system: System, shape: Shape, cell: f64) -> Result<Self> {
        let dim = shape.dim();
        system.check(shape.len(), dim)?;
        // The widest buffer bound whole: the state, or the multipliers or
        // potential spectra when there are more of them.
        let widest = system
            .len()
            .max(system.multipliers.len())
            .max(system.potential_slots().len())
            .max(2);
        GpuField::check_fits(ctx, shape, widest as u32, Elem::Complex)?;
        let mult = complex_fields(ctx, "system.mult", shape, system.multipliers.len());
        // Kernel samples times h^d, two to a transform; given spectra as they are.
        let cell32 = cell as f32;
        let scaled: Vec<(usize, Vec<f32>)> = system
            .multipliers
            .iter()
            .enumerate()
            .filter_map(|(j, m)| match m {
                Multiplier::Kernel(k) => Some((j, k.iter().map(|&v| v * cell32).collect())),
                Multiplier::Spectrum(_) => None,
            })
            .collect();
        // Consecutive kernel multipliers share transforms; a run of kernels is
        // transformed into its own consecutive fields.
        let mut j = 0;
        while j < scaled.len() {
            let mut end = j + 1;
            while end < scaled.len() && scaled[end].0 == scaled[end - 1].0 + 1 {
                end += 1;
            }
            let reals: Vec<&[f32]> = scaled[j..end].iter().map(|(_, v)| v.as_slice()).collect();
            real_spectra_into(ctx, shape, &reals, &mult, scaled[j].0)?;
            j = end;
        }
        let field_bytes = GpuField::bytes_for(shape, 1, Elem::Complex);
        for (j, m) in system.multipliers.iter().enumerate() {
            if let Multiplier::Spectrum(values) = m {
                let mut data: Vec<f32> = values.iter().flatten().copied().collect();
                // M(0) never enters the drift.
                data[0] = 0.0;
                data[1] = 0.0;
                ctx.queue
                    .write_buffer(&mult, j as u64 * field_bytes, bytemuck::cast_slice(&data));
            }
        }
        let slots = system.potential_slots();
        let pots = complex_fields(ctx, "system.pots", shape, slots.len());
        let reals: Vec<&[f32]> = slots
            .iter()
            .filter_map(|&s| system.species[s].potential.as_ref())
            .map(|p| p.value.as_slice())
            .collect();
        real_spectra_into(ctx, shape, &reals, &pots, 0)?;
        let coeffs: Vec<f32> = system
            .matrices
            .iter()
            .flat_map(|m| m.coeffs.iter().flat_map(|z| [z.re as f32, z.im as f32]))
            .collect();
        let band_coeffs = storage_init(
            ctx,
            "system.band_coeffs",
            bytemuck::cast_slice(&coeffs),
            true,
        );
        let (_, band_threads) = code::band_offsets(&system, dim);
        ctx.wait()?;
        Ok(SystemOperators {
            species_code: code::species(&system),
            potentials_code: code::potentials(&system, dim),
            band_code: code::band_terms(&system, dim),
            band_coeff_len: (coeffs.len() / 2) as u64,
            system,
            shape,
            cell,
            mult,
            pots,
            band_coeffs,
            band_threads,
        })
    }

    /// Number of species S.
    pub fn species(&self) -> usize {
        self.system.len()
    }

    /// Complex fields holding the species two at a time.
    pub fn pairs(&self) -> usize {
        self.system.pairs()
    }

    /// The species whose spectra a convolution term reads (each read once
    /// per point by the potentials).
    pub fn convolution_sources(&self) -> usize {
        let mut sources: Vec<usize> = self.system.convolutions.iter().map(|c| c.source).collect();
        sources.sort_unstable();
        sources.dedup();
        sources.len()
    }

    /// True when the system has band-limited terms.
    pub fn has_band(&self) -> bool {
        !self.system.bands.is_empty()
    }

    /// The placeholder replacements of every system kernel: the species
    /// constants, the potentials and the band term table.
    pub fn replacements(&self) -> [(&'static str, &str); 3] {
        [
            (shaders::SPECIES, self.species_code.as_str()),
            (shaders::SYSTEM_POTENTIALS, self.potentials_code.as_str()),
            (shaders::BAND_TERMS, self.band_code.as_str()),
        ]
    }

    /// Bytes the band kernel moves: every coefficient once, and each output
    /// mode's gathered inputs and its output.
    pub fn band_bytes(&self) -> u64 {
        8 * self.band_coeff_len + 16 * self.band_threads as u64
    }

    /// Bytes per point a potentials evaluation reads from the operators: each
    /// distinct multiplier and (when `with_potentials`) each potential
    /// spectrum once.
    pub fn operator_bytes_per_point(&self, with_potentials: bool) -> u64 {
        let mut mults: Vec<usize> = self
            .system
            .convolutions
            .iter()
            .map(|c| c.multiplier)
            .collect();
        mults.sort_unstable();
        mults.dedup();
        let pots = if with_potentials {
            self.system.potential_slots().len()
        } else {
            0
        };
        8 * (mults.len() + pots) as u64
    }
}
