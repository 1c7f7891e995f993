//! The stable time step of the ETD schemes (docs/MATHEMATICS.md section 3.1).
//!
//! The diffusion is integrated exactly, so only the explicit part can make a
//! step unstable. Linearised about a state, the explicit part acts on a
//! Fourier mode of wave vector kappa about like `i omega(kappa)` (advection
//! and the game's coupling both rotate modes rather than damp them):
//!
//! ```text
//! omega(kappa) = c |kappa| + rho_rel |kappa|^2 |k^(kappa)| + band(kappa)
//! ```
//!
//! with `c = max |grad Phi|` the largest drift speed over the states given
//! (the equilibrium and the initial densities), `rho_rel` the geometric mean
//! of the players' peak densities over the uniform one (the coupling is
//! off-diagonal: mu's drift from nu's potential and back), `k^ = h^d
//! FFT(k)` the kernel's coefficients (the
//! coupling of the uniform equilibrium of a convolution game, exact there),
//! and `band(kappa)` the same for the band-limited interaction's modes. One
//! step of the scheme multiplies such a mode by `R(z, w)`, `z = -tau
//! |kappa|^2 dt` (times eta for the max player), `w = i omega dt` (times
//! eta); the estimate is the largest dt with `|R| <= 1 + GROWTH dt` at
//! every resolved wave number, for both players (a mode growing by e in
//! 1000 time units is stable for any run). The potentials are computed in f64 on a
//! grid of at most [`COARSE`] points a side (densities area-averaged, the
//! payoff subsampled): the drift speed is a property of smooth potentials.

use num_complex::Complex64 as C64;

use crate::dynamics::cpu::CpuModel;
use crate::dynamics::phi::phis;
use crate::dynamics::{Params, PayoffGrids, Scheme};
use crate::game::Payoff;
use crate::gpu::Shape;

/// Largest side of the grid the drift speeds are computed on.
pub const COARSE: u32 = 256;

/// The estimate and what it came from. Non-finite values (an unlimited
/// step) are written to JSON as `null` and read back as infinity.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepEstimate {
    /// `c`: the largest drift speed |grad V|, |grad U| over the states.
    #[serde(with = "unlimited")]
    pub speed: f64,
    /// The largest coupling rate `rho_rel |kappa|^2 |k^(kappa)| + band`.
    #[serde(with = "unlimited")]
    pub coupling: f64,
    /// `|kappa|` of the mode that limits the step.
    #[serde(with = "unlimited")]
    pub wavenumber: f64,
    /// The largest stable step (infinite when nothing limits it: pure
    /// diffusion, or a payoff too weak to matter).
    #[serde(with = "unlimited")]
    pub dt_max: f64,
}

/// JSON has no infinity: a non-finite number is written as `null`, and
/// `null` is read back as infinity (so that a checkpoint of a run whose step
/// nothing limits can be resumed).
mod unlimited {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

/// `R(z, w)`: the factor by which one step of `scheme` multiplies a mode of
/// `u' = (c + lambda) u` with the linear part `c` exact (`z = c dt`) and
/// `lambda` explicit (`w = lambda dt`), as the formulas of section 3 give
/// with `N(u) = lambda u`.
pub fn amplification(scheme: Scheme, z: f64, w: C64) -> C64 {
    let [e, p1, p2, p3] = phis(z);
    match scheme {
        Scheme::Etdrk2 => {
            let a = e + w * p1;
            a + w * p2 * (a - 1.0)
        }
        Scheme::Etdrk4 => {
            let [eh, p1h, _, _] = phis(z / 2.0);
            let half = w * 0.5 * p1h;
            let a = eh + half;
            let b = eh + half * a;
            let c = eh * a + half * (2.0 * b - 1.0);
            let f1 = p1 - 3.0 * p2 + 4.0 * p3;
            let f2 = p2 - 2.0 * p3;
            let f3 = -p2 + 4.0 * p3;
            e + w * (f1 + 2.0 * f2 * (a + b) + f3 * c)
        }
    }
}

/// One mode of the linearisation: `damping` = tau |kappa|^2 (per unit
/// time, >= 0) and `rate` = omega (the explicit part's |eigenvalue|).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mode {
    /// |kappa|, for reports.
    pub wavenumber: f64,
    /// The exact part's decay rate.
    pub damping: f64,
    /// The explicit part's rotation rate.
    pub rate: f64,
}

/// Growth per unit time below which a mode counts as stable: a growth by e
/// takes 1000 time units, far beyond a run's length, while a step past the
/// stability boundary grows at a rate of order 1 / dt.
pub const GROWTH: f64 = 1e-3;

/// The first of `modes` that one step of `dt` makes grow faster than
/// [`GROWTH`] (`|R| > 1 + GROWTH dt`), if any.
fn stable_at(scheme: Scheme, modes: &[Mode], dt: f64) -> Option<usize> {
    modes.iter().position(|m| {
        let r = amplification(scheme, -m.damping * dt, C64::new(0.0, m.rate * dt));
        r.norm() > 1.0 + GROWTH * dt
    })
}

