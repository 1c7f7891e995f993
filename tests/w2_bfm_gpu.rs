//! The back-and-forth method on the device (src/w2/bfm_gpu.rs) against the
//! f64 method on the host and against the exact answers of
//! docs/MATHEMATICS.md section 10: a product of 1D densities, a translated
//! bump, a density against itself, the circle formula.

mod common;

use std::f64::consts::TAU;

use mflda::bench::w2::product_pair;
use mflda::gpu::Shape;
use mflda::metrics::w2lin_cpu::h_minus1_norm;
use mflda::w2::bfm_cpu::{w2_bfm, BfmOptions, BfmResult, BfmStop};
use mflda::w2::bfm_gpu::{w2_bfm_gpu, BfmGpu, RING};
use mflda::w2::circle::w2_circle;

fn grid(n: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let h = TAU / n as f64;
    (0..n * n)
        .map(|i| f((i % n) as f64 * h, (i / n) as f64 * h))
        .collect()
}

fn options(tol: f64) -> BfmOptions {
    BfmOptions {
        tol,
        ..BfmOptions::default()
    }
}

fn gpu(mu: &[f64], nu: &[f64], n: usize, tol: f64) -> BfmResult {
    let r = w2_bfm_gpu(
        common::ctx(),
        mu,
        nu,
        Shape::square(n as u32),
        TAU,
        options(tol),
    )
    .unwrap();
    assert_ne!(r.stop, BfmStop::IterationLimit, "{:?}", (r.dual, r.gap));
    assert_eq!(r.iterations % RING, 0, "the rule is applied every RING");
    r
}

/// W2 within 1e-3 of `exact`, and the reported bound holds for `W2^2 / 2`.
fn check_exact(r: &BfmResult, exact: f64, what: &str) {
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
    assert!(
        rel < 1e-3,
        "{what}: W2 {} against {exact} ({rel:.2e})",
        r.w2()
    );
    assert!(
        (r.primal - half).abs() <= r.bound * r.primal,
        "{what}: the error {:.3e} of W2^2/2 exceeds the reported bound {:.3e}",
        (r.primal - half).abs(),
        r.bound * r.primal
    );
}

/// A smooth random pair at 64^2: the device's W2 meets the f64 method's to
/// 2e-4 relative (their iterations differ by f32 rounding and by when the
/// rule is applied, not in what they converge to), the gaps both at or
/// below the tolerance or both at the grid floor.
#[test]
fn the_device_method_meets_the_f64_method() {
    let n = 64;
    let mut rng = common::rng("bfm_gpu");
    let p: Vec<f64> = common::random(&mut rng, 6)
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let mu = grid(n, |x, y| {
        (p[0] * x.cos() + p[1] * (x + y).sin() + p[2] * y.cos()).exp()
    });
    let nu = grid(n, |x, y| {
        (p[3] * (2.0 * x).sin() + p[4] * (x - y).cos() + p[5] * y.sin()).exp()
    });
    let host = w2_bfm(&mu, &nu, Shape::square(n as u32), TAU, options(1e-4)).unwrap();
    let dev = gpu(&mu, &nu, n, 1e-4);
    let rel = (dev.w2() - host.w2()).abs() / host.w2();
    eprintln!(
        "64^2: device {:.8} ({} it, gap {:.2e}), host {:.8} ({} it, gap {:.2e}): {rel:.2e}",
        dev.w2(),
        dev.iterations,
        dev.gap,
        host.w2(),
        host.iterations,
        host.gap
    );
    assert!(rel < 2e-4, "device {} against host {}", dev.w2(), host.w2());
    assert_eq!(dev.stop, host.stop);
    assert_eq!(dev.history.len(), dev.iterations as usize);
    assert_eq!(dev.phi.len(), n * n);
}

#[test]
fn on_the_device_a_product_is_at_the_root_sum_square_of_its_factors() {
    let n = 256;
    let (mu, nu, exact) = product_pair(n).unwrap();
    check_exact(&gpu(&mu, &nu, n, 1e-4), exact, "product");
}

#[test]
fn on_the_device_a_translated_bump_is_at_its_translation() {
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
    check_exact(&gpu(&mu, &nu, n, 1e-3), a[0].hypot(a[1]), "bump");
}

