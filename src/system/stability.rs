//! The stable-step estimate of docs/MATHEMATICS.md section 3.1 for any species
//! system: the game's rule (`dynamics::stability::step_estimate`) with each
//! species' own damping `eta_s tau_s |kappa|^2` and rate `eta_s`, the drift
//! speed `max_s max |grad Phi_s|` and each pair's coupling
//! `|kappa|^2 |M_sr(kappa)| / L^d`, on a coarse copy of the grid.

use std::collections::BTreeMap;

use crate::dynamics::stability::{
    block_average, coarse_params, estimate_from, subsample, StepEstimate,
};
use crate::dynamics::Params;
use crate::fft::spectral::Spectral;
use crate::gpu::Shape;
use crate::system::cpu::CpuSystem;
use crate::system::{Multiplier, Signed, System};

/// `system` with every sampled table on the coarse grid `coarse`, `f` times
/// coarser than `shape`: grid samples subsampled, multipliers given in
/// `kappa` kept at the coarse grid's wave vectors.
fn coarsened(system: &System, shape: Shape, coarse: Shape, f: usize) -> System {
    let fine = Spectral::new(shape, 1.0);
    let small = Spectral::new(coarse, 1.0);
    let mut out = system.clone();
    for sp in &mut out.species {
        if let Some(p) = &sp.potential {
            sp.potential = Some(Signed {
                value: subsample(&p.value, shape, f),
                sign: p.sign,
            });
        }
    }
    for m in &mut out.multipliers {
        *m = match m {
            Multiplier::Kernel(k) => Multiplier::Kernel(subsample(k, shape, f)),
            Multiplier::Spectrum(v) => Multiplier::Spectrum(
                (0..coarse.len())
                    .map(|p| {
                        let (m1, m2) = small.wave_vector(p);
                        v[fine.index_of(m1, m2)]
                    })
                    .collect(),
            ),
        };
    }
    out
}

/// The estimate for `params` (its scheme, grid and length) and `system`,
/// linearised about each of `states` (one density grid per species, row-major;
/// typically the stationary state and the initial densities).
pub fn system_step_estimate(
    params: &Params,
    system: &System,
    states: &[Vec<&[f32]>],
) -> StepEstimate {
    let shape = params.shape;
    let (cparams, f) = coarse_params(params);
    let coarse = cparams.shape;
    let model = CpuSystem::new(&cparams, &coarsened(system, shape, coarse, f));
    let volume = params.length.powi(shape.dim() as i32);
    let s = system.len();
    let mut speed: f64 = 0.0;
    let mut peaks = vec![0.0f64; s];
    for state in states {
        let rho: Vec<Vec<f64>> = state.iter().map(|r| block_average(r, shape, f)).collect();
        for (peak, r) in peaks.iter_mut().zip(&rho) {
            *peak = r.iter().fold(*peak, |m, x| m.max(*x));
        }
        let spectra: Vec<_> = rho.iter().map(|r| model.spectrum(r)).collect();
        for phi in model.potentials(&spectra, true) {
            let (gx, gy) = model.gradient(&phi);
            speed = gx
                .iter()
                .zip(&gy)
                .fold(speed, |m, (x, y)| m.max(x.hypot(*y)));
        }
    }
    // Each pair's coupling by wave number, as the game's: the response of
    // Phi_target to a mode of rho_source, scaled by the geometric mean of
    // the pair's peak densities relative to the uniform one; binned by |kappa|
    // in eighths of the unit.
    let unit = std::f64::consts::TAU / params.length;
    let bin = |kappa: f64| (8.0 * kappa / unit).round() as i64;
    let mut bins = BTreeMap::<i64, f64>::new();
    let spectra: Vec<Vec<num_complex::Complex64>> = (0..s)
        .map(|r| {
            // The potentials of a unit impulse in every mode: M_sr itself.
            let mut one = vec![vec![num_complex::Complex64::default(); coarse.len()]; s];
            one[r] = vec![num_complex::Complex64::new(1.0, 0.0); coarse.len()];
            model
                .potentials(&one, false)
                .into_iter()
                .flatten()
                .collect()
        })
        .collect();
    for (r, response) in spectra.iter().enumerate() {
        for t in 0..s {
            let rho_rel = ((peaks[t] * peaks[r]).sqrt() * volume).max(1.0);
            for p in 1..coarse.len() {
                let m = response[t * coarse.len() + p];
                let k2 = model.spectral.kappa2(p);
                if m.norm() > 0.0 {
                    let b = bins.entry(bin(k2.sqrt())).or_insert(0.0);
                    *b = b.max(rho_rel * k2 * m.norm() / volume);
                }
            }
        }
    }
    let fields: Vec<(f64, f64)> = system
        .species
        .iter()
        .map(|sp| (sp.rate * sp.tau, sp.rate))
        .collect();
    estimate_from(params, speed, &bins, &fields)
}
