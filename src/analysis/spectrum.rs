//! The linearised spectrum of a species system at a stationary state
//! (docs/MATHEMATICS.md sections 6 and 8; for the game, MFL-DA at its equilibrium):
//! the rightmost eigenvalues of the Jacobian J on mass-zero perturbations, by
//! Arnoldi on the time-T map of the linearised flow. The map is the
//! perturbation-form stepper run from a deviation of tiny amplitude `eps`
//! (whose quadratic term is then `eps` times smaller than the linear one), so
//! the time stepper is reused as it is. A Ritz value theta of the map gives
//! `lambda = ln(theta) / T`.

use web_time::Instant;

use nalgebra::{Complex, DMatrix, DVector};

use crate::dynamics::Stepper;
use crate::gpu::GpuContext;
use crate::interrupt::{Batcher, Interrupt};
use crate::{Error, Result};

/// The Ritz residual below which an eigenpair counts as converged.
pub const RITZ_TOL: f64 = 1e-3;

/// Options of the Arnoldi iteration.
#[derive(Debug, Clone)]
pub struct SpectrumOptions {
    /// Eigenvalues wanted (the rightmost).
    pub count: usize,
    /// Krylov dimension (> count).
    pub krylov: usize,
    /// Steps of the stepper per application of the map (T = steps * dt).
    pub steps: u32,
    /// Amplitude of the deviations the map is applied to, relative to the
    /// equilibrium's largest density.
    pub eps: f64,
    /// Seed of the random start vector.
    pub seed: u64,
    /// Checked between the pieces of every application of the map: a
    /// request stops with [`Error::Interrupted`].
    pub interrupt: Interrupt,
    /// The species the perturbations cover (`None`: all). For a group of
    /// species that no other species is coupled to, this is the spectrum of
    /// the group alone: the map keeps the other species' deviations at zero.
    pub species: Option<Vec<usize>>,
}

impl Default for SpectrumOptions {
    fn default() -> Self {
        SpectrumOptions {
            count: 6,
            krylov: 30,
            steps: 20,
            eps: 1e-6,
            seed: 1,
            interrupt: Interrupt::never(),
            species: None,
        }
    }
}

/// One eigenvalue of J with its Ritz vector.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Eigenpair {
    /// Real part: the local rate (decay when negative).
    pub re: f64,
    /// Imaginary part: the rotation frequency.
    pub im: f64,
    /// `||M x - theta x|| / |theta|` of the map's Ritz pair (x normalised).
    pub residual: f64,
    /// Whether `residual <= RITZ_TOL`: an unconverged pair is a rough
    /// estimate (raise the Krylov dimension, or the map's time T).
    pub converged: bool,
    /// A zero eigenvalue of a translation of a non-uniform state of a
    /// translation-invariant system (set by the analysis).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub translation: bool,
    /// The eigenvector `[d_s]` on the grid (S fields one after the other;
    /// for the game `(d_mu, d_nu)`), real and imaginary parts.
    #[serde(skip)]
    pub vector: (Vec<f64>, Vec<f64>),
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Removes each player's mean (mass): the map acts on mass-zero deviations.
/// Zeroes the fields of `v` (fields of `n` points) of the species outside
/// `opts.species`: the packed transforms leave round-off there, which the
/// iteration would otherwise grow into the other species' modes.
fn restrict(v: &mut [f64], n: usize, opts: &SpectrumOptions) {
    if let Some(covered) = &opts.species {
        for (s, field) in v.chunks_mut(n).enumerate() {
            if !covered.contains(&s) {
                field.iter_mut().for_each(|x| *x = 0.0);
            }
        }
    }
}

/// Removes the mean of each field of `v` (fields of `n` points).
fn remove_means(v: &mut [f64], n: usize) {
    for half in v.chunks_exact_mut(n) {
        let m = half.iter().sum::<f64>() / n as f64;
        half.iter_mut().for_each(|x| *x -= m);
    }
}

