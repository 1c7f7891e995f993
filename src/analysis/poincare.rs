//! The Poincare constant of a Gibbs density `rho* ~ exp(-W)` on the torus grid
//! (docs/MATHEMATICS.md section 6): the smallest non-zero eigenvalue `lambda_1` of the
//! generator `L f = -Lap f + grad W . grad f`, the best constant in
//! `int |grad f|^2 rho* >= lambda_1 Var_rho*(f)`.
//!
//! It is computed as the smallest eigenvalue of the spectrally discretised
//! Schrodinger operator `H = -Lap + q`, `q = |grad W|^2 / 4 - Lap W / 2`
//! (`super::schrodinger`), compressed to the orthogonal complement of its
//! continuous ground state `psi_0 = sqrt(rho*)`, by LOBPCG on the GPU
//! (`super::lobpcg`, block size 1, f32 vectors in Hartley coordinates),
//! preconditioned by `(-Lap + sigma)^-1`, `sigma = mean(q) + (2 pi / L)^2`,
//! with the 3 x 3 Rayleigh-Ritz problems in f64 on the host (`super::ritz`).
//! The CPU reference is `super::dense::poincare_dense`.
//!
//! Each iteration is one submission and one 128-byte readback. `w` is
//! orthogonalised against `psi_0`, `x` and `p` on the GPU (two Gram-Schmidt
//! passes), `Hx` and `Hp` are recomputed every [`REFRESH_EVERY`] iterations,
//! and a stop is confirmed with `Hx` recomputed; when the residual stalls
//! above the tolerance (f32 round-off), the best iterate is restored and
//! reported. Accuracy: `lambda_1` to about 1e-7 relative where it is of the
//! order of `q`; in absolute terms about 1e-6 times the size of `q` where the
//! wells are deep and `lambda_1` tiny, whose relative residual then stays
//! above 1e-5 (`stop = RoundOff`).

use web_time::Instant;

use crate::analysis::lobpcg::{Coefficients, LobpcgGpu};
use crate::analysis::ritz::{rayleigh_ritz, Gram};
use crate::analysis::schrodinger::{hartley, kappa_squared, Schrodinger};
use crate::dynamics::Params;
use crate::equilibrium::Stop;
use crate::gpu::GpuContext;
use crate::interrupt::Interrupt;
use crate::{Error, Result};

/// Iterations without the residual falling below 0.9 x its last low mark before the
/// iteration is declared stalled at f32 round-off.
pub const STALL_ITERATIONS: u32 = 30;

/// Iterations between recomputations of `Hx` and `Hp` from `x` and `p`
/// (the recurrence `H x_new = c_x Hx + c_w Hw + c_p Hp` drifts by about f32
/// epsilon times `|c_w| ||Hw||` a step, most in the first steps).
pub const REFRESH_EVERY: u32 = 10;

/// Options of [`poincare_constant`].
#[derive(Debug, Clone)]
pub struct PoincareOptions {
    /// Stop when the relative residual `||P(H x - lambda x)|| / (|lambda| ||x||)`
    /// is at most this (`P` the projector off `psi_0`). Default 1e-5.
    pub tol: f64,
    /// Give up after this many iterations (one application of `H` each).
    /// Default 500.
    pub max_iter: u32,
    /// Checked before every iteration: a request stops with
    /// [`Error::Interrupted`].
    pub interrupt: Interrupt,
}

impl Default for PoincareOptions {
    fn default() -> Self {
        PoincareOptions {
            tol: 1e-5,
            max_iter: 500,
            interrupt: Interrupt::never(),
        }
    }
}

