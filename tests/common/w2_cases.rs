//! The 2D cases of W2 with exact answers (docs/MATHEMATICS.md section 10),
//! checked on the host method by tests/w2.rs and on the device method by
//! tests/w2_bfm_gpu.rs: each takes the solver as `solve(mu, nu, n, tol)` on
//! the `n x n` torus of side `L`.

use std::f64::consts::TAU;

use mflda::bench::w2::product_pair;
use mflda::gpu::Shape;
use mflda::metrics::w2lin_cpu::h_minus1_norm;
use mflda::w2::bfm_cpu::{BfmResult, BfmStop};
use mflda::w2::circle::w2_circle;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The side of the torus.
pub const L: f64 = TAU;

/// `f(x, y)` at the points of the `n x n` grid, row-major.
pub fn grid(n: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let h = L / n as f64;
    (0..n * n)
        .map(|i| f((i % n) as f64 * h, (i / n) as f64 * h))
        .collect()
}

/// W2 within 1e-3 of `exact`, and the reported bound holds for `W2^2 / 2`.
pub fn check_exact(r: &BfmResult, exact: f64, what: &str) {
    let half = 0.5 * exact * exact;
    let rel = (r.w2() - exact).abs() / exact;
    eprintln!(
        "{what}: W2 {:.8} against {exact:.8} ({rel:.2e}), gap {:.2e}, bound {:.2e}, {} \
         iterations, {}",
        r.w2(),
        r.gap,
        r.bound,
        r.iterations,
        r.stop.as_str()
    );
    assert_ne!(r.stop, BfmStop::IterationLimit, "{what}");
    assert!(
        rel < 1e-3,
        "{what}: W2 {} against {exact} ({rel:.2e})",
        r.w2()
    );
    assert!(
        (r.primal - half).abs() <= r.bound * r.primal,
        "{what}: the error {:.3e} of W2^2/2 exceeds the reported bound {:.3e} (gap {:.3e})",
        (r.primal - half).abs(),
        r.bound * r.primal,
        r.gap * r.primal
    );
}

/// The product pair of `mflda bench w2` at 256^2, at the root-sum-square of
/// its factors' circle distances.
pub fn product(solve: impl Fn(&[f64], &[f64], usize, f64) -> BfmResult) {
    let n = 256;
    let (mu, nu, exact) = product_pair(n).unwrap();
    check_exact(&solve(&mu, &nu, n, 1e-4), exact, "product");
}

/// A compact bump and its translate by `a` at 256^2, at `|a|` (the gap
/// falls slowly where the support ends: tolerance 1e-3).
pub fn translated_bump(solve: impl Fn(&[f64], &[f64], usize, f64) -> BfmResult) {
    let n = 256;
    let bump = |c: [f64; 2]| {
        move |x: f64, y: f64| {
            let r2 = (x - c[0]).powi(2) + (y - c[1]).powi(2);
            if r2 < 1.0 {
                (1.0 - r2).powi(3)
            } else {
                0.0
            }
        }
    };
    let a = [0.37, -0.61];
    let mu = grid(n, bump([3.0, 3.0]));
    let nu = grid(n, bump([3.0 + a[0], 3.0 + a[1]]));
    check_exact(&solve(&mu, &nu, n, 1e-3), a[0].hypot(a[1]), "bump");
}

/// Three random smooth pairs at 64^2: W2^2 is at least the sum of the
/// marginals' squared circle distances (exact for the continuous problem;
/// the grid's second-order error allowed as 1e-3 relative).
pub fn marginal_bound(
    rng: &mut ChaCha8Rng,
    solve: impl Fn(&[f64], &[f64], usize, f64) -> BfmResult,
) {
    let n = 64;
    for _ in 0..3 {
        let p: Vec<f64> = (0..6).map(|_| rng.random_range(-1.0..1.0)).collect();
        let mu = grid(n, |x, y| {
            (p[0] * x.cos() + p[1] * (x + y).sin() + p[2] * y.cos()).exp()
        });
        let nu = grid(n, |x, y| {
            (p[3] * (2.0 * x).sin() + p[4] * (x - y).cos() + p[5] * y.sin()).exp()
        });
        let marginal = |v: &[f64], axis: usize| -> Vec<f64> {
            (0..n)
                .map(|k| {
                    (0..n)
                        .map(|j| {
                            if axis == 0 {
                                v[j * n + k]
                            } else {
                                v[k * n + j]
                            }
                        })
                        .sum()
                })
                .collect()
        };
        let m = |axis| {
            w2_circle(&marginal(&mu, axis), &marginal(&nu, axis), L)
                .unwrap()
                .w2
        };
        let bound = m(0).hypot(m(1));
        let r = solve(&mu, &nu, n, 1e-4);
        assert!(
            r.w2() >= bound * (1.0 - 1e-3),
            "{} below the marginal bound {bound}",
            r.w2()
        );
    }
}

/// Near a density rho* at 128^2, W2(rho* (1 + eps f), rho*) (`f` of mean
/// zero under rho*) against the linearised W2 `||rho - rho*||_{H^-1(rho*)}`:
/// their ratio tends to 1 as eps shrinks, to 1e-3 at the smallest of three
/// amplitudes (measured on both methods: 3.6e-3, 4.8e-4, 3.1e-4).
pub fn linearisation(solve: impl Fn(&[f64], &[f64], usize, f64) -> BfmResult) {
    let n = 128;
    let cell = (L / n as f64).powi(2);
    let star = grid(n, |x, y| (0.8 * x.cos() + 0.4 * (x - y).sin()).exp());
    let mass: f64 = star.iter().sum::<f64>() * cell;
    let star: Vec<f64> = star.iter().map(|v| v / mass).collect();
    let f = grid(n, |x, y| (2.0 * x + y).sin() + 0.5 * y.cos());
    let mean = star.iter().zip(&f).map(|(s, g)| s * g).sum::<f64>() * cell;
    let mut last = f64::INFINITY;
    for eps in [0.6, 0.3, 0.15] {
        let rho: Vec<f64> = star
            .iter()
            .zip(&f)
            .map(|(s, g)| s * (1.0 + eps * (g - mean)))
            .collect();
        let diff: Vec<f64> = rho.iter().zip(&star).map(|(a, b)| a - b).collect();
        let lin = h_minus1_norm(Shape::square(n as u32), L, &star, &diff, 1e-12, 500).norm;
        let w = solve(&rho, &star, n, 1e-4).w2();
        let off = (w / lin - 1.0).abs();
        eprintln!("eps = {eps}: W2 {w:.6e}, linearised {lin:.6e}, |ratio - 1| {off:.2e}");
        assert!(
            off < last,
            "eps = {eps}: |ratio - 1| = {off:.2e} did not fall"
        );
        last = off;
    }
    assert!(
        last < 1e-3,
        "|ratio - 1| = {last:.2e} at the smallest amplitude"
    );
}
