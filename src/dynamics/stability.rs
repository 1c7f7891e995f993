//! The explicit part's step-size estimate (MFLDA.md section 3): with the
//! diffusion exact, a safe step is about
//! `dt <= min(h / G, C tau / G^2)`, `G` a bound on the drift speeds |grad V| and
//! |grad U|, and `C = 2.8` (the imaginary-axis stability radius of RK4).

use crate::dynamics::Params;
use crate::game::Payoff;

/// Stability radius of the explicit stages on the imaginary axis.
const C: f64 = 2.8;

/// The estimate and what it came from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StepEstimate {
    /// Bound on |grad V| and |grad U| over the grid.
    pub drift_bound: f64,
    /// `h / G`.
    pub advective: f64,
    /// `C tau / G^2`.
    pub diffusive: f64,
    /// `min` of the two (infinite when the payoff is constant).
    pub dt_max: f64,
}

/// Largest |gradient| of a periodic field on the grid by central differences
/// (spacing `h` on both axes).
fn max_gradient(v: &[f32], n1: usize, n2: usize, h: f64) -> f64 {
    let at = |i: usize, j: usize| v[j * n1 + i] as f64;
    let mut g: f64 = 0.0;
    for j in 0..n2 {
        for i in 0..n1 {
            let dx = (at((i + 1) % n1, j) - at((i + n1 - 1) % n1, j)) / (2.0 * h);
            let dy = if n2 > 1 {
                (at(i, (j + 1) % n2) - at(i, (j + n2 - 1) % n2)) / (2.0 * h)
            } else {
                0.0
            };
            g = g.max(dx.hypot(dy));
        }
    }
    g
}

/// The estimate for `params` and the sampled payoff.
pub fn step_estimate(params: &Params, payoff: &Payoff) -> StepEstimate {
    let (n1, n2) = (params.shape.n1 as usize, params.shape.n2 as usize);
    let h = params.length / n1 as f64;
    let grad = |v: &[f32]| max_gradient(v, n1, n2, h);
    let kappa = 2.0 * std::f64::consts::PI / params.length;
    // |grad_x K3| <= sum |C_mn| |kappa_m|, |grad_y K3| <= sum |C_mn| |kappa_n|.
    let (band_x, band_y) = payoff.band.as_ref().map_or((0.0, 0.0), |b| {
        let len = b.box_len();
        let norm = |i: usize| {
            let m = b.box_mode(i);
            kappa * ((m[0] * m[0] + m[1] * m[1]) as f64).sqrt()
        };
        let mut gx = 0.0;
        let mut gy = 0.0;
        for i in 0..len {
            for j in 0..len {
                let c = b.coeffs[i * len + j].norm();
                gx += c * norm(i);
                gy += c * norm(j);
            }
        }
        (gx, gy)
    });
    let k = grad(&payoff.kernel);
    let g = (k + grad(&payoff.potential_mu) + band_x).max(k + grad(&payoff.potential_nu) + band_y);
    let advective = h / g;
    let diffusive = C * params.tau / (g * g);
    StepEstimate {
        drift_bound: g,
        advective,
        diffusive,
        dt_max: advective.min(diffusive),
    }
}
