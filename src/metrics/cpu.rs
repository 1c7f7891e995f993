//! The metrics of docs/MATHEMATICS.md section 5 in f64 on the CPU: the reference for the
//! GPU reductions.

use crate::metrics::stats::PlayerStats;

/// Statistics of `rho` against `star` (both on the grid, cell measure `cell`),
/// with KL in the Bregman form `int rho log(rho/rho*) - rho + rho*`.
pub fn player_stats(rho: &[f64], star: &[f64], cell: f64) -> PlayerStats {
    let mut s = PlayerStats {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        ..Default::default()
    };
    let mut l2 = 0.0;
    for (&r, &q) in rho.iter().zip(star) {
        s.mass += r;
        s.min = s.min.min(r);
        s.max = s.max.max(r);
        if r > 0.0 {
            s.entropy -= r * r.ln();
        }
        let d = r - q;
        l2 += d * d;
        s.linf = s.linf.max(d.abs());
        s.kl += kl_term(r, q);
        s.chi2 += d * d / q;
    }
    s.mass *= cell;
    s.entropy *= cell;
    s.l2 = (l2 * cell).sqrt();
    s.kl *= cell;
    s.chi2 *= cell;
    s
}

/// `rho log(rho/q) - rho + q`, with `rho log rho = 0` for `rho <= 0`.
pub fn kl_term(rho: f64, q: f64) -> f64 {
    let rlr = if rho > 0.0 { rho * (rho / q).ln() } else { 0.0 };
    rlr - rho + q
}
