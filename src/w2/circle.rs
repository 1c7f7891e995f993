//! W2 on the circle, exactly (docs/MATHEMATICS.md section 10; Delon,
//! Salomon and Sobolevski 2010): with the quantile functions `F^-1`, `G^-1`
//! of the two distributions extended periodically (`G^-1(t + 1) = G^-1(t) + 1`),
//!
//! ```text
//! W2^2 = L^2 min_theta C(theta),   C(theta) = ∫_0^1 |F^-1(t) - G^-1(t + theta)|^2 dt
//! ```
//!
//! on the circle of length 1 scaled by `L^2`, `C` convex. A grid density
//! (values at `x_j = j h`) is read as constant on each cell `[x_j - h/2,
//! x_j + h/2)`, so its quantile function is piecewise linear and `C(theta)`
//! is integrated exactly, interval by interval of the merged breakpoints
//! (`O(N)` per `theta`). The mean of the displacement is `Delta - theta`
//! (`Delta` the difference of the means) and `C(theta*) <= 1/4`, so by
//! Jensen the minimiser lies in `[Delta - 1/2, Delta + 1/2]`, where a golden
//! section search narrows it to round-off.

use crate::{Error, Result};

/// One linear piece of a quantile function: `u(t) = u0 + (t - t0) slope`
/// for `t` in `[t0, t1]`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    t0: f64,
    t1: f64,
    u0: f64,
    slope: f64,
}

impl Piece {
    fn at(&self, t: f64) -> f64 {
        self.u0 + (t - self.t0) * self.slope
    }
}

/// The quantile function of a cell-wise constant density on the unit circle,
/// its cells' left edge at `-1 / (2 N)`.
#[derive(Debug, Clone)]
struct Quantile {
    pieces: Vec<Piece>,
    /// `∫_0^1 F^-1(t) dt`, the mean position.
    mean: f64,
}

impl Quantile {
    /// From the masses of the `N` cells (non-negative, their sum positive;
    /// normalised here).
    fn new(masses: &[f64]) -> Quantile {
        let n = masses.len() as f64;
        let total: f64 = masses.iter().sum();
        let mut pieces = Vec::with_capacity(masses.len());
        let mut c = 0.0;
        let mut mean = 0.0;
        for (j, &m) in masses.iter().enumerate() {
            if m <= 0.0 {
                continue;
            }
            let w = m / total;
            let left = (j as f64 - 0.5) / n;
            pieces.push(Piece {
                t0: c,
                t1: c + w,
                u0: left,
                slope: 1.0 / (n * w),
            });
            mean += w * (left + 0.5 / n);
            c += w;
        }
        if let Some(last) = pieces.last_mut() {
            last.t1 = 1.0;
        }
        Quantile { pieces, mean }
    }

    /// The pieces of `s -> F^-1(s)` over `s` in `[-2, 3]`: five periods,
    /// which cover `t + theta` for `t` in `[0, 1]` and `|theta| < 3/2`.
    fn extended(&self) -> Vec<Piece> {
        let mut out = Vec::with_capacity(5 * self.pieces.len());
        for k in [-2.0, -1.0, 0.0, 1.0, 2.0] {
            out.extend(self.pieces.iter().map(|p| Piece {
                t0: p.t0 + k,
                t1: p.t1 + k,
                u0: p.u0 + k,
                slope: p.slope,
            }));
        }
        out
    }
}

/// `C(theta)` of `f` against the extended `g` (`|theta| < 3/2`), exact
/// for the piecewise linear quantiles: on each interval of the merged
/// breakpoints the displacement `D` is linear, and `∫ D^2 = l (D_a^2 + D_a
/// D_b + D_b^2) / 3`.
fn cost(f: &[Piece], g: &[Piece], theta: f64) -> f64 {
    let mut j = g.partition_point(|p| p.t1 <= theta);
    let mut sum = 0.0;
    for p in f {
        let mut a = p.t0;
        while a < p.t1 {
            while j + 1 < g.len() && g[j].t1 - theta <= a {
                j += 1;
            }
            let q = &g[j];
            let b = p.t1.min(q.t1 - theta);
            let b = if b <= a { p.t1 } else { b };
            let da = p.at(a) - q.at(a + theta);
            let db = p.at(b) - q.at(b + theta);
            sum += (b - a) * (da * da + da * db + db * db) / 3.0;
            a = b;
        }
    }
    sum
}

