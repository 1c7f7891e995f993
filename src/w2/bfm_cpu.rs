//! The back-and-forth method (Jacobs and Leger 2020) on the torus in f64
//! (docs/MATHEMATICS.md section 10), the reference of the GPU solver. It
//! maximises the Kantorovich dual of `W2^2 / 2` between grid densities `mu`
//! and `nu`,
//!
//! ```text
//! J(phi) = ∫ phi mu + ∫ phi^c nu,   phi^c(y) = min_x d(x, y)^2 / 2 - phi(x),
//! ```
//!
//! alternating between the two potentials. A half-step pushes `nu` forward
//! by the map `y -> y - grad phi^c(y)`, takes the gradient step in the
//! `H^1` metric,
//!
//! ```text
//! phi <- phi + sigma (-Lap_h)^-1 (mu - (y - grad phi^c)_# nu),
//! ```
//!
//! (`-Lap_h` the periodic five-point Laplacian, by FFT; mean-free), then
//! `psi = phi^c` and `phi = psi^c` (the double transform only raises the
//! dual value); the next half-step does the same for `psi` with the roles
//! of `mu` and `nu` exchanged. The step `sigma` (from `4 / max(mu, nu)`)
//! follows an Armijo-Goldstein rule on the rise `J_new - J` against
//! `sigma ||grad||^2_{H^1}`: above 3/4 of it `sigma` grows by 1/0.95, below
//! 1/4 it shrinks by 0.95 (the rule and constants of the paper's code).
//! Push-forwards deposit each cell's mass at its image with bilinear
//! weights; gradients are centred differences.
//!
//! Two values come out. The dual value `D` is that of grid potentials, whose
//! c-transforms are minima over grid points: it is the dual of the problem
//! between the grid's point masses, and exceeds the densities' `W2^2 / 2` by
//! a bias of order `h^2` that does not vanish with the distance (measured:
//! about `h^2 / 12` near a density). The primal cost `P = ∫ |grad phi|^2 / 2
//! mu` of the final map `x -> x - grad phi(x)` of `mu` is the consistent
//! one: it is the reported `W2^2 / 2`. `|P - D| / P` is the reported gap,
//! and `gap + kappa d h^2 / (8 P)` the reported error bound: a grid
//! minimum of a function of curvature `kappa` exceeds the true one by at
//! most `kappa d h^2 / 8`, which bounds the dual's bias. The iteration
//! stops when the gap stays at or below `tol` for [`SETTLE`] iterations,
//! when it stops falling (what is left is the dual's grid bias,
//! [`BfmStop::Floor`]), or after `max_iter` iterations, and says which.

use num_complex::Complex64;

use crate::fft::{cpu::fft, Direction};
use crate::gpu::Shape;
use crate::w2::envelope::c_transform;
use crate::{Error, Result};

/// Stopping rule of the back-and-forth iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BfmOptions {
    /// Stop when the relative gap `|P - D| / P` falls to this (> 0).
    pub tol: f64,
    /// Stop after this many iterations (each two half-steps), >= 1.
    pub max_iter: u32,
}

impl Default for BfmOptions {
    fn default() -> Self {
        BfmOptions {
            tol: 1e-4,
            max_iter: 1000,
        }
    }
}

/// Why the iteration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BfmStop {
    /// The relative gap stayed at or below `tol` for [`SETTLE`] iterations.
    Converged,
    /// The gap stopped falling (over the last [`PLATEAU`] iterations)
    /// above `tol`: the gap left is the grid's floor (the dual value's
    /// second-order bias, see [`w2_bfm`]), not the iteration's.
    Floor,
    /// `max_iter` iterations ran first: the gap says how far it got.
    IterationLimit,
}

/// The window of the floor rule: when the gap is no lower (by
/// [`PLATEAU_FALL`] of itself) than its largest value in the older half of
/// the last `PLATEAU` iterations, the gap left is the grid's floor.
pub const PLATEAU: u32 = 40;

/// Iterations in a row the gap must stay at or below `tol` to count as
/// converged (the gap can cross zero on the way).
pub const SETTLE: u32 = 10;

/// The relative fall of the gap over [`PLATEAU`] iterations below which
/// it has stopped falling.
pub const PLATEAU_FALL: f64 = 1e-3;

