//! Langevin particles of a species system on the GPU (docs/MATHEMATICS.md
//! section 9), with the drift by direct Fourier sums ([`super::fourier`])
//! or through the grid ([`super::spread_drift`]), or its convolutions over
//! all pairs ([`super::pairs`]), both evaluated at the particles before the
//! updates read them:
//!
//! ```text
//! X_s^i <- X_s^i - dt eta_s grad Phi_s[m](X_s^i) + sqrt(2 eta_s tau_s dt) noise
//! ```
//!
//! with `noise = xi_k` (Euler-Maruyama) or `(xi_k + xi_{k+1}) / 2`
//! (Leimkuhler-Matthews), `xi_k` the generator's normals at counter
//! `(i, k)` under the key of `(seed, s)` ([`super::rng`]). A step is, in
//! one command buffer and with no host round trip: the moments each
//! species' drift reads (fixed-order reductions), the potential
//! coefficients, one position update per species, and the step counter's
//! tick, so the result is bit-reproducible on one device whatever the
//! workgroup size. [`super::reference`] has the f64 reference of one step.
//!
//! With `dynamics = "wfr"` (Wasserstein-Fisher-Rao) every particle also
//! carries a weight, which takes the Fisher-Rao step at its old position,
//!
//! ```text
//! w_i <- (w_i / W_s) exp(-alpha eta_s dt Phi_s(X_i)),   W_s = sum_j w_j,
//! ```
//!
//! and the potentials feel the weighted measures `sum_j w_j delta_{X_j} /
//! W_s`; `"mirror"` moves the weights alone. The weights are kept
//! unnormalised on the device (`W_s` is the moment at mode 0 the drift
//! reduces anyway), which is the relative update of section 9 up to the
//! constant that the normalisation removes.

use crate::config::{DriftMethod, Dynamics, ParticleScheme};
use crate::gpu::field::{read_buffer, storage_init};
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::{PARTICLES_LANGEVIN, PARTICLES_TICK};
use crate::gpu::GpuContext;
use crate::particles::direct_sums::DirectSums;
use crate::particles::drift::{Drift, External, ParticleSource};
use crate::particles::fourier::FourierTables;
use crate::particles::moments::Moments;
use crate::particles::pairs::PairDrift;
use crate::particles::rng::species_key;
use crate::particles::spread_drift::SpreadDrift;
use crate::system::System;
use crate::{Error, Result};

/// The step settings shared by every species.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LangevinOptions {
    /// Time step dt > 0.
    pub dt: f64,
    /// Euler-Maruyama or Leimkuhler-Matthews.
    pub scheme: ParticleScheme,
    /// Seed of the noise.
    pub seed: u64,
    /// Threads per workgroup of the position update (a power of two, 1 to
    /// 256; the result does not depend on it).
    pub wg_size: u32,
    /// What moves: positions (`langevin`), positions and weights (`wfr`),
    /// or weights alone (`mirror`).
    pub dynamics: Dynamics,
    /// Fisher-Rao rate alpha > 0 of the weights (`wfr` and `mirror`;
    /// ignored by `langevin`).
    pub alpha: f64,
}

impl LangevinOptions {
    /// True when the weights move.
    pub fn weighted(&self) -> bool {
        self.dynamics != Dynamics::Langevin
    }

    /// True when the positions move.
    pub fn moving(&self) -> bool {
        self.dynamics != Dynamics::Mirror
    }
}

/// One species' temperature and rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeciesRates {
    /// Temperature tau_s > 0.
    pub tau: f64,
    /// Rate eta_s > 0.
    pub rate: f64,
}

impl SpeciesRates {
    /// The temperature and rate of every species of `system`, in order.
    pub fn of(system: &System) -> Vec<SpeciesRates> {
        system
            .species
            .iter()
            .map(|s| SpeciesRates {
                tau: s.tau,
                rate: s.rate,
            })
            .collect()
    }
}

/// One species' particles on the GPU.
#[derive(Debug)]
struct SpeciesParticles {
    count: u32,
    positions: wgpu::Buffer,
    weights: wgpu::Buffer,
    /// The moments its potential's rows read of it (and its total weight,
    /// when the weights move), if any.
    moments: Option<Moments>,
    update: Kernel,
    bind: wgpu::BindGroup,
    groups: [u32; 3],
}