/// The largest dt at which every one of `modes` is stable (grows slower
/// than [`GROWTH`]), with the index of
/// the mode that limits it: the first unstable dt on a geometric scan from
/// 1e-9 (20 a decade), refined by bisection. Infinite (and `None`) when all
/// are stable up to 1e6.
pub fn stable_step(scheme: Scheme, modes: &[Mode]) -> (f64, Option<usize>) {
    let ratio = 10f64.powf(1.0 / 20.0);
    let mut good = 0.0;
    let mut dt = 1e-9;
    while dt <= 1e6 {
        if let Some(i) = stable_at(scheme, modes, dt) {
            let (mut lo, mut hi, mut worst) = (good, dt, i);
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                match stable_at(scheme, modes, mid) {
                    Some(j) => (hi, worst) = (mid, j),
                    None => lo = mid,
                }
            }
            return (lo, Some(worst));
        }
        good = dt;
        dt *= ratio;
    }
    (f64::INFINITY, None)
}

/// The modes the estimate checks for a grid of `shape` and side `length`:
/// every integer |m| up to 64, then |m| growing by 2% up to the largest
/// resolved (`n/2`, times sqrt 2 on a square grid's diagonal).
pub(crate) fn wavenumbers(shape: Shape, length: f64) -> Vec<f64> {
    let top = f64::from(shape.n1 / 2) * if shape.dim() == 2 { 2f64.sqrt() } else { 1.0 };
    let mut ms: Vec<f64> = (1..=64).map(f64::from).take_while(|&m| m <= top).collect();
    let mut m = 64.0;
    while m < top {
        m = (m * 1.02).min(top);
        ms.push(m);
    }
    let unit = std::f64::consts::TAU / length;
    ms.into_iter().map(|m| m * unit).collect()
}

/// Area averages of `v` (row-major `shape`) over blocks of `f` x `f` (`f` x
/// 1 in 1D) points.
pub(crate) fn block_average(v: &[f32], shape: Shape, f: usize) -> Vec<f64> {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    let (c1, c2) = (n1 / f, if n2 > 1 { n2 / f } else { 1 });
    let f2 = if n2 > 1 { f } else { 1 };
    let mut out = vec![0.0; c1 * c2];
    for j in 0..n2 {
        for i in 0..n1 {
            out[(j / f2) * c1 + i / f] += f64::from(v[j * n1 + i]);
        }
    }
    let count = (f * f2) as f64;
    out.iter_mut().for_each(|x| *x /= count);
    out
}

/// Every `f`-th sample of `v` along each axis.
pub(crate) fn subsample(v: &[f32], shape: Shape, f: usize) -> Vec<f32> {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    let f2 = if n2 > 1 { f } else { 1 };
    (0..n2)
        .step_by(f2)
        .flat_map(|j| (0..n1).step_by(f).map(move |i| v[j * n1 + i]))
        .collect()
}

/// `params` on the coarse grid of the estimates, at most [`COARSE`] points a
/// side, and the factor `f` it is coarser by.
pub(crate) fn coarse_params(params: &Params) -> (Params, usize) {
    let shape = params.shape;
    let f = (shape.n1 / shape.n1.min(COARSE)) as usize;
    let coarse = if shape.dim() == 2 {
        Shape::square(shape.n1 / f as u32)
    } else {
        Shape::line(shape.n1 / f as u32)
    };
    (
        Params {
            shape: coarse,
            ..params.clone()
        },
        f,
    )
}

/// The estimate for `params` (its scheme, tau, eta and grid) and the sampled
/// `payoff`, linearised about each of `states` (`(mu, nu)` on the grid,
/// row-major; typically the equilibrium and the initial densities).
pub fn step_estimate(
    params: &Params,
    payoff: &Payoff,
    states: &[(&[f32], &[f32])],
) -> StepEstimate {
    let shape = params.shape;
    let (cparams, f) = coarse_params(params);
    let (k, a, b) = (
        subsample(&payoff.kernel, shape, f),
        subsample(&payoff.potential_mu, shape, f),
        subsample(&payoff.potential_nu, shape, f),
    );
    let model = CpuModel::new(
        &cparams,
        &PayoffGrids {
            kernel: &k,
            potential_mu: &a,
            potential_nu: &b,
            band: payoff.band.as_ref().map(|b| (b.modes, b.coeffs.as_slice())),
            kernel_spectrum: None,
        },
    );
    let volume = params.length.powi(shape.dim() as i32);
    let mut speed: f64 = 0.0;
    let mut peaks = [0.0f64; 2];
    let top = |v: &[f64], m: f64| v.iter().fold(m, |m, x| m.max(*x));
    for (mu, nu) in states {
        let (mu, nu) = (block_average(mu, shape, f), block_average(nu, shape, f));
        peaks = [top(&mu, peaks[0]), top(&nu, peaks[1])];
        let (v, u) = model.potentials(&model.spectrum(&mu), &model.spectrum(&nu));
        speed = speed
            .max(model.max_gradient(&v))
            .max(model.max_gradient(&u));
    }
    // The coupling is off-diagonal (mu's drift from nu's potential and back),
    // so its rotation rate scales with the geometric mean of the players'
    // peak densities, relative to the uniform one.
    let rho_rel = ((peaks[0] * peaks[1]).sqrt() * volume).max(1.0);
    // The coupling of each coarse mode, binned by |kappa| in eighths of the
    // smallest wave number (the kernel's and the band's), the largest rate
    // a bin, each bin then one mode at its centre: f32 round-off makes every
    // coefficient of a sampled kernel non-zero, so there are as many
    // entries as grid points.
    let unit = std::f64::consts::TAU / params.length;
    let bin = |kappa: f64| (8.0 * kappa / unit).round() as i64;
    let mut bins = std::collections::BTreeMap::<i64, f64>::new();
    for (kappa, rate) in model.coupling_by_mode(volume) {
        let b = bins.entry(bin(kappa)).or_insert(0.0);
        *b = b.max(rho_rel * rate);
    }
    // mu's modes damp at tau |kappa|^2 and nu's at eta tau |kappa|^2, nu's
    // rates scaled by eta.
    let fields = [(1.0, 1.0), (params.eta, params.eta)];
    estimate_from(
        params,
        speed,
        &bins,
        &fields.map(|(s, r)| (s * params.tau, r)),
    )
}