impl BfmStop {
    /// `"converged"`, `"grid-floor"` or `"iteration-limit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BfmStop::Converged => "converged",
            BfmStop::Floor => "grid-floor",
            BfmStop::IterationLimit => "iteration-limit",
        }
    }
}

/// The result of [`w2_bfm`].
#[derive(Debug, Clone, PartialEq)]
pub struct BfmResult {
    /// The dual value `D` (a lower bound of `W2^2 / 2` between the grid's
    /// point masses).
    pub dual: f64,
    /// The primal cost `P` of the final map of `mu`.
    pub primal: f64,
    /// `|P - D| / max(P, P_0)`, `P_0 = (eps L)^2 / 2` the round-off floor of
    /// the potentials' arithmetic (`eps` of f64 on the host, of f32 on the
    /// device): distances below `eps L` count as zero.
    pub gap: f64,
    /// The relative error bound `gap + b / max(P, P_0)` of `P` as `W2^2 / 2`, with
    /// `b = kappa d h^2 / 8` the bound of the dual's grid bias (`kappa` the
    /// largest curvature `lambda_max(I - Hess phi)` of the final potentials,
    /// `d` the dimension).
    pub bound: f64,
    /// Iterations taken.
    pub iterations: u32,
    /// Why it stopped.
    pub stop: BfmStop,
    /// The final potential `phi` on the grid (row-major `(n2, n1)`).
    pub phi: Vec<f64>,
    /// The displacement `T(x) - x = -grad phi(x)` of the final map of `mu`,
    /// `(d1, d2)` per grid point (`d2 = 0` in 1D).
    pub displacement: Vec<[f64; 2]>,
    /// `(D, gap)` after each iteration, the convergence history.
    pub history: Vec<[f64; 2]>,
}

impl BfmResult {
    /// The reported `W2 = sqrt(2 P)`, from the primal cost of the final map.
    pub fn w2(&self) -> f64 {
        (2.0 * self.primal.max(0.0)).sqrt()
    }

    /// `sqrt(2 D)`, from the dual value.
    pub fn w2_dual(&self) -> f64 {
        (2.0 * self.dual.max(0.0)).sqrt()
    }
}

/// The grid, its inverse Laplacian and the measures' cell volume.
pub(crate) struct Grid {
    pub(crate) shape: Shape,
    length: f64,
    pub(crate) h: f64,
    pub(crate) cell: f64,
    /// `1 / lambda(k)` of the five-point Laplacian, 0 at `k = 0`.
    inverse: Vec<f64>,
    /// The round-off floor `(eps L)^2 / 2` of the primal cost ([`Grid::gap`]).
    floor: f64,
}

impl Grid {
    pub(crate) fn new(shape: Shape, length: f64, eps: f64) -> Grid {
        let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
        let h = length / n1 as f64;
        let axis = |n: usize, k: usize| {
            let s = (std::f64::consts::PI * k as f64 / n as f64).sin();
            4.0 * s * s / (h * h)
        };
        let mut inverse = vec![0.0; n1 * n2];
        for k2 in 0..n2 {
            for k1 in 0..n1 {
                let l = axis(n1, k1) + if n2 > 1 { axis(n2, k2) } else { 0.0 };
                inverse[k2 * n1 + k1] = if l > 0.0 { 1.0 / l } else { 0.0 };
            }
        }
        Grid {
            shape,
            length,
            h,
            cell: h.powi(shape.dim() as i32),
            inverse,
            floor: 0.5 * (eps * length).powi(2),
        }
    }

    fn dot(&self, a: &[f64], b: &[f64]) -> f64 {
        self.cell * a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>()
    }

    /// `(-Lap_h)^-1 r` on the mean-free part of `r`.
    fn inverse_laplacian(&self, r: &[f64]) -> Vec<f64> {
        let mut c: Vec<Complex64> = r.iter().map(|&x| Complex64::new(x, 0.0)).collect();
        fft(&mut c, self.shape, 1, Direction::Forward);
        for (v, w) in c.iter_mut().zip(&self.inverse) {
            *v *= w;
        }
        fft(&mut c, self.shape, 1, Direction::Inverse);
        c.iter().map(|v| v.re).collect()
    }

