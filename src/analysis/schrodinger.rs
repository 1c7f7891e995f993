//! The Schrodinger form of the Gibbs generator, discretised spectrally on the
//! torus grid, in f64 on the host (docs/MATHEMATICS.md section 6).
//!
//! For `rho* ~ exp(-W)` the generator `L f = -Lap f + grad W . grad f` is
//! unitarily equivalent (`f = psi / sqrt(rho*)`) to
//!
//! ```text
//! H = -Lap + q,   q = |grad W|^2 / 4 - Lap W / 2,   H sqrt(rho*) = 0,
//! ```
//!
//! so the Poincare constant `lambda_1` is the second eigenvalue of `H`. On the
//! grid `-Lap` multiplies mode `m` by `|kappa_m|^2` (Nyquist kept, as even
//! operators do), `grad W` multiplies by `i kappa_m` with the Nyquist component
//! zeroed (as odd derivatives do) and `q` acts pointwise. The discrete `H` is
//! symmetric for the plain Euclidean inner product of grid values; its ground
//! state is not exactly `psi_0 = sqrt(rho*)`, so the Poincare constant is taken
//! as the smallest eigenvalue of `H` compressed to the orthogonal complement of
//! `psi_0`.
//!
//! Grids are row-major `(n2, n1)`, numpy's DFT conventions (`crate::fft::cpu`).

use num_complex::Complex64;

use crate::dynamics::Params;
use crate::fft::spectral::Spectral;
use crate::fft::{cpu, Direction};
use crate::gpu::Shape;
use crate::{Error, Result};

/// The discretised operator `H = -Lap + q` of a log-density on a grid.
#[derive(Debug, Clone)]
pub struct Schrodinger {
    /// Grid shape `(n2, n1)`.
    pub shape: Shape,
    /// Side length `L` of the torus.
    pub length: f64,
    /// `q = |grad W|^2 / 4 - Lap W / 2` at each grid point, row-major, `n2 * n1`.
    pub q: Vec<f64>,
    /// `psi_0 = sqrt(rho*)` at each grid point, scaled to unit Euclidean norm.
    pub psi: Vec<f64>,
    /// `osc W = max W - min W` over the grid.
    pub osc: f64,
}

/// `|kappa|^2` of every grid point of `shape`, row-major `(n2, n1)`.
pub fn kappa_squared(shape: Shape, length: f64) -> Vec<f64> {
    let spectral = Spectral::new(shape, length);
    (0..shape.len()).map(|p| spectral.kappa2(p)).collect()
}

/// Checks the grid and the side length of `params`.
pub fn check_params(params: &Params) -> Result<()> {
    let s = params.shape;
    if s.n1 < 2 || s.n2 == 0 {
        return Err(Error::Usage(format!(
            "a Poincare constant needs a grid with at least 2 points per side, got {s}"
        )));
    }
    if !(params.length.is_finite() && params.length > 0.0) {
        return Err(Error::Data {
            field: "params.length".into(),
            message: format!(
                "the side length must be finite and positive, got {}",
                params.length
            ),
        });
    }
    Ok(())
}

/// Checks that `log_density` has one finite value per grid point; the error
/// names the length or the first bad point `[j2, j1]`.
pub fn check_log_density<T: Copy + Into<f64>>(shape: Shape, log_density: &[T]) -> Result<()> {
    if log_density.len() != shape.len() {
        return Err(Error::Data {
            field: "log_density".into(),
            message: format!(
                "{} values given for a {shape} grid, which has {} points (row-major (n2, n1))",
                log_density.len(),
                shape.len()
            ),
        });
    }
    if let Some(i) = log_density.iter().position(|&v| !v.into().is_finite()) {
        let n1 = shape.n1 as usize;
        return Err(Error::Data {
            field: "log_density".into(),
            message: format!(
                "the value at [{}, {}] is {}: log rho* must be finite everywhere (a density \
                 that vanishes somewhere has no Poincare constant)",
                i / n1,
                i % n1,
                log_density[i].into()
            ),
        });
    }
    Ok(())
}