/// The result of [`poincare_constant`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoincareReport {
    /// `lambda_1`: the Rayleigh quotient of the final iterate, with `H x`
    /// recomputed from `x` (not the recurrence).
    pub lambda1: f64,
    /// Relative residual of the final iterate, `H x` recomputed.
    pub residual: f64,
    /// Iterations run: each applies `H` to one new direction, every
    /// [`REFRESH_EVERY`]th also recomputes `Hx` and `Hp`, and checks before a
    /// stop recompute `Hx` (at most `max_iter + 1` in all).
    pub iterations: u32,
    /// Holley-Stroock lower bound `(2 pi / L)^2 exp(-osc W)`,
    /// `osc W = max log rho* - min log rho*`.
    pub holley_stroock: f64,
    /// Whether `residual <= tol`.
    pub converged: bool,
    /// Why the iteration stopped: converged, stalled at round-off, or
    /// `max_iter`.
    pub stop: Stop,
    /// `||H psi_0||_2` for the unit grid vector `psi_0 = sqrt(rho*)/||.||`, in
    /// f64: how far the grid is from resolving `rho*` (round-off when it does).
    pub ground_defect: f64,
    /// The preconditioner shift `sigma`.
    pub sigma: f64,
    /// Relative residual after each iteration (recurrence values, then the
    /// recomputed ones after each refresh).
    pub history: Vec<f64>,
    /// Wall-clock seconds, setup included.
    pub seconds: f64,
}

