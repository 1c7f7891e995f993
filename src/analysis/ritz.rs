//! The host side of one LOBPCG step: the Rayleigh-Ritz problem on the basis
//! `[x, w, p]` (current vector, preconditioned residual, previous direction),
//! solved in f64 from Gram matrices the GPU reduced in f32.
//!
//! ```text
//! A = S^T H S,  B = S^T S  (3 x 3),   A c = theta B c,  theta minimal,
//! x_new = S c,  p_new = S e,  e = d - (c^T B d) c,  d = (0, c_w, c_p)
//! ```
//!
//! `p_new` spans with `x_new` the same plane as the classical `S d`, but is
//! `B`-orthogonal to `x_new`, which keeps the next basis well conditioned (the
//! GPU orthogonalises `w` against `x` and `p`, so `B` stays near the identity).
//! Directions are scaled to unit length first, and the basis is reduced (p
//! dropped, then w) while `B` is too close to singular for its f32 entries.

use nalgebra::{Matrix3, SymmetricEigen};

/// Smallest eigenvalue of the unit-diagonal `B` accepted: its f32 entries
/// carry errors near 1e-7, so the generalised problem loses about
/// `1e-7 / MIN_GRAM_EIGENVALUE` in the Ritz vector below this.
const MIN_GRAM_EIGENVALUE: f64 = 1e-4;

/// Gram matrices of the basis `[x, w, p]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gram {
    /// `B_ij = s_i . s_j`.
    pub b: Matrix3<f64>,
    /// `A_ij = s_i . H s_j`.
    pub a: Matrix3<f64>,
}

impl Gram {
    /// From the 12 reduced dot products in the order of
    /// `shaders/analysis/poincare_gram.wgsl`: `xx xw xp ww wp pp`, then
    /// `xHx xHw xHp wHw wHp pHp`.
    pub fn from_dots(d: &[f64]) -> Option<Self> {
        if d.len() < 12 {
            return None;
        }
        let sym = |v: &[f64]| Matrix3::new(v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5]);
        Some(Gram {
            b: sym(&d[..6]),
            a: sym(&d[6..12]),
        })
    }
}

/// The outcome of one Rayleigh-Ritz step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RitzStep {
    /// The smallest Ritz value.
    pub theta: f64,
    /// `x_new = c_x x + c_w w + c_p p`, with `||x_new|| = 1`.
    pub c: [f64; 3],
    /// `p_new = e_x x + e_w w + e_p p`, unit length and orthogonal to
    /// `x_new` (zero when `x_new` is `x`).
    pub e: [f64; 3],
    /// Size of the basis used (1 to 3).
    pub rank: usize,
}

/// Solves the Rayleigh-Ritz problem on the first `size` of `[x, w, p]`
/// (2 without a previous direction), reducing the basis while `B` is
/// ill-conditioned; `None` when even `[x]` is unusable (zero or non-finite).
pub fn rayleigh_ritz(g: &Gram, size: usize) -> Option<RitzStep> {
    let mut size = size.clamp(1, 3);
    // A direction of (numerically) zero length carries no information.
    let usable = |v: f64| v.is_finite() && v > 1e-30;
    while size > 1 && !usable(g.b[(size - 1, size - 1)]) {
        size -= 1;
    }
    loop {
        if let Some(step) = solve(g, size) {
            return Some(step);
        }
        if size == 1 {
            return None;
        }
        size -= 1;
    }
}

fn solve(g: &Gram, size: usize) -> Option<RitzStep> {
    let mut scale = [0.0; 3];
    for (i, s) in scale.iter_mut().enumerate().take(size) {
        let bii = g.b[(i, i)];
        if !(bii.is_finite() && bii > 0.0) {
            return None;
        }
        *s = 1.0 / bii.sqrt();
    }
    let bs = nalgebra::DMatrix::from_fn(size, size, |i, j| g.b[(i, j)] * scale[i] * scale[j]);
    let as_ = nalgebra::DMatrix::from_fn(size, size, |i, j| g.a[(i, j)] * scale[i] * scale[j]);
    if !bs.iter().chain(as_.iter()).all(|v| v.is_finite()) {
        return None;
    }
    let be = SymmetricEigen::new(bs.clone());
    if be.eigenvalues.min() < MIN_GRAM_EIGENVALUE {
        return None;
    }
    // T = V D^{-1/2}: T^T Bs T = I, so the problem becomes T^T As T y = theta y.
    let mut t = be.eigenvectors.clone();
    for (j, mut col) in t.column_iter_mut().enumerate() {
        col /= be.eigenvalues[j].sqrt();
    }
    let c_mat = t.transpose() * &as_ * &t;
    let ce = SymmetricEigen::new((&c_mat + c_mat.transpose()) * 0.5);
    let k = ce.eigenvalues.imin();
    let theta = ce.eigenvalues[k];
    let y = ce.eigenvectors.column(k);
    let cs = &t * y;
    let mut c = [0.0; 3];
    for i in 0..size {
        c[i] = cs[i] * scale[i];
    }
    // Keep x's orientation, and renormalise in B (exact arithmetic gives 1).
    let sign = if c[0] < 0.0 { -1.0 } else { 1.0 };
    let cv = nalgebra::Vector3::from(c) * sign;
    let norm = (cv.transpose() * g.b * cv)[(0, 0)].sqrt();
    if !(norm.is_finite() && norm > 0.0) {
        return None;
    }
    let cv = cv / norm;
    let dv = nalgebra::Vector3::new(0.0, cv[1], cv[2]);
    let ev = dv - cv * (cv.transpose() * g.b * dv)[(0, 0)];
    let en = (ev.transpose() * g.b * ev)[(0, 0)];
    let e = if en.is_finite() && en > 1e-30 {
        let s = en.sqrt();
        [ev[0] / s, ev[1] / s, ev[2] / s]
    } else {
        [0.0; 3]
    };
    theta.is_finite().then_some(RitzStep {
        theta,
        c: [cv[0], cv[1], cv[2]],
        e,
        rank: size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagonal_problem_picks_the_smallest() {
        let b = Matrix3::identity();
        let a = Matrix3::from_diagonal(&nalgebra::Vector3::new(2.0, 1.0, 3.0));
        let s = rayleigh_ritz(&Gram { a, b }, 3).unwrap();
        assert!((s.theta - 1.0).abs() < 1e-12);
        assert!((s.c[1].abs() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn dependent_direction_is_dropped() {
        // p = w: B singular, the step falls back to [x, w].
        let b = Matrix3::new(1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0);
        let a = Matrix3::new(2.0, 0.5, 0.5, 0.5, 1.0, 1.0, 0.5, 1.0, 1.0);
        let s = rayleigh_ritz(&Gram { a, b }, 3).unwrap();
        assert_eq!(s.rank, 2);
        assert!(s.theta < 1.0);
    }
}