/// Applies the time-T map to `v` (`[d_mu, d_nu]` stacked, unit norm), in
/// batches of steps sized by `batcher`, checking `interrupt` between them.
fn apply(
    ctx: &GpuContext,
    stepper: &Stepper,
    v: &[f64],
    eps: f64,
    opts: &SpectrumOptions,
    batcher: &mut Batcher,
) -> Result<Vec<f64>> {
    let n = stepper.params.shape.len();
    let scaled: Vec<f32> = v.iter().map(|x| (x * eps) as f32).collect();
    let fields: Vec<&[f32]> = scaled.chunks(n).collect();
    stepper.set_species_deviation(ctx, &fields)?;
    let mut left = opts.steps;
    while left > 0 {
        opts.interrupt
            .check(|| "the linearised spectrum (Arnoldi iteration)".into())?;
        let chunk = batcher.next(left);
        let start = Instant::now();
        stepper.advance(ctx, chunk);
        ctx.wait()?;
        batcher.done(start, chunk);
        left -= chunk;
    }
    let d = stepper.species_deviation(ctx)?;
    let mut w: Vec<f64> = d.iter().flatten().map(|x| *x as f64 / eps).collect();
    remove_means(&mut w, n);
    restrict(&mut w, n, opts);
    if w.iter().any(|x| !x.is_finite()) {
        return Err(Error::Data {
            field: "linearised spectrum".into(),
            message: "the time-T map produced non-finite values; use a smaller time.dt".into(),
        });
    }
    Ok(w)
}

/// The `opts.count` rightmost eigenvalues of the linearised MFL-DA operator at
/// the equilibrium of `stepper` (which must be in the perturbation form),
/// sorted by decreasing real part. `scale` is the equilibrium's largest density.
pub fn linearised_spectrum(
    ctx: &GpuContext,
    stepper: &Stepper,
    scale: f64,
    opts: &SpectrumOptions,
) -> Result<Vec<Eigenpair>> {
    if !stepper.is_perturbation() {
        return Err(Error::Usage(
            "the linearised spectrum needs a perturbation-form stepper".into(),
        ));
    }
    let n = stepper.params.shape.len();
    let n2 = stepper.species() * n;
    let m = opts.krylov.min(n2 - 2).max(opts.count + 1);
    let t = opts.steps as f64 * stepper.params.dt;
    let eps = opts.eps * scale;
    // A pseudo-random start from the seeded grid hash of `rand(x)`.
    let n1 = stepper.params.shape.n1;
    let mut v0: Vec<f64> = (0..n2 as u32)
        .map(|i| crate::game::rand_value(opts.seed, i % n1, i / n1) as f64 - 0.5)
        .collect();
    restrict(&mut v0, n, opts);
    remove_means(&mut v0, n);
    let s = norm(&v0);
    v0.iter_mut().for_each(|x| *x /= s);

    let mut basis = vec![v0];
    let mut h = DMatrix::<f64>::zeros(m + 1, m);
    let mut size = m;
    let mut batcher = Batcher::new(64);
    for j in 0..m {
        let mut w = apply(ctx, stepper, &basis[j], eps, opts, &mut batcher)?;
        // Modified Gram-Schmidt, twice, for orthogonality to round-off.
        for _ in 0..2 {
            for (i, b) in basis.iter().enumerate() {
                let c = dot(&w, b);
                h[(i, j)] += c;
                w.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
            }
        }
        let beta = norm(&w);
        h[(j + 1, j)] = beta;
        if beta < 1e-12 {
            size = j + 1;
            break;
        }
        w.iter_mut().for_each(|x| *x /= beta);
        basis.push(w);
    }
    let hm = h.view((0, 0), (size, size)).into_owned();
    let beta = h[(size, size - 1)];
    let thetas = hm.clone().complex_eigenvalues();
    let hc: DMatrix<Complex<f64>> = hm.map(|x| Complex::new(x, 0.0));
    let mut pairs = Vec::new();
    for theta in thetas.iter() {
        // Ritz vector of H by inverse iteration on (H - theta I).
        let shift = DMatrix::<Complex<f64>>::identity(size, size)
            * (*theta * Complex::new(1.0 + 1e-10, 0.0));
        let lu = (&hc - shift).lu();
        let mut y = DVector::<Complex<f64>>::from_element(size, Complex::new(1.0, 0.0));
        for _ in 0..3 {
            if let Some(next) = lu.solve(&y) {
                let norm = next.norm();
                y = next / Complex::new(norm, 0.0);
            }
        }
        let residual = beta * y[size - 1].norm() / theta.norm().max(1e-300);
        let lambda = theta.ln() / t;
        let mut re = vec![0.0; n2];
        let mut im = vec![0.0; n2];
        for (k, b) in basis.iter().take(size).enumerate() {
            for (p, bp) in b.iter().enumerate() {
                re[p] += y[k].re * bp;
                im[p] += y[k].im * bp;
            }
        }
        pairs.push(Eigenpair {
            re: lambda.re,
            im: lambda.im,
            residual,
            converged: residual <= RITZ_TOL,
            translation: false,
            vector: (re, im),
        });
    }
    pairs.sort_by(|a, b| b.re.total_cmp(&a.re));
    pairs.truncate(opts.count);
    Ok(pairs)
}
