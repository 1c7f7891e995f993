// The terms of KL(rho | q) in Bregman form, rho log(rho/q) - rho + q = q f(r),
// f(r) = r log r - r + 1, r = rho/q. Equal to KL for equal masses, but each term
// is >= 0 and O((rho - q)^2), so sums of small deviations do not cancel: near
// r = 1, f is summed from its series in u = r - 1,
//     f = sum_{k>=2} (-1)^k u^k / (k (k - 1)).
// rho <= 0 (possible with spectral schemes) counts r log r as 0.

fn bregman_f(r: f32) -> f32 {
    if r <= 0.0 {
        return 1.0 - r;
    }
    return bregman_u(r - 1.0);
}

// f(1 + u), taking u itself: precise when u comes from a deviation d / q.
fn bregman_u(u: f32) -> f32 {
    if u <= -1.0 {
        return -u;
    }
    if abs(u) < 0.125 {
        var s = 0.0;
        var p = u * u;
        for (var k = 2u; k <= 10u; k++) {
            let sign = select(-1.0, 1.0, k % 2u == 0u);
            s += sign * p / f32(k * (k - 1u));
            p *= u;
        }
        return s;
    }
    let r = 1.0 + u;
    return r * log(r) - r + 1.0;
}

// One term of KL(rho | q) given rho and log q. Near rho = q the series of f;
// elsewhere rho (log rho - log q) - rho + q, which stays finite when q
// underflows to 0 (a Gibbs density exp(-V/tau) at low tau).
fn kl_term(rho: f32, log_q: f32) -> f32 {
    let q = exp(log_q);
    if rho <= 0.0 {
        return q - rho;
    }
    let u = rho / q - 1.0;
    if abs(u) < 0.125 {
        return q * bregman_u(u);
    }
    return rho * (log(rho) - log_q) - rho + q;
}

// One term of KL(q + d | q) given the deviation d and log q.
fn kl_term_dev(d: f32, log_q: f32) -> f32 {
    let q = exp(log_q);
    let u = d / q;
    if abs(u) < 0.125 {
        return q * bregman_u(u);
    }
    return kl_term(q + d, log_q);
}