/// `lambda_1` of `rho* = exp(log_density) / Z` on the grid of `params` (only
/// `shape` and `length` are used): `log_density` is row-major `(n2, n1)`, any
/// additive constant. Grid sides must be powers of two (the GPU FFT).
///
/// Errors: a wrong length or a non-finite value of `log_density` (naming the
/// point), a bad grid or side length, bad options, or device failures.
pub fn poincare_constant(
    ctx: &GpuContext,
    params: &Params,
    log_density: &[f32],
    opts: &PoincareOptions,
) -> Result<PoincareReport> {
    let start = Instant::now();
    check_options(opts)?;
    let log64: Vec<f64> = log_density.iter().map(|&v| v as f64).collect();
    let op = Schrodinger::new(params, &log64)?;
    let shape = op.shape;
    let lambda_uniform = (std::f64::consts::TAU / op.length).powi(2);
    let sigma = op.mean_q().max(0.0) + lambda_uniform;

    let psi_h = unit(hartley(shape, &op.psi)?);
    let x0 = start_vector(&kappa_squared(shape, op.length), &psi_h, sigma);
    let to32 = |v: &[f64]| v.iter().map(|&a| a as f32).collect::<Vec<f32>>();
    let q32 = to32(&op.q);
    if q32.iter().any(|v| !v.is_finite()) {
        return Err(Error::Data {
            field: "log_density".into(),
            message: "|grad W|^2 / 4 - Lap W / 2 exceeds the f32 range: log rho* varies too \
                      fast for the grid"
                .into(),
        });
    }
    let gpu = LobpcgGpu::new(
        ctx,
        shape,
        op.length,
        &to32(&psi_h),
        &q32,
        &to32(&x0),
        sigma,
    )?;

    let mut history = Vec::new();
    let mut iterations = 0;
    let (mut lambda, mut coef) = refreshed(&gpu.refresh(ctx)?)?;
    // `fresh`: Hx was just recomputed and p cleared, so this residual is exact.
    let mut fresh = true;
    // A stop decided before a refresh, taken after the exact residual.
    let mut pending: Option<Stop> = None;
    let (mut best, mut mark, mut since_mark) = (f64::INFINITY, f64::INFINITY, 0);
    let mut save = false;
    let mut since_refresh = 0;
    let (stop, residual) = loop {
        opts.interrupt
            .check(|| format!("the Poincare-constant iteration, after {iterations} iterations"))?;
        since_refresh += 1;
        let refresh = !fresh && since_refresh >= REFRESH_EVERY;
        if refresh || fresh {
            since_refresh = 0;
        }
        let dots = gpu.iterate(ctx, &coef, save, refresh)?;
        iterations += 1;
        let residual = (dots.residual2.max(0.0) / dots.gram[0]).sqrt() / lambda.abs();
        if !residual.is_finite() {
            return Err(Error::Device(format!(
                "the Poincare iteration produced a non-finite residual (lambda {lambda}) \
                 after {iterations} iterations"
            )));
        }
        history.push(residual);
        // The current x is saved aside at the start of the next iteration.
        save = residual < best;
        best = best.min(residual);
        if residual < 0.9 * mark {
            (mark, since_mark) = (residual, 0);
        } else {
            since_mark += 1;
        }
        let wanted = if residual <= opts.tol {
            Some(Stop::Converged)
        } else if pending.is_some() {
            pending
        } else if iterations >= opts.max_iter {
            Some(Stop::MaxIterations)
        } else if since_mark >= STALL_ITERATIONS {
            Some(Stop::RoundOff)
        } else {
            None
        };
        let ritz = match wanted {
            Some(stop) if fresh => break (stop, residual),
            Some(stop) => {
                pending = (stop != Stop::Converged).then_some(stop);
                None
            }
            None => {
                let gram = Gram::from_dots(&dots.gram)
                    .ok_or_else(|| Error::Internal("the Gram readback was short".into()))?;
                let ritz = rayleigh_ritz(&gram, if fresh { 2 } else { 3 });
                if ritz.is_none() {
                    if fresh {
                        break (Stop::RoundOff, residual);
                    }
                    pending = Some(Stop::RoundOff);
                }
                ritz
            }
        };
        match ritz {
            Some(step) => {
                lambda = step.theta;
                coef = coefficients(step.theta, step.c, step.e);
                fresh = false;
            }
            None => {
                // Recompute H x and check exactly; before a final stop, go back
                // to the best iterate. (When the current x is the best, the
                // next iteration still saves it.)
                if pending.is_some() && !save {
                    gpu.restore_best(ctx);
                }
                (lambda, coef) = refreshed(&gpu.refresh(ctx)?)?;
                fresh = true;
            }
        }
    };
    Ok(PoincareReport {
        lambda1: lambda,
        residual,
        iterations,
        holley_stroock: op.holley_stroock(),
        converged: residual <= opts.tol,
        stop,
        ground_defect: op.ground_defect(),
        sigma,
        history,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn check_options(opts: &PoincareOptions) -> Result<()> {
    if !(opts.tol.is_finite() && opts.tol >= 0.0) {
        return Err(Error::Data {
            field: "poincare.tol".into(),
            message: format!("must be finite and >= 0, got {}", opts.tol),
        });
    }
    if opts.max_iter == 0 {
        return Err(Error::Data {
            field: "poincare.max_iter".into(),
            message: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// `lambda = xHx / xx` and the coefficients that normalise `x` and clear `p`,
/// from the Gram entries after a refresh.
fn refreshed(gram: &[f64]) -> Result<(f64, Coefficients)> {
    let (xx, xhx) = (gram[0], gram[6]);
    if !(xx.is_finite() && xx > 0.0 && xhx.is_finite()) {
        return Err(Error::Device(format!(
            "the Poincare iterate degenerated (|x|^2 = {xx}, x.Hx = {xhx})"
        )));
    }
    let lambda = xhx / xx;
    Ok((
        lambda,
        coefficients(lambda, [1.0 / xx.sqrt(), 0.0, 0.0], [0.0; 3]),
    ))
}

fn coefficients(lambda: f64, c: [f64; 3], e: [f64; 3]) -> Coefficients {
    [lambda, c[0], c[1], c[2], e[0], e[1], e[2], 0.0].map(|v| v as f32)
}

fn unit(mut v: Vec<f64>) -> Vec<f64> {
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    v.iter_mut().for_each(|a| *a /= norm);
    v
}

/// A deterministic smooth start in Hartley coordinates: pseudo-random modes
/// damped by `1 / (|kappa|^2 + sigma)`, orthogonal to `psi`, unit norm.
fn start_vector(k2: &[f64], psi: &[f64], sigma: f64) -> Vec<f64> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut x: Vec<f64> = k2
        .iter()
        .map(|&k| {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let u = (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
            u / (k + sigma)
        })
        .collect();
    let a: f64 = x.iter().zip(psi).map(|(u, v)| u * v).sum();
    x.iter_mut().zip(psi).for_each(|(u, v)| *u -= a * v);
    unit(x)
}
