//! The back-and-forth method on the device (src/w2/bfm_gpu.rs) against the
//! f64 method on the host and against the exact answers of
//! docs/MATHEMATICS.md section 10: a product of 1D densities, a translated
//! bump, a density against itself, the circle formula.

#[path = "common/w2_cases.rs"]
mod cases;
mod common;

use cases::grid;
use std::f64::consts::TAU;

use mflda::gpu::Shape;
use mflda::w2::bfm_cpu::{w2_bfm, BfmOptions, BfmResult, BfmStop};
use mflda::w2::bfm_gpu::{w2_bfm_gpu, BfmGpu, RING};
use mflda::w2::circle::w2_circle;

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
    cases::product(gpu);
}

#[test]
fn on_the_device_a_translated_bump_is_at_its_translation() {
    cases::translated_bump(gpu);
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
    cases::check_exact(&r, exact, "circle");
}

#[test]
fn on_the_device_w2_is_at_least_that_of_the_marginals() {
    cases::marginal_bound(&mut common::rng("bfm_gpu_marginals"), gpu);
}

#[test]
fn on_the_device_near_a_density_w2_meets_its_linearisation() {
    cases::linearisation(gpu);
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
