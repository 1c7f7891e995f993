//! The spread drift (docs/MATHEMATICS.md section 9): every species' drift
//! `grad Phi_s[m](X_s^i)` through the grid the solver uses, for payoffs with
//! too many Fourier modes for the direct sums. Per step, in one pass and
//! with no host round trip:
//!
//! 1. type-1 spreading ([`Spreader`]) of each species' weighted particles,
//!    giving their moments `m_s^(k)` at every mode `|k_a| < N/2`;
//! 2. those moments as grid densities, `rho_s^[k] = m_s^(k) / (m_s^(0)
//!    h^d)` (the normalised measure, Nyquist modes 0), and `W_s = m_s^(0)`;
//! 3. the gradient spectra `(i kx - ky) Phi_s^` of the grid solver
//!    ([`GradientEval`]: the same operators, band terms and constant
//!    potentials as the right-hand side);
//! 4. type-2 evaluation ([`Interpolator`]) of each species' gradient at its
//!    particles, and with weights that move, of its potential `Phi_s` less
//!    its mean (a constant the weights' normalisation removes).
//!
//! The particles thus feel the grid's trigonometric `grad Phi_s` of their
//! own empirical measure, as with the direct sums, except at the Nyquist
//! modes, which the non-uniform transforms leave out; the error is that of
//! the two transforms and the f32 grid, at the half-width [`SPREAD_SPAN`]
//! the f32 floor: a few 1e-6 of the largest gradient
//! (tests/particles_spread_drift.rs). Integer sums in the spreading and fixed
//! orders elsewhere keep a step bit-reproducible on one device.

use crate::dynamics::potential_eval::GradientEval;
use crate::dynamics::Params;
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::PARTICLES_SPREAD_DENSITY;
use crate::gpu::{Elem, GpuContext, GpuField};
use crate::particles::drift::ParticleSource;
use crate::particles::interpolate::{Evaluate, Interpolator};
use crate::particles::spread::{gaussian_tau, NufftGrid, Spreader, OVERSAMPLING};
use crate::system::{System, SystemOperators};
use crate::{Error, Result};

/// Half-width of the Gaussian of the spread drift, in points of the
/// oversampled grid: the f32 floor (worst drift errors 2e-6 to 5e-6 of the
/// largest gradient, the same at half-width 8; tests/particles_spread_drift.rs).
pub const SPREAD_SPAN: u32 = 6;

/// The largest grid side the spread drift serves (its oversampled grid has
/// twice as many points per axis).
pub const MAX_SPREAD_N: u32 = 4096;

/// Refuses grids the spread drift cannot serve, naming `grid.n`: it takes
/// square grids of 4 to [`MAX_SPREAD_N`] points per side.
pub fn check_grid(params: &Params) -> Result<()> {
    let shape = params.shape;
    let n = shape.n1;
    if !(4..=MAX_SPREAD_N).contains(&n) || (shape.dim() == 2 && shape.n2 != n) {
        return Err(Error::config(
            "grid.n",
            format!(
                "drift = \"spread\" serves grids of 4 to {MAX_SPREAD_N} points per side (got \
                 {n}); lower grid.n, or use particles.drift = \"fourier\""
            ),
        ));
    }
    Ok(())
}

/// One species' part of the spread drift.
#[derive(Debug)]
struct SpeciesDrift {
    spreader: Spreader,
    density: Kernel,
    density_bind: wgpu::BindGroup,
    gradient: Interpolator,
    potential: Option<Interpolator>,
}

/// The spread drift of every species, built once.
#[derive(Debug)]
pub struct SpreadDrift {
    species: Vec<SpeciesDrift>,
    gradients: GradientEval,
    /// `[rho_s^]` of the particles on the grid (S complex fields).
    state: GpuField,
    /// `W_s` at `vec2` index `2 s` (the moment table's layout).
    totals: wgpu::Buffer,
    _ops: SystemOperators,
    density_groups: [u32; 3],
    grid: NufftGrid,
    counts: Vec<u32>,
}

