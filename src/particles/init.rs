//! Initial particles drawn exactly from a grid density, by inverse
//! transform (docs/MATHEMATICS.md section 9).
//!
//! The grid values `rho_j` at the points `x_j = j h` are read as the
//! piecewise-constant density equal to `rho_j` on the cell of side h centred
//! at `x_j` (the midpoint rule the grid's integrals use). A particle picks
//! cell j with probability `rho_j h^d / sum` by inverse transform of the
//! cumulative sum (a 53-bit uniform, binary search), then a uniform point
//! of the cell. Its characteristic function is that of the grid density
//! times `sinc(kappa_a h / 2)` per axis ([`cell_moments`]), so a test can
//! check the draws against it exactly. The uniforms are the counter-based
//! generator's ([`super::rng`]) at the reserved step `u64::MAX`, so the
//! draws depend on (seed, species, particle) alone.

use num_complex::Complex64;

use super::rng::{counter, philox4x32_10, species_key};
use crate::fft::cpu::fft;
use crate::fft::spectral::Spectral;
use crate::fft::Direction;
use crate::gpu::Shape;
use crate::{Error, Result};

/// The step of the counter reserved for the initial draws.
pub const INIT_STEP: u64 = u64::MAX;

/// `count` particles drawn from the density `rho` (shape `(n2, n1)`,
/// row-major, nonnegative, positive mass) on the torus of side `length`:
/// positions `(x, y)` in [0, L), `y = 0` in 1D; particle i from the
/// generator's block 0 at counter `(i, INIT_STEP)` under `(seed, species)`.
/// `field` names the density in errors.
pub fn sample_density(
    field: &str,
    rho: &[f32],
    shape: Shape,
    length: f64,
    seed: u64,
    species: u32,
    count: u32,
) -> Result<Vec<[f64; 2]>> {
    let n = shape.len();
    if rho.len() != n {
        return Err(Error::Data {
            field: field.into(),
            message: format!("{} values for a {shape} grid", rho.len()),
        });
    }
    if let Some(i) = rho.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::Data {
            field: field.into(),
            message: format!(
                "particles are drawn from a density, but the value at grid index {i} is {}",
                rho[i]
            ),
        });
    }
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0f64;
    for &v in rho {
        total += f64::from(v);
        cdf.push(total);
    }
    if total <= 0.0 {
        return Err(Error::Data {
            field: field.into(),
            message: "the density has no mass to draw particles from".into(),
        });
    }
    // The last cell with mass: where a target that rounds up to the total
    // lands.
    let last = rho.iter().rposition(|&v| v > 0.0).unwrap_or(0);
    let h = length / f64::from(shape.n1);
    let key = species_key(seed, species);
    let scale32 = 1.0 / 4_294_967_296.0;
    Ok((0..count)
        .map(|i| {
            let w = philox4x32_10(counter(i, INIT_STEP, 0), key);
            // A 53-bit uniform in [0, 1) from words 0 and 1.
            let u = ((u64::from(w[0]) << 21) ^ u64::from(w[1] >> 11)) as f64 / (1u64 << 53) as f64;
            let target = u * total;
            // The first cell whose cumulative mass exceeds the target: never
            // an empty cell, whose cumulative mass equals its predecessor's.
            let j = cdf.partition_point(|&c| c <= target).min(last);
            let (j1, j2) = (j % shape.n1 as usize, j / shape.n1 as usize);
            let ux = f64::from(w[2]) * scale32 - 0.5;
            let x = ((j1 as f64 + ux) * h).rem_euclid(length);
            let y = if shape.dim() == 2 {
                let uy = f64::from(w[3]) * scale32 - 0.5;
                ((j2 as f64 + uy) * h).rem_euclid(length)
            } else {
                0.0
            };
            [x, y]
        })
        .collect())
}

/// The characteristic function `∫ exp(-i kappa . x) rho(x) dx` of the
/// piecewise-constant density of [`sample_density`] (normalised to mass 1)
/// at the integer wave vectors `modes` (`kappa = 2 pi k / L`): the
/// [`point_moments`] times `sinc(kappa_a h / 2)` for each axis of the grid.
pub fn cell_moments(rho: &[f32], shape: Shape, length: f64, modes: &[[i32; 2]]) -> Vec<Complex64> {
    let h = length / f64::from(shape.n1);
    let unit = std::f64::consts::TAU / length;
    let sinc = |t: f64| if t == 0.0 { 1.0 } else { t.sin() / t };
    point_moments(rho, shape, length, modes)
        .into_iter()
        .zip(modes)
        .map(|(m, k)| {
            let mut factor = sinc(unit * f64::from(k[0]) * h / 2.0);
            if shape.dim() == 2 {
                factor *= sinc(unit * f64::from(k[1]) * h / 2.0);
            }
            m * factor
        })
        .collect()
}

/// The characteristic function of the grid density `rho` read as smooth
/// (the midpoint rule, spectrally accurate for a smooth periodic density):
/// `sum_j rho_j h^d exp(-i kappa . x_j) / mass` at the integer wave vectors
/// `modes`, one f64 FFT of the grid read at `k` mod the grid.
pub fn point_moments(rho: &[f32], shape: Shape, length: f64, modes: &[[i32; 2]]) -> Vec<Complex64> {
    let mass: f64 = rho.iter().map(|&v| f64::from(v)).sum();
    let mut z: Vec<Complex64> = rho
        .iter()
        .map(|&v| Complex64::new(f64::from(v), 0.0))
        .collect();
    fft(&mut z, shape, 1, Direction::Forward);
    let spectral = Spectral::new(shape, length);
    modes
        .iter()
        .map(|k| z[spectral.index_of(i64::from(k[0]), i64::from(k[1]))] / mass)
        .collect()
}
