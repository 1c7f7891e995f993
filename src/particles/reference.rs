//! The f64 reference of one particle step ([`super::langevin`]): the
//! moments, the potential coefficients, the Fisher-Rao weight update and
//! the position update, evaluated in f64 from the same tables, the same
//! counter-based noise and the same positions and weights.

use crate::config::ParticleScheme;
use crate::particles::fourier::FourierTables;
use crate::particles::langevin::{LangevinOptions, SpeciesRates};
use crate::particles::moments::moments_cpu;
use crate::particles::rng::{counter, normals, philox4x32_10, species_key};

/// The f64 reference of one step `k` of [`super::langevin::LangevinStepper`] from `positions`
/// (per species, weights `1/n_s`), with the same tables, rates and options;
/// the Langevin dynamics only (see [`step_cpu_weighted`]).
pub fn step_cpu(
    tables: &FourierTables,
    rates: &[SpeciesRates],
    positions: &[Vec<[f64; 2]>],
    k: u64,
    options: &LangevinOptions,
) -> Vec<Vec<[f64; 2]>> {
    let weights: Vec<Vec<f64>> = positions
        .iter()
        .map(|x| vec![1.0 / x.len() as f64; x.len()])
        .collect();
    step_cpu_weighted(tables, rates, positions, &weights, k, options).0
}

/// The f64 reference of one step `k` of any dynamics from `positions` and
/// `weights` (per species, the weights as the device keeps them): the new
/// positions and weights. `tables` must be [`FourierTables::weighted`] when
/// the weights move, as [`super::langevin::LangevinStepper::tables`] then is.
pub fn step_cpu_weighted(
    tables: &FourierTables,
    rates: &[SpeciesRates],
    positions: &[Vec<[f64; 2]>],
    weights: &[Vec<f64>],
    k: u64,
    options: &LangevinOptions,
) -> (Vec<Vec<[f64; 2]>>, Vec<Vec<f64>>) {
    let mut moments = Vec::with_capacity(tables.moment_count());
    for ((x, w), modes) in positions.iter().zip(weights).zip(&tables.moment_modes) {
        moments.extend(moments_cpu(x, w, tables.length, modes));
    }
    let coeffs = tables.coefficients(&moments);
    let l = tables.length;
    let mut new_x = Vec::with_capacity(positions.len());
    let mut new_w = Vec::with_capacity(positions.len());
    for (s, (x, w)) in positions.iter().zip(weights).enumerate() {
        let key = species_key(options.seed, s as u32);
        let r = rates[s];
        let sigma = (2.0 * r.rate * r.tau * options.dt).sqrt();
        let total = tables.total_slot[s].map_or(1.0, |j| moments[j as usize].re);
        let rate_dt = options.alpha * r.rate * options.dt;
        new_w.push(if options.weighted() {
            x.iter()
                .zip(w)
                .map(|(p, w)| w / total * (-rate_dt * tables.value(s, &coeffs, *p)).exp())
                .collect()
        } else {
            w.clone()
        });
        if !options.moving() {
            new_x.push(x.clone());
            continue;
        }
        new_x.push(
            x.iter()
                .enumerate()
                .map(|(i, p)| {
                    let g = tables.gradient(s, &coeffs, *p);
                    let xi = |step: u64| normals(philox4x32_10(counter(i as u32, step, 0), key));
                    let z = match options.scheme {
                        ParticleScheme::EulerMaruyama => {
                            let a = xi(k);
                            [a[0], a[1]]
                        }
                        ParticleScheme::LeimkuhlerMatthews => {
                            let (a, b) = (xi(k), xi(k.wrapping_add(1)));
                            [0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])]
                        }
                    };
                    let mut y = [0.0; 2];
                    for d in 0..2 {
                        let noise = if d == 1 && tables.dim == 1 { 0.0 } else { z[d] };
                        let v = p[d] - options.dt * r.rate * g[d] + sigma * noise;
                        y[d] = v.rem_euclid(l);
                    }
                    y
                })
                .collect(),
        );
    }
    (new_x, new_w)
}