impl Schrodinger {
    /// Builds `q` and `psi_0` from `log rho*` on the grid of `params` (any
    /// additive constant), after checking the input.
    pub fn new(params: &Params, log_density: &[f64]) -> Result<Self> {
        check_params(params)?;
        let shape = params.shape;
        check_log_density(shape, log_density)?;
        let n2 = shape.n2 as usize;
        let length = params.length;

        let mut w_hat: Vec<Complex64> = log_density
            .iter()
            .map(|&l| Complex64::new(-l, 0.0))
            .collect();
        cpu::fft(&mut w_hat, shape, 1, Direction::Forward);
        // q accumulates -Lap W / 2, then |d_1 W|^2 / 4 and |d_2 W|^2 / 4, each
        // derivative through one scratch transform.
        let mut q = vec![0.0; shape.len()];
        let mut scratch = vec![Complex64::default(); shape.len()];
        let terms = if n2 > 1 { 3 } else { 2 };
        let spectral = Spectral::new(shape, length);
        for term in 0..terms {
            for (p, z) in scratch.iter_mut().enumerate() {
                let (k1_odd, k2_odd) = spectral.kappa_odd(p);
                *z = match term {
                    0 => -w_hat[p] * spectral.kappa2(p),
                    1 => Complex64::new(0.0, k1_odd) * w_hat[p],
                    _ => Complex64::new(0.0, k2_odd) * w_hat[p],
                };
            }
            cpu::fft(&mut scratch, shape, 1, Direction::Inverse);
            for (q, d) in q.iter_mut().zip(&scratch) {
                *q += if term == 0 {
                    -0.5 * d.re
                } else {
                    0.25 * d.re * d.re
                };
            }
        }
        if q.iter().any(|v| !v.is_finite()) {
            return Err(Error::Data {
                field: "log_density".into(),
                message: "|grad W|^2 / 4 - Lap W / 2 overflows: log rho* varies too fast \
                          for the grid"
                    .into(),
            });
        }

        let max = log_density.iter().copied().fold(f64::MIN, f64::max);
        let min = log_density.iter().copied().fold(f64::MAX, f64::min);
        let mut psi: Vec<f64> = log_density
            .iter()
            .map(|&l| (0.5 * (l - max)).exp())
            .collect();
        let norm = psi.iter().map(|v| v * v).sum::<f64>().sqrt();
        psi.iter_mut().for_each(|v| *v /= norm);
        Ok(Schrodinger {
            shape,
            length,
            q,
            psi,
            osc: max - min,
        })
    }

    /// `H x` for a real grid field `x` (row-major, `n2 * n1` values).
    pub fn apply(&self, x: &[f64]) -> Result<Vec<f64>> {
        if x.len() != self.shape.len() {
            return Err(Error::Usage(format!(
                "H applied to {} values on a {} grid",
                x.len(),
                self.shape
            )));
        }
        let mut z: Vec<Complex64> = x.iter().map(|&v| Complex64::new(v, 0.0)).collect();
        cpu::fft(&mut z, self.shape, 1, Direction::Forward);
        for (v, k2) in z.iter_mut().zip(kappa_squared(self.shape, self.length)) {
            *v *= k2;
        }
        cpu::fft(&mut z, self.shape, 1, Direction::Inverse);
        Ok(z.iter()
            .zip(x.iter().zip(&self.q))
            .map(|(l, (v, q))| l.re + q * v)
            .collect())
    }

    /// `||H psi_0||_2`: how far the discrete ground state is from `sqrt(rho*)`
    /// (zero up to round-off when the grid resolves `rho*`).
    pub fn ground_defect(&self) -> f64 {
        self.apply(&self.psi)
            .map(|h| h.iter().map(|v| v * v).sum::<f64>().sqrt())
            .unwrap_or(f64::NAN)
    }

    /// The Holley-Stroock lower bound `(2 pi / L)^2 exp(-osc W)`.
    pub fn holley_stroock(&self) -> f64 {
        (std::f64::consts::TAU / self.length).powi(2) * (-self.osc).exp()
    }

    /// The mean of `q` over the grid (non-negative up to round-off: the mean of
    /// `Lap W` vanishes).
    pub fn mean_q(&self) -> f64 {
        self.q.iter().sum::<f64>() / self.q.len() as f64
    }
}

/// The discrete Hartley transform `X_m = sum_j x_j cas(kappa_m . x_j)`,
/// `cas = cos + sin`, i.e. `Re F - Im F` of the unnormalised DFT `F`. It is
/// symmetric and its own inverse up to `1 / (n1 n2)`; `-Lap` is diagonal in it
/// with entries `|kappa_m|^2`.
pub fn hartley(shape: Shape, x: &[f64]) -> Result<Vec<f64>> {
    if x.len() != shape.len() {
        return Err(Error::Usage(format!(
            "Hartley transform of {} values on a {shape} grid",
            x.len()
        )));
    }
    let mut z: Vec<Complex64> = x.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    cpu::fft(&mut z, shape, 1, Direction::Forward);
    Ok(z.iter().map(|v| v.re - v.im).collect())
}