    /// Centred differences of the periodic `f`: `(d1, d2)` per point.
    fn gradient(&self, f: &[f64]) -> Vec<[f64; 2]> {
        let (n1, n2) = (self.shape.n1 as usize, self.shape.n2 as usize);
        let s = 0.5 / self.h;
        let mut g = vec![[0.0; 2]; n1 * n2];
        for j2 in 0..n2 {
            for j1 in 0..n1 {
                let at = |a: usize, b: usize| f[b * n1 + a];
                let d1 = at((j1 + 1) % n1, j2) - at((j1 + n1 - 1) % n1, j2);
                let d2 = if n2 > 1 {
                    at(j1, (j2 + 1) % n2) - at(j1, (j2 + n2 - 1) % n2)
                } else {
                    0.0
                };
                g[j2 * n1 + j1] = [s * d1, s * d2];
            }
        }
        g
    }

    /// `max_x lambda_max(I - Hess phi(x))` by second differences: the
    /// curvature of `x -> |x - y|^2 / 2 - phi(x)`, whose minimum over grid
    /// points exceeds the true one by at most this times `d h^2 / 8`.
    fn curvature(&self, f: &[f64]) -> f64 {
        let (n1, n2) = (self.shape.n1 as usize, self.shape.n2 as usize);
        let s = 1.0 / (self.h * self.h);
        let mut top = f64::NEG_INFINITY;
        for j2 in 0..n2 {
            for j1 in 0..n1 {
                let at = |a: usize, b: usize| f[(b % n2) * n1 + a % n1];
                let (l1, u1) = (j1 + n1 - 1, j1 + 1);
                let a = 1.0 - s * (at(u1, j2) - 2.0 * at(j1, j2) + at(l1, j2));
                let lambda = if n2 > 1 {
                    let (l2, u2) = (j2 + n2 - 1, j2 + 1);
                    let c = 1.0 - s * (at(j1, u2) - 2.0 * at(j1, j2) + at(j1, l2));
                    let b = -0.25 * s * (at(u1, u2) - at(u1, l2) - at(l1, u2) + at(l1, l2));
                    0.5 * (a + c) + (0.25 * (a - c) * (a - c) + b * b).sqrt()
                } else {
                    a
                };
                top = top.max(lambda);
            }
        }
        top
    }

    /// The density of `(x -> x - grad psi(x))_# rho`: each cell's mass at its
    /// image, split bilinearly among the four nearest points (periodic).
    fn push(&self, rho: &[f64], psi: &[f64]) -> Vec<f64> {
        let (n1, n2) = (self.shape.n1 as usize, self.shape.n2 as usize);
        let grad = self.gradient(psi);
        let mut out = vec![0.0; n1 * n2];
        for j2 in 0..n2 {
            for j1 in 0..n1 {
                let i = j2 * n1 + j1;
                let p1 = j1 as f64 - grad[i][0] / self.h;
                let p2 = j2 as f64 - grad[i][1] / self.h;
                let (f1, f2) = (p1.floor(), p2.floor());
                let (w1, w2) = (p1 - f1, p2 - f2);
                let a1 = (f1 as i64).rem_euclid(n1 as i64) as usize;
                let a2 = (f2 as i64).rem_euclid(n2 as i64) as usize;
                let b1 = (a1 + 1) % n1;
                let b2 = (a2 + 1) % n2;
                let m = rho[i];
                if n2 > 1 {
                    out[a2 * n1 + a1] += m * (1.0 - w1) * (1.0 - w2);
                    out[a2 * n1 + b1] += m * w1 * (1.0 - w2);
                    out[b2 * n1 + a1] += m * (1.0 - w1) * w2;
                    out[b2 * n1 + b1] += m * w1 * w2;
                } else {
                    out[a1] += m * (1.0 - w1);
                    out[b1] += m * w1;
                }
            }
        }
        out
    }
}

/// The push-forward `(x -> x - grad psi(x))_# rho` of the iteration on the
/// torus grid `shape` of side `length` (`rho`, `psi` row-major `(n2, n1)`):
/// each point's mass moves to its image (centred-difference gradient) and is
/// split bilinearly among the nearest points; the result is a density.
pub fn push_forward(rho: &[f64], psi: &[f64], shape: Shape, length: f64) -> Vec<f64> {
    Grid::new(shape, length, f64::EPSILON).push(rho, psi)
}