/// The result of [`w2_circle`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircleW2 {
    /// W2 on the circle of length L.
    pub w2: f64,
    /// The optimal shift `theta*` of the quantile argument (unit circle).
    pub theta: f64,
    /// Evaluations of `C` used by the search.
    pub evaluations: u32,
}

/// The 2-Wasserstein distance between two densities on the circle of
/// length `length`: `f`, `g` are grid values at `x_j = j L / N` (`N` each,
/// the same `N`, finite, non-negative, each with positive sum; normalised to
/// unit mass here), read as constant on the cells centred at the points.
pub fn w2_circle(f: &[f64], g: &[f64], length: f64) -> Result<CircleW2> {
    check_pair(f, g)?;
    if !(length.is_finite() && length > 0.0) {
        return Err(Error::Usage(format!(
            "W2 on the circle: the length L = {length} must be positive"
        )));
    }
    let qf = Quantile::new(f);
    let qg = Quantile::new(g);
    let gx = qg.extended();
    let delta = qf.mean - qg.mean;
    let eval = |theta: f64| cost(&qf.pieces, &gx, theta);
    let (theta, c, evaluations) = golden_min(eval, delta - 0.5, delta + 0.5);
    Ok(CircleW2 {
        w2: length * c.max(0.0).sqrt(),
        theta,
        evaluations,
    })
}

/// Checks two density arrays for W2: the same non-zero length, finite,
/// non-negative values, positive sums.
pub(crate) fn check_pair(f: &[f64], g: &[f64]) -> Result<()> {
    if f.len() != g.len() || f.is_empty() {
        return Err(Error::Usage(format!(
            "W2: the densities have {} and {} values; give two of the same grid",
            f.len(),
            g.len()
        )));
    }
    for (name, v) in [("first", f), ("second", g)] {
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(Error::Usage(format!(
                "W2: the {name} density is not finite at index {i} ({})",
                v[i]
            )));
        }
        if let Some(i) = v.iter().position(|&x| x < 0.0) {
            return Err(Error::Usage(format!(
                "W2: the {name} density is negative at index {i} ({}); densities are \
                 non-negative",
                v[i]
            )));
        }
        if v.iter().sum::<f64>() <= 0.0 {
            return Err(Error::Usage(format!(
                "W2: the {name} density is zero everywhere; give a density of positive mass"
            )));
        }
    }
    Ok(())
}

/// Golden-section minimum of the convex `c` on `[lo, hi]`, to round-off:
/// `(argmin, min, evaluations)`.
fn golden_min(c: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> (f64, f64, u32) {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = hi - r * (hi - lo);
    let mut x2 = lo + r * (hi - lo);
    let (mut c1, mut c2) = (c(x1), c(x2));
    let mut evaluations = 2;
    while hi - lo > 4.0 * f64::EPSILON * (1.0 + lo.abs().max(hi.abs())) && evaluations < 200 {
        if c1 <= c2 {
            hi = x2;
            x2 = x1;
            c2 = c1;
            x1 = hi - r * (hi - lo);
            c1 = c(x1);
        } else {
            lo = x1;
            x1 = x2;
            c1 = c2;
            x2 = lo + r * (hi - lo);
            c2 = c(x2);
        }
        evaluations += 1;
    }
    if c1 <= c2 {
        (x1, c1, evaluations)
    } else {
        (x2, c2, evaluations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_translate_is_at_its_shift() {
        let n = 64;
        let f: Vec<f64> = (0..n)
            .map(|j| if (10..20).contains(&j) { 1.0 } else { 0.0 })
            .collect();
        let g: Vec<f64> = (0..n).map(|j| f[(j + n - 5) % n]).collect();
        let r = w2_circle(&f, &g, 2.0).unwrap();
        assert!((r.w2 - 2.0 * 5.0 / 64.0).abs() < 1e-13, "{r:?}");
    }
}