/// Langevin particles of every species, their drift tables and step counter.
#[derive(Debug)]
pub struct LangevinStepper {
    tables: FourierTables,
    species: Vec<SpeciesParticles>,
    sums: DirectSums,
    clock: wgpu::Buffer,
    tick: Kernel,
    tick_bind: wgpu::BindGroup,
    step: u64,
    weighted: bool,
    moving: bool,
    /// The drift evaluated before the updates, when not by direct sums alone.
    external: Option<External>,
    _unused: wgpu::Buffer,
}

impl LangevinStepper {
    /// Particles at `positions` (per species, `(x, y)` in [0, L), `y = 0`
    /// in 1D; one entry per species, each non-empty) with the rates `rates`
    /// (one per species), at step 0, each weight `1/n_s`, their drift by
    /// `drift` (Fourier tables, [`Drift::Spread`] or [`Drift::Pairs`]).
    /// Tables for weights that move are made [`FourierTables::weighted`]
    /// here.
    pub fn new(
        ctx: &GpuContext,
        drift: impl Into<Drift>,
        rates: &[SpeciesRates],
        positions: &[Vec<[f64; 2]>],
        options: LangevinOptions,
    ) -> Result<Self> {
        let drift = drift.into();
        let tables = match &drift {
            Drift::Fourier(t) | Drift::Pairs { tables: t, .. } => {
                if options.weighted() && t.total_slot.iter().any(Option::is_none) {
                    t.clone().weighted()
                } else {
                    t.clone()
                }
            }
            Drift::Spread { params, system } => {
                FourierTables::empty(params.length, params.shape.dim(), system.len())
            }
        };
        let s = tables.species();
        if options.weighted() && !(options.alpha.is_finite() && options.alpha > 0.0) {
            return Err(Error::Usage(format!(
                "dynamics \"{}\" needs a Fisher-Rao rate alpha > 0, got {}",
                options.dynamics.as_str(),
                options.alpha
            )));
        }
        if rates.len() != s || positions.len() != s {
            return Err(Error::Usage(format!(
                "Langevin particles of {s} species: got {} rates and {} position sets",
                rates.len(),
                positions.len()
            )));
        }
        if !(options.dt.is_finite() && options.dt > 0.0) {
            return Err(Error::Usage(format!(
                "Langevin particles: the step dt = {} must be positive",
                options.dt
            )));
        }
        let wg = options.wg_size;
        if !wg.is_power_of_two() || wg > 256 {
            return Err(Error::Usage(format!(
                "workgroup size {wg}: a power of two up to 256"
            )));
        }
        let device = &ctx.device;
        let limit = ctx.max_binding_bytes();
        let sums = DirectSums::new(ctx, &tables)?;
        let clock = storage_init(ctx, "particles.clock", &[0u8; 8], true);
        let tick = Kernel::new(device, &PARTICLES_TICK, "main", &[])?;
        let tick_bind = tick.bind(device, &[&clock]);
        let mut buffers = Vec::with_capacity(s);
        for (i, x) in positions.iter().enumerate() {
            let count = u32::try_from(x.len())
                .ok()
                .filter(|&c| c > 0)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "species {i}: {} particles; give 1 to {} per species",
                        x.len(),
                        u32::MAX
                    ))
                })?;
            if 8 * u64::from(count) > limit {
                return Err(Error::Usage(format!(
                    "species {i}: {count} particles need {} bytes of positions in one binding; \
                     this device binds at most {limit}, that is {} particles",
                    8 * u64::from(count),
                    limit / 8
                )));
            }
            let flat: Vec<[f32; 2]> = x.iter().map(|p| [p[0] as f32, p[1] as f32]).collect();
            let positions = storage_init(
                ctx,
                "particles.positions",
                bytemuck::cast_slice(&flat),
                true,
            );
            let w = vec![(1.0 / f64::from(count)) as f32; count as usize];
            let weights = storage_init(ctx, "particles.weights", bytemuck::cast_slice(&w), true);
            buffers.push((count, positions, weights));
        }
        let sources: Vec<ParticleSource<'_>> = buffers
            .iter()
            .map(|(count, positions, weights)| ParticleSource {
                positions,
                weights,
                count: *count,
            })
            .collect();
        let external = External::new(ctx, &drift, &tables, &sources, options.weighted())?;
        drop(sources);
        // Bound in place of the external drift's buffers by the direct sums.
        let unused = storage_init(ctx, "particles.unused", &[], false);
        let mut species = Vec::with_capacity(s);
        for (i, ((count, positions, weights), r)) in buffers.into_iter().zip(rates).enumerate() {
            let modes = &tables.moment_modes[i];
            let own = if modes.is_empty() {
                None
            } else {
                Some(Moments::new(
                    ctx,
                    &positions,
                    &weights,
                    count,
                    tables.length,
                    modes,
                )?)
            };
            let key = species_key(options.seed, i as u32);
            let (first, end) = tables.rows[i];
            let lm = options.scheme == ParticleScheme::LeimkuhlerMatthews;
            let total = match &external {
                Some(External::Spread(_)) => i as u32,
                _ => tables.total_slot[i].unwrap_or(0),
            };
            let update = Kernel::new(
                device,
                &PARTICLES_LANGEVIN,
                "main",
                &[
                    ("COUNT", f64::from(count)),
                    ("ROW0", first as f64),
                    ("ROWS", (end - first) as f64),
                    ("DIM", f64::from(tables.dim)),
                    ("LENGTH", tables.length),
                    ("DT_ETA", options.dt * r.rate),
                    ("SIGMA", (2.0 * r.rate * r.tau * options.dt).sqrt()),
                    ("LM", if lm { 1.0 } else { 0.0 }),
                    ("KEY_LO", f64::from(key[0])),
                    ("KEY_HI", f64::from(key[1])),
                    ("WG_SIZE", f64::from(wg)),
                    ("MOVE", f64::from(u8::from(options.moving()))),
                    ("WEIGH", f64::from(u8::from(options.weighted()))),
                    ("RATE_DT", options.alpha * r.rate * options.dt),
                    ("TOTAL", f64::from(total)),
                    ("EXTERNAL", f64::from(u8::from(external.is_some()))),
                ],
            )?;
            let (table, gradient, potential) = match &external {
                Some(External::Spread(d)) => {
                    (d.totals(), d.gradient(i), d.potential(i).unwrap_or(&unused))
                }
                Some(External::Pairs(d)) => (sums.moments(), d.gradient(i), d.value(i)),
                None => (sums.moments(), &unused, &unused),
            };
            let bind = update.bind(
                device,
                &[
                    &positions,
                    sums.coeffs(),
                    sums.row_modes(),
                    &clock,
                    sums.row_grad(),
                    &weights,
                    table,
                    gradient,
                    potential,
                ],
            );
            species.push(SpeciesParticles {
                count,
                positions,
                weights,
                moments: own,
                update,
                bind,
                groups: folded_groups(u64::from(count), wg),
            });
        }
        Ok(LangevinStepper {
            tables,
            species,
            sums,
            clock,
            tick,
            tick_bind,
            step: 0,
            weighted: options.weighted(),
            moving: options.moving(),
            external,
            _unused: unused,
        })
    }

    /// The direct sums' tables (without rows under the spread drift).
    pub fn tables(&self) -> &FourierTables {
        &self.tables
    }

    /// Number of species.
    pub fn species(&self) -> usize {
        self.species.len()
    }

    /// The drift method: `Fourier`, `Spread` or `Pairs`.
    pub fn drift_method(&self) -> DriftMethod {
        match &self.external {
            None => DriftMethod::Fourier,
            Some(External::Spread(_)) => DriftMethod::Spread,
            Some(External::Pairs(_)) => DriftMethod::Pairs,
        }
    }

    /// The spread drift, when it is the drift.
    pub fn spread(&self) -> Option<&SpreadDrift> {
        match &self.external {
            Some(External::Spread(d)) => Some(d),
            _ => None,
        }
    }

    /// The all-pairs drift of the convolutions, when it is used.
    pub fn pairs(&self) -> Option<&PairDrift> {
        match &self.external {
            Some(External::Pairs(d)) => Some(d),
            _ => None,
        }
    }

    /// Steps taken so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Particles of species `s`.
    pub fn count(&self, s: usize) -> u32 {
        self.species[s].count
    }

    /// Species `s`'s positions buffer (`count` `vec2<f32>`).
    pub fn positions_buffer(&self, s: usize) -> &wgpu::Buffer {
        &self.species[s].positions
    }

    /// True when the weights move (`wfr`, `mirror`).
    pub fn weighted(&self) -> bool {
        self.weighted
    }

    /// Species `s`'s weights buffer (`count` f32, each `1/count` at the
    /// start; unnormalised once they move).
    pub fn weights_buffer(&self, s: usize) -> &wgpu::Buffer {
        &self.species[s].weights
    }

    /// Records one step into `encoder`.
    fn record_step(&self, encoder: &mut wgpu::CommandEncoder) {
        if self.species.iter().any(|s| s.moments.is_some()) {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for s in &self.species {
                if let Some(m) = &s.moments {
                    m.record(&mut pass);
                }
            }
        }
        for (i, s) in self.species.iter().enumerate() {
            if let Some(m) = &s.moments {
                let first = 16 * self.tables.moment_first[i] as u64;
                let bytes = 16 * self.tables.moment_modes[i].len() as u64;
                encoder.copy_buffer_to_buffer(m.result(), 0, self.sums.moments(), first, bytes);
            }
        }
        let mut pass = encoder.begin_compute_pass(&Default::default());
        if let Some(d) = &self.external {
            d.record(&mut pass);
        }
        self.sums.record(&mut pass);
        for s in &self.species {
            s.update.dispatch(&mut pass, &s.bind, s.groups);
        }
        self.tick.dispatch(&mut pass, &self.tick_bind, [1, 1, 1]);
    }

    /// Takes `steps` steps (submitted in batches; does not wait).
    pub fn advance(&mut self, ctx: &GpuContext, steps: u64) {
        const BATCH: u64 = 64;
        let mut left = steps;
        while left > 0 {
            let now = left.min(BATCH);
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            for _ in 0..now {
                self.record_step(&mut encoder);
            }
            ctx.queue.submit([encoder.finish()]);
            left -= now;
        }
        self.step += steps;
    }

    /// Sets the step counter (a resumed run's).
    pub fn set_step(&mut self, ctx: &GpuContext, step: u64) {
        let words = [step as u32, (step >> 32) as u32];
        ctx.queue
            .write_buffer(&self.clock, 0, bytemuck::cast_slice(&words));
        self.step = step;
    }

    /// Species `s`'s positions, read back (blocking): `(x, y)` per particle.
    pub fn positions(&self, ctx: &GpuContext, s: usize) -> Result<Vec<[f32; 2]>> {
        let p = &self.species[s];
        let v = read_buffer(ctx, &p.positions, 8 * u64::from(p.count))?;
        Ok(v.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
    }

    /// Species `s`'s weights, read back (blocking), as the device keeps
    /// them: their sum is near but not exactly one once they move.
    pub fn weights(&self, ctx: &GpuContext, s: usize) -> Result<Vec<f32>> {
        let p = &self.species[s];
        read_buffer(ctx, &p.weights, 4 * u64::from(p.count))
    }

    /// Replaces species `s`'s weights (`count` of them, positive).
    pub fn set_weights(&self, ctx: &GpuContext, s: usize, w: &[f32]) -> Result<()> {
        let p = &self.species[s];
        if w.len() != p.count as usize {
            return Err(Error::Usage(format!(
                "species {s}: {} weights for {} particles",
                w.len(),
                p.count
            )));
        }
        ctx.queue
            .write_buffer(&p.weights, 0, bytemuck::cast_slice(w));
        Ok(())
    }

    /// Replaces species `s`'s positions (`count` of them, in [0, L)).
    pub fn set_positions(&self, ctx: &GpuContext, s: usize, x: &[[f32; 2]]) -> Result<()> {
        let p = &self.species[s];
        if x.len() != p.count as usize {
            return Err(Error::Usage(format!(
                "species {s}: {} positions for {} particles",
                x.len(),
                p.count
            )));
        }
        ctx.queue
            .write_buffer(&p.positions, 0, bytemuck::cast_slice(x));
        Ok(())
    }

    /// Device memory moved per step, in bytes: each particle's position read
    /// and written by its update (read only when it stays put) and position
    /// and weight read once per moment pass, plus its weight read and
    /// written when the weights move; under the spread or all-pairs drift
    /// the values its update reads (gradient, and potential when the weights
    /// move) and [`SpreadDrift::bytes`] or [`PairDrift::bytes`]; the
    /// coefficient tables and the moment partials aside.
    pub fn bytes_per_step(&self) -> u64 {
        let position = if self.moving { 16 } else { 8 };
        let update = position + if self.weighted { 8 } else { 0 };
        let drift = match &self.external {
            Some(_) => 8 + if self.weighted { 8 } else { 0 },
            None => 0,
        };
        let particles: u64 = self
            .species
            .iter()
            .map(|s| {
                let reads = if s.moments.is_some() { 12 } else { 0 };
                u64::from(s.count) * (update + reads + drift)
            })
            .sum();
        particles + self.external.as_ref().map_or(0, External::bytes)
    }

    /// Kernel dispatches per step.
    pub fn dispatches_per_step(&self) -> u32 {
        let moments: u32 = self
            .species
            .iter()
            .filter_map(|s| s.moments.as_ref().map(Moments::dispatches))
            .sum();
        let coeffs = self.sums.dispatches();
        let external = self.external.as_ref().map_or(0, External::dispatches);
        moments + coeffs + external + self.species.len() as u32 + 1
    }
}