impl SpreadDrift {
    /// The drift of `system` on the grid of `params` (square, a power of two
    /// 4 to [`MAX_SPREAD_N`] per side) at the particles of `sources` (one
    /// per species), with the potentials' values too when `potentials`.
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        system: &System,
        sources: &[ParticleSource<'_>],
        potentials: bool,
    ) -> Result<Self> {
        check_grid(params)?;
        let shape = params.shape;
        let dim = shape.dim();
        let n = shape.n1;
        if sources.len() != system.len() {
            return Err(Error::Usage(format!(
                "the spread drift of {} species: got {} particle sets",
                system.len(),
                sources.len()
            )));
        }
        let grid = NufftGrid {
            length: params.length,
            n,
            dim,
            span: SPREAD_SPAN,
        };
        let device = &ctx.device;
        let ops = SystemOperators::new(ctx, system.clone(), shape, params.cell())?;
        let s = system.len() as u32;
        let state = GpuField::zeros(ctx, "particles.spread_state", shape, s, Elem::Complex)?;
        let totals = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("particles.spread_totals"),
            size: 16 * u64::from(s),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let gradients = GradientEval::new(ctx, params, &ops, &state.buffer)?;
        let m = OVERSAMPLING * n;
        let (n2, m2) = if dim == 2 { (n, m) } else { (1, 1) };
        let mut species = Vec::with_capacity(sources.len());
        for (field, src) in sources.iter().enumerate() {
            let field = field as u32;
            let spreader = Spreader::new(ctx, src.positions, src.weights, src.count, &grid)?;
            let density = Kernel::new(
                device,
                &PARTICLES_SPREAD_DENSITY,
                "main",
                &[
                    ("N1", f64::from(n)),
                    ("N2", f64::from(n2)),
                    ("M1", f64::from(m)),
                    ("M2", f64::from(m2)),
                    ("TAU", gaussian_tau(n, SPREAD_SPAN)),
                    ("CELL", std::f64::consts::TAU / f64::from(m)),
                    ("SCALE", 1.0 / params.cell()),
                    ("FIELD", f64::from(field)),
                ],
            )?;
            let density_bind = density.bind(
                device,
                &[&spreader.spectrum().buffer, &state.buffer, &totals],
            );
            let at = |what| {
                Interpolator::new(
                    ctx,
                    &gradients.gradients.buffer,
                    field,
                    what,
                    src.positions,
                    src.count,
                    &grid,
                )
            };
            species.push(SpeciesDrift {
                spreader,
                density,
                density_bind,
                gradient: at(Evaluate::Values)?,
                potential: if potentials {
                    Some(at(Evaluate::Potential)?)
                } else {
                    None
                },
            });
        }
        Ok(SpreadDrift {
            species,
            gradients,
            state,
            totals,
            _ops: ops,
            density_groups: folded_groups(shape.len() as u64, 64),
            grid,
            counts: sources.iter().map(|s| s.count).collect(),
        })
    }

    /// Records the whole drift: afterwards [`Self::gradient`] and
    /// [`Self::potential`] hold it at the particles' current positions.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        for s in &self.species {
            s.spreader.record(pass);
            s.density
                .dispatch(pass, &s.density_bind, self.density_groups);
        }
        self.gradients.record(pass);
        for s in &self.species {
            s.gradient.record(pass);
            if let Some(p) = &s.potential {
                p.record(pass);
            }
        }
    }

    /// Species `s`'s `grad Phi_s` at its particles (`vec2<f32>` each).
    pub fn gradient(&self, s: usize) -> &wgpu::Buffer {
        &self.species[s].gradient.output
    }

    /// Species `s`'s `Phi_s` less its mean at its particles (`vec2<f32>`
    /// each, the real part), when built with the potentials.
    pub fn potential(&self, s: usize) -> Option<&wgpu::Buffer> {
        self.species[s].potential.as_ref().map(|p| &p.output)
    }

    /// The total weights `W_s`: species s's at `vec2<f32>` index `2 s`.
    pub fn totals(&self) -> &wgpu::Buffer {
        &self.totals
    }

    /// The particles' densities on the grid after [`Self::record`]
    /// (`[rho_s^]`, S complex fields).
    pub fn state(&self) -> &GpuField {
        &self.state
    }

    /// The non-uniform transforms' sizes.
    pub fn grid(&self) -> NufftGrid {
        self.grid
    }

    /// Kernel dispatches of [`Self::record`].
    pub fn dispatches(&self) -> u32 {
        let fft = self.species[0].spreader.fft_passes();
        let per: u32 = self
            .species
            .iter()
            .map(|s| {
                let interp = 1 + u32::from(s.potential.is_some());
                // spread, read, FFT, density; per interpolation pad, FFT, gather
                3 + fft + interp * (2 + fft)
            })
            .sum();
        per + self.gradients.dispatches()
    }

    /// Device memory moved by [`Self::record`], in bytes: per particle its
    /// position and weight read by the spreading and its position read and
    /// value written per interpolation (the Gaussian's `(2 w + 1)^d`
    /// neighbours of the oversampled grid aside, which caches serve); per
    /// oversampled point the fixed-point read (8 B in, 8 out), each FFT
    /// (16 B per pass) and each padding (8 B out); per grid point the
    /// density (8 B out) and gradient spectra (16 B per species).
    pub fn bytes(&self) -> u64 {
        let m = u64::from(OVERSAMPLING * self.grid.n);
        let over = if self.grid.dim == 2 { m * m } else { m };
        let points = self.state.shape.len() as u64;
        let fft = u64::from(self.species[0].spreader.fft_passes());
        self.species
            .iter()
            .zip(&self.counts)
            .map(|(s, &n)| {
                let interp = 1 + u64::from(s.potential.is_some());
                let n = u64::from(n);
                12 * n
                    + interp * 16 * n
                    + over * (16 + 16 * fft)
                    + interp * over * (8 + 16 * fft)
                    + points * 24
            })
            .sum()
    }
}