/// The estimate of the stable step from the drift `speed` and the
/// `couplings` binned by `|kappa|` (in eighths of `2 pi / L`; the largest
/// rate a bin), for fields each damped at `d |kappa|^2` and rotating at `r`
/// times the explicit rate, `fields = [(d, r)]`: the modes of every
/// wave number of the grid and of every bin's centre.
pub(crate) fn estimate_from(
    params: &Params,
    speed: f64,
    couplings: &std::collections::BTreeMap<i64, f64>,
    fields: &[(f64, f64)],
) -> StepEstimate {
    let unit = std::f64::consts::TAU / params.length;
    let bin = |kappa: f64| (8.0 * kappa / unit).round() as i64;
    let coupling_at = |kappa: f64| couplings.get(&bin(kappa)).copied().unwrap_or(0.0);
    let mut kappas = wavenumbers(params.shape, params.length);
    kappas.extend(
        couplings
            .keys()
            .map(|&b| b as f64 * unit / 8.0)
            .filter(|&k| k > 0.0),
    );
    kappas.sort_by(f64::total_cmp);
    kappas.dedup();
    let mut modes = Vec::new();
    for &kappa in &kappas {
        let rate = speed * kappa + coupling_at(kappa);
        for &(damping, scale) in fields {
            modes.push(Mode {
                wavenumber: kappa,
                damping: damping * kappa * kappa,
                rate: scale * rate,
            });
        }
    }
    let (dt_max, worst) = stable_step(params.scheme, &modes);
    StepEstimate {
        speed,
        coupling: couplings.values().fold(0.0f64, |m, r| m.max(*r)),
        wavenumber: worst.map_or(0.0, |i| modes[i].wavenumber),
        dt_max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without damping, ETDRK4 is RK4: stable on the imaginary axis up to
    /// |w| = 2 sqrt 2, and ETDRK2 (Heun there) on none of it.
    #[test]
    fn the_explicit_part_alone_is_rk4_and_heun() {
        let rk4 = |w: f64| amplification(Scheme::Etdrk4, 0.0, C64::new(0.0, w)).norm();
        assert!(rk4(2.8) <= 1.0 && rk4(2.9) > 1.0);
        let w = C64::new(0.3, 0.2);
        let taylor = 1.0 + w + w * w / 2.0 + w * w * w / 6.0 + w * w * w * w / 24.0;
        assert!((amplification(Scheme::Etdrk4, 0.0, w) - taylor).norm() < 1e-14);
        let heun = 1.0 + w + w * w / 2.0;
        assert!((amplification(Scheme::Etdrk2, 0.0, w) - heun).norm() < 1e-14);
        let mode = [Mode {
            wavenumber: 1.0,
            damping: 0.0,
            rate: 1.0,
        }];
        // Just past 2 sqrt 2: |R| = 1 + GROWTH dt a little beyond it.
        let (dt, worst) = stable_step(Scheme::Etdrk4, &mode);
        assert!(dt > 8f64.sqrt() && dt < 8f64.sqrt() + 1e-2, "{dt}");
        assert_eq!(worst, Some(0));
    }

    /// Pure decay (w = 0) is exact: |R| = e^z, stable for every step.
    #[test]
    fn exact_diffusion_never_limits_the_step() {
        for scheme in [Scheme::Etdrk2, Scheme::Etdrk4] {
            for z in [-1e-3, -0.5, -3.0, -40.0] {
                let r = amplification(scheme, z, C64::new(0.0, 0.0));
                assert!((r.re - z.exp()).abs() < 1e-15 && r.im == 0.0);
            }
            let mode = [Mode {
                wavenumber: 1.0,
                damping: 2.0,
                rate: 0.0,
            }];
            assert_eq!(stable_step(scheme, &mode), (f64::INFINITY, None));
        }
    }
}