/// A density against itself converges at once to 0; one solver serves
/// several pairs (its buffers rewritten), each result that of a fresh one.
#[test]
fn on_the_device_a_density_is_at_distance_zero_and_solvers_are_reused() {
    let ctx = common::ctx();
    let n = 32;
    let shape = Shape::square(n as u32);
    let mu = grid(n, |x, y| (x.cos() + 0.5 * (x + y).sin()).exp());
    let nu = grid(n, |x, y| (0.7 * (x - y).cos()).exp());
    let solver = BfmGpu::new(ctx, shape, TAU).unwrap();
    let same = solver.solve(ctx, &mu, &mu, options(1e-4)).unwrap();

    assert_eq!(same.stop, BfmStop::Converged);
    assert!(same.w2() < 1e-6, "{:?}", (same.w2(), same.gap));
    let first = solver.solve(ctx, &mu, &nu, options(1e-4)).unwrap();
    let again = solver.solve(ctx, &mu, &nu, options(1e-4)).unwrap();
    let fresh = w2_bfm_gpu(ctx, &mu, &nu, shape, TAU, options(1e-4)).unwrap();
    assert_eq!(first.w2().to_bits(), again.w2().to_bits());
    assert_eq!(first.w2().to_bits(), fresh.w2().to_bits());
    assert!(first.w2() > 0.1, "{}", first.w2());
}

/// On the circle the device method meets the exact formula (to the grid's
/// second-order error, 1e-3 at 512 points).
#[test]
fn on_the_device_the_circle_meets_the_formula() {
    let n = 512;
    let line = |f: &dyn Fn(f64) -> f64| -> Vec<f64> {
        (0..n).map(|j| f(j as f64 * TAU / n as f64)).collect()
    };
    let f = line(&|x| 1.0 + 0.5 * x.cos() + 0.2 * (2.0 * x).sin());
    let g = line(&|x| (2.0 * (x - 1.0).cos()).exp());
    let exact = w2_circle(&f, &g, TAU).unwrap().w2;
    let r = w2_bfm_gpu(
        common::ctx(),
        &f,
        &g,
        Shape::line(n as u32),
        TAU,
        options(1e-4),
    )
    .unwrap();
    assert_ne!(r.stop, BfmStop::IterationLimit);
    check_exact(&r, exact, "circle");
}

/// Random pairs: W2^2 on the device is at least the sum of the marginals'
/// squared distances (exact for the continuous problem; the grid's
/// second-order error allowed as 1e-3 relative).
#[test]
fn on_the_device_w2_is_at_least_that_of_the_marginals() {
    let n = 64;
    let mut rng = common::rng("bfm_gpu_marginals");
    for _ in 0..3 {
        let p: Vec<f64> = common::random(&mut rng, 6)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
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
            w2_circle(&marginal(&mu, axis), &marginal(&nu, axis), TAU)
                .unwrap()
                .w2
        };
        let bound = m(0).hypot(m(1));
        let r = gpu(&mu, &nu, n, 1e-4);
        assert!(
            r.w2() >= bound * (1.0 - 1e-3),
            "{} below the marginal bound {bound}",
            r.w2()
        );
    }
}

/// Near a density rho*, the device's W2(rho* (1 + eps f), rho*) against the
/// linearised W2: their ratio tends to 1 as eps shrinks (as on the host,
/// tests/w2.rs), to 1e-3 at the smallest of three amplitudes.
#[test]
fn on_the_device_near_a_density_w2_meets_its_linearisation() {
    let n = 128;
    let cell = (TAU / n as f64).powi(2);
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
        let lin = h_minus1_norm(Shape::square(n as u32), TAU, &star, &diff, 1e-12, 500).norm;
        let w = gpu(&rho, &star, n, 1e-4).w2();
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

/// Grids the device solver does not take are refused by name, and the
/// iteration limit is reported as the reason with its gap.
#[test]
fn the_device_method_refuses_other_grids_and_reports_the_limit() {
    let ctx = common::ctx();
    for shape in [
        Shape::square(48),
        Shape::square(2),
        Shape { n1: 32, n2: 16 },
    ] {
        let e = BfmGpu::new(ctx, shape, TAU).unwrap_err().to_string();
        assert!(e.contains("power-of-two"), "{shape}: {e}");
    }
    let n = 32;
    let mu = grid(n, |x, y| (x.cos() + y.sin()).exp());
    let nu = grid(n, |x, y| (-(x - 1.0).cos() + 0.3 * y.sin()).exp());
    let r = w2_bfm_gpu(
        ctx,
        &mu,
        &nu,
        Shape::square(n as u32),
        TAU,
        BfmOptions {
            tol: 1e-12,
            max_iter: 3,
        },
    )
    .unwrap();
    assert_eq!(r.stop, BfmStop::IterationLimit);
    assert_eq!(r.iterations, 3);
    assert!(r.gap > 1e-12 && r.gap.is_finite(), "{}", r.gap);
    let bad = w2_bfm_gpu(
        ctx,
        &mu,
        &nu[..n],
        Shape::square(n as u32),
        TAU,
        options(1e-4),
    );
    assert!(bad.is_err());
}
