//! Species systems for tests: random ones with every kind of term, and pure
//! convolution systems of sampled kernels.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::Arc;

use mflda::dynamics::{Params, Scheme};
use mflda::gpu::Shape;
use mflda::system::cpu::CpuSystem;
use mflda::system::{BandMatrix, BandTerm, Convolution, Multiplier, Signed, Species, System};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::common::{hermitian_band, smooth_field};

pub const TWO_PI: f64 = std::f64::consts::TAU;

/// Parameters on the 2 pi torus with the species' own tau and eta, and the
/// Fisher-Rao rate `fisher_rao`.
pub fn params(shape: Shape, dt: f64, dealias: bool, scheme: Scheme, fisher_rao: f64) -> Params {
    Params {
        shape,
        length: TWO_PI,
        tau: f64::NAN,
        eta: f64::NAN,
        dt,
        dealias,
        scheme,
        fisher_rao,
    }
}

pub fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

pub fn sign(rng: &mut ChaCha8Rng) -> f32 {
    if rng.random_bool(0.5) {
        1.0
    } else {
        -1.0
    }
}

/// A random system of `s` species on `shape`: potentials on about half of
/// the species, two kernel multipliers and one given spectrum (Hermitian),
/// convolution terms on most (target, source) pairs with random signs and
/// reflections, and band-limited terms through one shared matrix.
pub fn random_system(rng: &mut ChaCha8Rng, s: usize, shape: Shape) -> System {
    let species = (0..s)
        .map(|i| Species {
            name: format!("s{i}"),
            tau: rng.random_range(0.2..0.6),
            rate: rng.random_range(0.5..1.5),
            potential: rng.random_bool(0.5).then(|| Signed {
                value: f32s(&smooth_field(rng, shape, 3, 0.5)),
                sign: sign(rng),
            }),
        })
        .collect();
    let cpu = CpuSystem::new(
        &params(shape, 0.0, false, Scheme::Etdrk4, 0.0),
        &System {
            species: vec![],
            multipliers: vec![],
            convolutions: vec![],
            matrices: vec![],
            bands: vec![],
        },
    );
    let cell = TWO_PI.powi(shape.dim() as i32) / shape.len() as f64;
    let given: Vec<[f32; 2]> = cpu
        .spectrum(&smooth_field(rng, shape, 3, 0.6))
        .iter()
        .map(|c| [(c.re * cell) as f32, (c.im * cell) as f32])
        .collect();
    let multipliers = vec![
        Multiplier::Kernel(f32s(&smooth_field(rng, shape, 3, 0.8))),
        Multiplier::Kernel(f32s(&smooth_field(rng, shape, 2, 0.5))),
        Multiplier::Spectrum(given),
    ];
    let mut convolutions = Vec::new();
    let mut bands = Vec::new();
    for target in 0..s {
        for source in 0..s {
            if rng.random_bool(0.7) {
                convolutions.push(Convolution {
                    target,
                    source,
                    multiplier: rng.random_range(0..3),
                    conjugate: rng.random_bool(0.5),
                    sign: sign(rng),
                });
            }
            if rng.random_bool(0.3) {
                bands.push(BandTerm {
                    target,
                    source,
                    matrix: 0,
                    transpose: rng.random_bool(0.5),
                    sign: sign(rng),
                });
            }
        }
    }
    System {
        species,
        multipliers,
        convolutions,
        matrices: vec![BandMatrix {
            modes: 2,
            coeffs: Arc::new(hermitian_band(rng, 2, shape.dim())),
        }],
        bands,
    }
}

/// A pure convolution system whose kernels are sampled on the grid: the
/// species and the convolution terms `(target, source, kernel, conjugate,
/// sign)`.
pub fn convolution_system(
    shape: Shape,
    species: &[(f64, f64)],
    kernels: &[&dyn Fn(f64) -> f64],
    terms: &[(usize, usize, usize, bool, f32)],
) -> System {
    let h = TWO_PI / shape.n1 as f64;
    System {
        species: species
            .iter()
            .enumerate()
            .map(|(i, &(tau, rate))| Species {
                name: format!("s{i}"),
                tau,
                rate,
                potential: None,
            })
            .collect(),
        multipliers: kernels
            .iter()
            .map(|k| Multiplier::Kernel((0..shape.n1).map(|j| k(j as f64 * h) as f32).collect()))
            .collect(),
        convolutions: terms
            .iter()
            .map(
                |&(target, source, multiplier, conjugate, sign)| Convolution {
                    target,
                    source,
                    multiplier,
                    conjugate,
                    sign,
                },
            )
            .collect(),
        matrices: vec![],
        bands: vec![],
    }
}
