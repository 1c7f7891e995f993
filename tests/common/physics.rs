//! Helpers of the physics tests (`tests/physics.rs`): building problems, grid
//! densities, reading single Fourier modes out of the stepper state, stepping in
//! chunks, and least-squares line fits.

use mflda::config::Scheme;
use mflda::dynamics::{Params, Stepper};
use mflda::game::PayoffSpec;
use mflda::gpu::{GpuContext, Shape};
use mflda::Problem;
use num_complex::Complex64 as C64;

/// Side length of the torus.
pub const L: f64 = std::f64::consts::TAU;

/// The payoff terms of a test game, as expressions.
#[derive(Debug, Clone, Copy)]
pub struct Game<'a> {
    pub kernel: &'a str,
    pub potential_mu: &'a str,
    pub potential_nu: &'a str,
    pub interaction: &'a str,
    pub interaction_modes: u32,
}

impl<'a> Game<'a> {
    /// K = 0: both players follow the heat equation.
    pub const ZERO: Game<'static> = Game {
        kernel: "0.0",
        potential_mu: "0.0",
        potential_nu: "0.0",
        interaction: "0.0",
        interaction_modes: 0,
    };

    /// A game with a kernel and potentials but no band-limited interaction.
    pub fn new(kernel: &'a str, potential_mu: &'a str, potential_nu: &'a str) -> Self {
        Game {
            kernel,
            potential_mu,
            potential_nu,
            interaction: "0.0",
            interaction_modes: 0,
        }
    }

    /// The library's form of the payoff.
    pub fn spec(&self) -> PayoffSpec<'a> {
        PayoffSpec {
            kernel: self.kernel,
            potential_mu: self.potential_mu,
            potential_nu: self.potential_nu,
            interaction: self.interaction,
            interaction_modes: self.interaction_modes,
        }
    }
}

/// Model and discretisation parameters (L = 2 pi, no de-aliasing).
pub fn params(shape: Shape, tau: f64, eta: f64, dt: f64, scheme: Scheme) -> Params {
    Params {
        shape,
        length: L,
        tau,
        eta,
        dt,
        dealias: false,
        scheme,
        fisher_rao: 0.0,
    }
}

/// Builds the problem of `game` with `params`, panicking with the error.
pub fn problem(ctx: &GpuContext, params: Params, game: &Game<'_>) -> Problem {
    Problem::new(ctx, params, &game.spec()).unwrap_or_else(|e| panic!("problem: {e}"))
}

/// Coordinates `(x, y)` of the grid points, row-major (`y = 0` in 1D).
pub fn points(shape: Shape) -> Vec<(f64, f64)> {
    let h1 = L / shape.n1 as f64;
    let h2 = L / shape.n2 as f64;
    let n1 = shape.n1 as usize;
    (0..shape.len())
        .map(|p| ((p % n1) as f64 * h1, (p / n1) as f64 * h2))
        .collect()
}

/// Cell measure h^d of the grid.
pub fn cell(shape: Shape) -> f64 {
    let h1 = L / shape.n1 as f64;
    if shape.n2 > 1 {
        h1 * L / shape.n2 as f64
    } else {
        h1
    }
}

/// The grid values of `f(x, y)` scaled to mass one (`h^d sum = 1`), in f64.
pub fn density(shape: Shape, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let v: Vec<f64> = points(shape).into_iter().map(|(x, y)| f(x, y)).collect();
    normalise(shape, v)
}

/// `v` scaled to mass one.
pub fn normalise(shape: Shape, v: Vec<f64>) -> Vec<f64> {
    let mass = v.iter().sum::<f64>() * cell(shape);
    v.into_iter().map(|x| x / mass).collect()
}

/// The Gibbs density `exp(w) / Z` on the grid, computed with a max shift.
pub fn gibbs(shape: Shape, w: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let pts = points(shape);
    let top = pts.iter().map(|&(x, y)| w(x, y)).fold(f64::MIN, f64::max);
    normalise(
        shape,
        pts.into_iter()
            .map(|(x, y)| (w(x, y) - top).exp())
            .collect(),
    )
}

/// f64 to f32, element by element.
pub fn to_f32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

/// Index of wave number `m = (m1, m2)` in one field of the numpy-layout
/// spectrum: `(m2 mod n2) * n1 + (m1 mod n1)`.
pub fn mode_index(shape: Shape, m: [i64; 2]) -> usize {
    let (n1, n2) = (shape.n1 as i64, shape.n2 as i64);
    (m[1].rem_euclid(n2) * n1 + m[0].rem_euclid(n1)) as usize
}

/// `|kappa|^2` of the entry `p` of one spectral field (L = 2 pi: kappa = m),
/// from the one CPU mirror of `shaders/shared/spectral.wgsl`.
pub fn kappa2(shape: Shape, p: usize) -> f64 {
    mflda::fft::spectral::Spectral::new(shape, std::f64::consts::TAU).kappa2(p)
}

/// The complex coefficient of mode `m` of field `field` (0: mu, 1: nu) in the
/// interleaved state `[mu^, nu^]`.
pub fn coeff(state: &[f32], shape: Shape, field: usize, m: [i64; 2]) -> C64 {
    let j = field * shape.len() + mode_index(shape, m);
    C64::new(state[2 * j] as f64, state[2 * j + 1] as f64)
}

/// Advances `steps` steps, at most 200 per submission, and waits; panics on a
/// device error.
pub fn advance(ctx: &GpuContext, stepper: &Stepper, steps: u32) {
    let mut left = steps;
    while left > 0 {
        let chunk = left.min(200);
        stepper.advance(ctx, chunk);
        ctx.wait()
            .unwrap_or_else(|e| panic!("device error while stepping: {e}"));
        left -= chunk;
    }
}

/// Relative L2 distance `||got - want|| / ||want||` of two f32 vectors, in f64.
pub fn rel_l2(got: &[f32], want: &[f32]) -> f64 {
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (g, w) in got.iter().zip(want) {
        num += (*g as f64 - *w as f64).powi(2);
        den += (*w as f64).powi(2);
    }
    (num / den).sqrt()
}

/// The slope of a least-squares line and the RMS residual of the fit.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub slope: f64,
    pub rms: f64,
}

/// Fits a line to the points `(t[i], y[i])` by least squares.
pub fn fit_line(t: &[f64], y: &[f64]) -> Line {
    assert!(t.len() == y.len() && t.len() >= 2, "fit needs two points");
    let n = t.len() as f64;
    let tm = t.iter().sum::<f64>() / n;
    let ym = y.iter().sum::<f64>() / n;
    let stt: f64 = t.iter().map(|a| (a - tm).powi(2)).sum();
    let sty: f64 = t.iter().zip(y).map(|(a, b)| (a - tm) * (b - ym)).sum();
    let slope = sty / stt;
    let intercept = ym - slope * tm;
    let rms = (t
        .iter()
        .zip(y)
        .map(|(a, b)| (b - slope * a - intercept).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    Line { slope, rms }
}

/// Unwraps a sequence of phases (radians) so that consecutive values differ
/// by less than pi.
pub fn unwrap(phases: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(phases.len());
    let mut offset = 0.0;
    for (i, &p) in phases.iter().enumerate() {
        if i > 0 {
            let prev = phases[i - 1];
            let mut d = p - prev;
            while d > std::f64::consts::PI {
                d -= std::f64::consts::TAU;
                offset -= std::f64::consts::TAU;
            }
            while d < -std::f64::consts::PI {
                d += std::f64::consts::TAU;
                offset += std::f64::consts::TAU;
            }
        }
        out.push(p + offset);
    }
    out
}