/// `(-Lap_h)^-1 r` of the mean-free part of `r` on the torus grid `shape`
/// of side `length` (the periodic five-point Laplacian, by FFT).
pub fn inverse_laplacian(r: &[f64], shape: Shape, length: f64) -> Vec<f64> {
    Grid::new(shape, length, f64::EPSILON).inverse_laplacian(r)
}

/// One potential's half-step: `phi` rises against `mu` with `psi = phi^c`
/// against `nu`; returns the new dual value.
struct Half<'a> {
    mu: &'a [f64],
    nu: &'a [f64],
    sigma: f64,
}

const UPPER: f64 = 0.75;
const LOWER: f64 = 0.25;
const SCALE: f64 = 0.95;

impl Half<'_> {
    /// The gradient step of `phi`, then `psi = phi^c` and `phi = psi^c`
    /// (which only raises the dual value); returns the new value.
    fn step(&mut self, g: &Grid, phi: &mut Vec<f64>, psi: &mut Vec<f64>, value: f64) -> f64 {
        let pushed = g.push(self.nu, psi);
        let r: Vec<f64> = self.mu.iter().zip(&pushed).map(|(a, b)| a - b).collect();
        let d = g.inverse_laplacian(&r);
        let norm = g.dot(&r, &d);
        for (p, q) in phi.iter_mut().zip(&d) {
            *p += self.sigma * q;
        }
        *psi = c_transform(phi, g.shape, g.length);
        *phi = c_transform(psi, g.shape, g.length);
        let new = g.dot(phi, self.mu) + g.dot(psi, self.nu);
        let diff = new - value;
        if diff > UPPER * self.sigma * norm {
            self.sigma /= SCALE;
        } else if diff < LOWER * self.sigma * norm {
            self.sigma *= SCALE;
        }
        new
    }
}

/// Checks a pair for the back-and-forth method and returns its grid (for
/// potentials computed with machine epsilon `eps`) and the pair normalised
/// to unit mass (`sum v h^d = 1`).
pub(crate) fn prepare(
    mu: &[f64],
    nu: &[f64],
    shape: Shape,
    length: f64,
    options: BfmOptions,
    eps: f64,
) -> Result<(Grid, Vec<f64>, Vec<f64>)> {
    crate::w2::circle::check_pair(mu, nu)?;
    if mu.len() != shape.len() {
        return Err(Error::Usage(format!(
            "W2: {} values for a {}x{} grid",
            mu.len(),
            shape.n2,
            shape.n1
        )));
    }
    if shape.n1 < 4 || (shape.n2 > 1 && shape.n2 != shape.n1) {
        return Err(Error::Usage(format!(
            "W2: the back-and-forth method takes square grids of at least 4 points a side \
             (centred differences vanish on 2), not {}x{}",
            shape.n2, shape.n1
        )));
    }
    if options.tol.is_nan() || options.tol <= 0.0 || options.max_iter == 0 {
        return Err(Error::Usage(format!(
            "W2: the relative gap tolerance ({}) must be positive and the iteration limit \
             ({}) at least 1",
            options.tol, options.max_iter
        )));
    }
    let g = Grid::new(shape, length, eps);
    let unit = |v: &[f64]| {
        let mass = g.cell * v.iter().sum::<f64>();
        v.iter().map(|x| x / mass).collect::<Vec<f64>>()
    };
    let (mu, nu) = (unit(mu), unit(nu));
    Ok((g, mu, nu))
}

/// The first step size of both half-steps, `4 / max(mu, nu)`.
pub(crate) fn first_sigma(mu: &[f64], nu: &[f64]) -> f64 {
    4.0 / mu.iter().chain(nu).fold(0.0f64, |a, &b| a.max(b))
}

impl Grid {
    /// `|P - D| / max(P, P_0)`, with `P_0 = (eps L)^2 / 2` the cost of a
    /// shift by the positions' resolution in the arithmetic that made the
    /// potentials: below it a distance is round-off, and counts as zero.
    pub(crate) fn gap(&self, primal: f64, dual: f64) -> f64 {
        (primal - dual).abs() / primal.max(self.floor)
    }
}

