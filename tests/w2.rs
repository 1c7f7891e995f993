//! The Wasserstein distance itself (docs/MATHEMATICS.md section 10) against
//! the answers that hold exactly: on the circle against an independent f64
//! evaluation of the quantile formula; in 2D (the back-and-forth method)
//! products of 1D densities against the root-sum-square of their factors'
//! distances, a translated compact bump against |a|, the marginal lower
//! bound, a density against itself, and the linearised W2 near a density.

#[path = "common/w2_cases.rs"]
mod cases;
mod common;

use std::f64::consts::PI;

use mflda::gpu::Shape;
use mflda::w2::bfm_cpu::{w2_bfm, BfmOptions, BfmResult, BfmStop};
use mflda::w2::circle::w2_circle;
use rand::Rng;

use cases::{grid, L};

/// The circle formula by another road: the quantile functions by bisection
/// on the cumulative distribution at `m` midpoints, `C(theta)` by the
/// midpoint rule, minimised by a scan over `[-1, 1]` and a golden-section
/// refinement. Densities cell-wise constant, as in `w2_circle`.
fn circle_by_quadrature(f: &[f64], g: &[f64], length: f64, m: usize) -> f64 {
    let n = f.len();
    let cdf = |v: &[f64]| {
        let total: f64 = v.iter().sum();
        let mut c = vec![0.0; n + 1];
        for j in 0..n {
            c[j + 1] = c[j] + v[j] / total;
        }
        c
    };
    let (cf, cg) = (cdf(f), cdf(g));
    // F^-1(t) on [0, 1), cells' left edge at -1/(2n), extended periodically.
    let quantile = |c: &[f64], t: f64| -> f64 {
        let k = t.floor();
        let t = t - k;
        let j = c.partition_point(|&x| x <= t).clamp(1, n) - 1;
        let w = c[j + 1] - c[j];
        let frac = if w > 0.0 { (t - c[j]) / w } else { 0.0 };
        (j as f64 - 0.5 + frac) / n as f64 + k
    };
    let qf: Vec<f64> = (0..m)
        .map(|i| quantile(&cf, (i as f64 + 0.5) / m as f64))
        .collect();
    let cost = |theta: f64| -> f64 {
        (0..m)
            .map(|i| {
                let t = (i as f64 + 0.5) / m as f64;
                let d = qf[i] - quantile(&cg, t + theta);
                d * d
            })
            .sum::<f64>()
            / m as f64
    };
    let scan = (0..=200).map(|i| -1.0 + i as f64 / 100.0);
    let best = scan.fold((0.0, f64::INFINITY), |(bt, bc), t| {
        let c = cost(t);
        if c < bc {
            (t, c)
        } else {
            (bt, bc)
        }
    });
    let (mut lo, mut hi) = (best.0 - 0.01, best.0 + 0.01);
    for _ in 0..60 {
        let a = lo + (hi - lo) / 3.0;
        let b = hi - (hi - lo) / 3.0;
        if cost(a) < cost(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    length * cost(0.5 * (lo + hi)).sqrt()
}

fn random_density(rng: &mut impl Rng, n: usize) -> Vec<f64> {
    // A smooth positive part and a rough one, so the quantiles have kinks.
    let (a, b, p) = (
        rng.random_range(-0.8..0.8),
        rng.random_range(-0.5..0.5),
        rng.random_range(0.0..L),
    );
    (0..n)
        .map(|j| {
            let x = j as f64 * L / n as f64;
            1.0 + a * (x + p).cos() + b * (3.0 * x).sin() * 0.3 + rng.random_range(0.0..0.2)
        })
        .collect()
}

/// Measured: the two evaluations agree to 1e-10 relative (the midpoint
/// rule's error at 2^16 points); the test allows 1e-8.
#[test]
fn the_circle_formula_matches_an_independent_quadrature() {
    let mut rng = common::rng("circle_formula");
    for n in [16, 61, 256] {
        for _ in 0..3 {
            let f = random_density(&mut rng, n);
            let g = random_density(&mut rng, n);
            let exact = w2_circle(&f, &g, L).unwrap();
            let other = circle_by_quadrature(&f, &g, L, 1 << 16);
            let rel = (exact.w2 - other).abs() / other;
            assert!(
                rel < 1e-8,
                "n = {n}: {} against {other} ({rel:.2e})",
                exact.w2
            );
            let back = w2_circle(&g, &f, L).unwrap();
            assert!((back.w2 - exact.w2).abs() < 1e-12 * exact.w2, "symmetry");
        }
    }
}

#[test]
fn circle_distances_hold_exactly() {
    let n = 128;
    let h = L / n as f64;
    let f: Vec<f64> = (0..n).map(|j| (1.3 * (j as f64 * h).cos()).exp()).collect();
    let same = w2_circle(&f, &f, L).unwrap().w2;
    assert!(same < 1e-12, "{same}");
    // A whole-cell rotation of a density on an arc shorter than L / 2 is at
    // its rotation's length (the translation is optimal on the line).
    let bump: Vec<f64> = (0..n)
        .map(|j| (1.0 - (j as f64 * h - PI).powi(2)).max(0.0).powi(2))
        .collect();
    let g: Vec<f64> = (0..n).map(|j| bump[(j + n - 17) % n]).collect();
    let f = bump;
    let r = w2_circle(&f, &g, L).unwrap();
    assert!((r.w2 - 17.0 * h).abs() < 1e-12, "{r:?}");
    // The uniform density against one cell's mass, uniform on [-h/2, h/2)
    // as cell-wise constant densities: the quantile map x -> x h / L costs
    // ∫ (x (1 - h / L))^2 dx / L over [-L/2, L/2), W2 = (L - h) / sqrt(12).
    let uniform = vec![1.0; n];
    let mut point = vec![0.0; n];
    point[0] = 1.0;
    let w = w2_circle(&uniform, &point, L).unwrap().w2;
    let want = (L - h) / 12f64.sqrt();
    assert!((w - want).abs() < 1e-12, "{w} against {want}");
}

fn bfm(mu: &[f64], nu: &[f64], n: usize, tol: f64) -> BfmResult {
    let options = BfmOptions {
        tol,
        ..BfmOptions::default()
    };
    w2_bfm(mu, nu, Shape::square(n as u32), L, options).unwrap()
}

#[test]
fn a_product_is_at_the_root_sum_square_of_its_factors() {
    cases::product(bfm);
}

#[test]
fn a_translated_bump_is_at_its_translation() {
    cases::translated_bump(bfm);
}

#[test]
fn a_density_is_at_distance_zero_from_itself() {
    let n = 32;
    let mu = grid(n, |x, y| (x.cos() + 0.5 * (x + y).sin()).exp());
    let r = bfm(&mu, &mu, n, 1e-4);
    assert_eq!(r.stop, BfmStop::Converged);
    assert!(r.w2() < 1e-7, "{r:?}");
}

#[test]
fn w2_is_at_least_that_of_the_marginals() {
    cases::marginal_bound(&mut common::rng("marginals"), bfm);
}

#[test]
fn near_a_density_w2_meets_its_linearisation() {
    cases::linearisation(bfm);
}

#[test]
fn bad_densities_are_refused_by_name() {
    let ok = vec![1.0; 16];
    let cases: Vec<(Vec<f64>, &str)> = vec![
        (vec![1.0; 15], "same grid"),
        (
            {
                let mut v = ok.clone();
                v[3] = f64::NAN;
                v
            },
            "not finite",
        ),
        (
            {
                let mut v = ok.clone();
                v[2] = -0.1;
                v
            },
            "negative",
        ),
        (vec![0.0; 16], "zero everywhere"),
    ];
    for (bad, says) in cases {
        let e = w2_circle(&ok, &bad, L).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
    }
    let e = w2_bfm(
        &ok,
        &ok,
        Shape::square(4),
        L,
        BfmOptions {
            tol: 0.0,
            max_iter: 10,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("tolerance"), "{e}");
}

/// The back-and-forth method on the circle (`n2 = 1`) against the exact
/// circle formula: within its own error bound, and 1e-3 of W2 at 256
/// points.
#[test]
fn on_the_circle_the_method_meets_the_formula() {
    let n = 256;
    let h = L / n as f64;
    let f: Vec<f64> = (0..n).map(|j| (1.2 * (j as f64 * h).cos()).exp()).collect();
    let g: Vec<f64> = (0..n)
        .map(|j| 1.0 + 0.6 * (j as f64 * h - 2.0).sin())
        .collect();
    let exact = w2_circle(&f, &g, L).unwrap().w2;
    let r = w2_bfm(&f, &g, Shape::line(n as u32), L, BfmOptions::default()).unwrap();
    cases::check_exact(&r, exact, "circle");
}