/// The stopping rule on the `(D, gap)` history so far (one entry per
/// iteration): `Some` reason to stop after its last entry, `None` to go on.
/// The iteration limit is the caller's.
pub(crate) fn stop_rule(history: &[[f64; 2]], tol: f64) -> Option<BfmStop> {
    // The primal cost is no bound, so the gap may cross zero on the way:
    // it must stay below tol for SETTLE iterations.
    let (k, w, settle) = (history.len(), PLATEAU as usize, SETTLE as usize);
    if k >= settle && history[k - settle..].iter().all(|v| v[1] <= tol) {
        return Some(BfmStop::Converged);
    }
    let gap = history.last()?[1];
    if k > w
        && gap > tol
        && gap
            >= history[k - 1 - w..k - 1 - w / 2]
                .iter()
                .fold(0.0f64, |a, v| a.max(v[1]))
                * (1.0 - PLATEAU_FALL)
    {
        return Some(BfmStop::Floor);
    }
    None
}

impl Grid {
    /// The primal cost `P = ∫ |grad phi|^2 / 2 mu` of the map `x -> x - grad phi(x)`.
    fn primal(&self, phi: &[f64], mu: &[f64]) -> f64 {
        0.5 * self.cell
            * self
                .gradient(phi)
                .iter()
                .zip(mu)
                .map(|(d, m)| m * (d[0] * d[0] + d[1] * d[1]))
                .sum::<f64>()
    }

    /// The result of final potentials `phi`, `psi` of the unit-mass pair
    /// `mu`, `nu`: the dual value and the primal cost summed here in f64,
    /// their gap, the error bound and the displacement.
    pub(crate) fn result(
        &self,
        (mu, nu): (&[f64], &[f64]),
        phi: Vec<f64>,
        psi: &[f64],
        (iterations, stop): (u32, BfmStop),
        history: Vec<[f64; 2]>,
    ) -> BfmResult {
        let dual = self.dot(&phi, mu) + self.dot(psi, nu);
        let primal = self.primal(&phi, mu);
        let gap = self.gap(primal, dual);
        let dims = f64::from(self.shape.dim());
        let bias =
            self.curvature(&phi).max(self.curvature(psi)).max(0.0) * dims * self.h * self.h / 8.0;
        let bound = gap + bias / primal.max(self.floor);
        let displacement = self.gradient(&phi).iter().map(|d| [-d[0], -d[1]]).collect();
        BfmResult {
            dual,
            primal,
            gap,
            bound,
            iterations,
            stop,
            phi,
            displacement,
            history,
        }
    }
}

/// `W2^2 / 2` between the densities `mu` and `nu` on the torus grid `shape`
/// of side `length` by the back-and-forth method: `mu`, `nu` row-major
/// `(n2, n1)` values at the grid points, finite, non-negative, of positive
/// mass (each normalised to unit mass here).
pub fn w2_bfm(
    mu: &[f64],
    nu: &[f64],
    shape: Shape,
    length: f64,
    options: BfmOptions,
) -> Result<BfmResult> {
    let (g, mu, nu) = prepare(mu, nu, shape, length, options, f64::EPSILON)?;
    let sigma = first_sigma(&mu, &nu);
    let mut phi = vec![0.0; mu.len()];
    let mut psi = vec![0.0; mu.len()];
    let mut forth = Half {
        mu: &mu,
        nu: &nu,
        sigma,
    };
    let mut back = Half {
        mu: &nu,
        nu: &mu,
        sigma,
    };
    let mut value = 0.0;
    let mut iterations = 0;
    let mut stop = BfmStop::IterationLimit;
    let mut history = Vec::new();
    while iterations < options.max_iter {
        iterations += 1;
        value = forth.step(&g, &mut phi, &mut psi, value);
        // The back step raises psi against nu with phi = psi^c against mu.
        value = back.step(&g, &mut psi, &mut phi, value);
        history.push([value, g.gap(g.primal(&phi, &mu), value)]);
        if let Some(why) = stop_rule(&history, options.tol) {
            stop = why;
            break;
        }
    }
    Ok(g.result((&mu, &nu), phi, &psi, (iterations, stop), history))
}
