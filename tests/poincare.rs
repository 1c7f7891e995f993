//! Poincare constants (docs/MATHEMATICS.md section 6): the GPU LOBPCG against exact
//! values, the dense f64 reference and the Holley-Stroock bound, and an
//! independent Galerkin check of the Schrodinger form.

mod common;

use std::f64::consts::TAU;

use mflda::analysis::dense::lowest_eigenvalues;
use mflda::analysis::{poincare_constant, poincare_dense, PoincareOptions, PoincareReport};
use mflda::dynamics::Params;
use mflda::equilibrium::Stop;
use mflda::gpu::Shape;
use nalgebra::{DMatrix, SymmetricEigen};

fn params(shape: Shape, length: f64) -> Params {
    Params {
        length,
        ..common::params(shape, 1.0)
    }
}

/// `f(x1, x2)` at every grid point, row-major `(n2, n1)`.
fn sample(shape: Shape, length: f64, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let (h1, h2) = (length / shape.n1 as f64, length / shape.n2 as f64);
    let mut out = Vec::with_capacity(shape.len());
    for j2 in 0..shape.n2 {
        for j1 in 0..shape.n1 {
            out.push(f(j1 as f64 * h1, j2 as f64 * h2));
        }
    }
    out
}

fn gpu(p: &Params, log_density: &[f64]) -> PoincareReport {
    let l32: Vec<f32> = log_density.iter().map(|&v| v as f32).collect();
    let r = poincare_constant(common::ctx(), p, &l32, &PoincareOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{} L={:.3}: lambda1 {:.9} residual {:.2e} iterations {} stop {:?} sigma {:.3} \
         ground defect {:.1e} HS {:.4e} {:.3}s",
        p.shape,
        p.length,
        r.lambda1,
        r.residual,
        r.iterations,
        r.stop,
        r.sigma,
        r.ground_defect,
        r.holley_stroock,
        r.seconds
    );
    r
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn uniform_density_gives_the_first_laplacian_eigenvalue() {
    for (shape, length) in [
        (Shape::line(64), TAU),
        (Shape::line(32), 3.0),
        (Shape::square(16), TAU),
        (Shape::square(32), 5.0),
    ] {
        let p = params(shape, length);
        let r = gpu(&p, &vec![0.0; shape.len()]);
        let exact = (TAU / length).powi(2);
        assert!(
            rel(r.lambda1, exact) < 1e-5,
            "{shape}: {} vs {exact}",
            r.lambda1
        );
        assert!(r.converged, "{shape}: residual {}", r.residual);
        assert!(rel(r.holley_stroock, exact) < 1e-12);
        if shape.len() <= 256 {
            let dense = poincare_dense(&p, &vec![0.0; shape.len()]).unwrap();
            assert!(rel(dense, exact) < 1e-12, "{shape}: dense {dense}");
        }
    }
}

fn w_1d(x: f64) -> f64 {
    2.0 * x.cos() + 0.5 * (2.0 * x).sin()
}

#[test]
fn gibbs_1d_matches_the_dense_reference() {
    let shape = Shape::line(64);
    let p = params(shape, TAU);
    let log = sample(shape, TAU, |x, _| -w_1d(x));
    let dense = poincare_dense(&p, &log).unwrap();
    let r = gpu(&p, &log);
    eprintln!(
        "dense {dense:.12}, relative error {:.2e}",
        rel(r.lambda1, dense)
    );
    assert!(rel(r.lambda1, dense) < 1e-4, "{} vs {dense}", r.lambda1);
    assert!(r.converged && r.residual <= 1e-5, "residual {}", r.residual);
    // The GPU's input is f32, so sqrt(rho*) is off by f32 rounding.
    assert!(r.ground_defect < 1e-6, "ground defect {}", r.ground_defect);
    assert!(dense >= r.holley_stroock && r.lambda1 >= r.holley_stroock);
    // The compression matches the second eigenvalue of H itself when the grid
    // resolves rho*, and the discretisation has converged at n = 64.
    let low = lowest_eigenvalues(&p, &log, 2).unwrap();
    assert!(
        low[0].abs() < 1e-10 && rel(low[1], dense) < 1e-10,
        "{low:?}"
    );
    let fine = Shape::line(128);
    let fine_dense =
        poincare_dense(&params(fine, TAU), &sample(fine, TAU, |x, _| -w_1d(x))).unwrap();
    assert!(rel(fine_dense, dense) < 1e-10, "{fine_dense} vs {dense}");
}

#[test]
fn gibbs_1d_on_a_longer_torus_and_a_finer_grid() {
    // Same density stretched to L = 3: lambda scales by (2 pi / L)^2.
    let length = 3.0;
    let shape = Shape::line(1024);
    let p = params(shape, length);
    let log = sample(shape, length, |x, _| -w_1d(x * TAU / length));
    let r = gpu(&p, &log);
    let coarse = Shape::line(64);
    let dense = poincare_dense(&params(coarse, TAU), &sample(coarse, TAU, |x, _| -w_1d(x)))
        .unwrap()
        * (TAU / length).powi(2);
    eprintln!("n=1024 L=3: relative error {:.2e}", rel(r.lambda1, dense));
    assert!(rel(r.lambda1, dense) < 1e-4, "{} vs {dense}", r.lambda1);
    assert!(r.lambda1 >= r.holley_stroock);
}

fn w_2d(x: f64, y: f64) -> f64 {
    1.5 * x.cos() + 0.5 * y.sin() + 0.75 * (x - y).cos()
}

#[test]
fn gibbs_2d_matches_the_dense_reference() {
    let shape = Shape::square(16);
    let p = params(shape, TAU);
    let log = sample(shape, TAU, |x, y| -w_2d(x, y));
    let dense = poincare_dense(&p, &log).unwrap();
    let r = gpu(&p, &log);
    eprintln!(
        "dense {dense:.12}, relative error {:.2e}",
        rel(r.lambda1, dense)
    );
    assert!(rel(r.lambda1, dense) < 1e-4, "{} vs {dense}", r.lambda1);
    assert!(r.residual <= 1e-4, "residual {}", r.residual);
    assert!(dense >= r.holley_stroock && r.lambda1 >= r.holley_stroock);
    // A finer GPU grid agrees with the 16 x 16 reference (spectral accuracy).
    let fine = Shape::square(64);
    let r64 = gpu(&params(fine, TAU), &sample(fine, TAU, |x, y| -w_2d(x, y)));
    assert!(rel(r64.lambda1, dense) < 1e-4, "{} vs {dense}", r64.lambda1);
}

#[test]
fn deep_double_well_reports_the_f32_floor_honestly() {
    // lambda_1 ~ 9e-5 (tunnelling between the wells of 6 cos 2x) against terms
    // of H of order 10: f32 resolves lambda_1 to about 1e-6 absolute, so the
    // relative residual cannot reach 1e-5 and the iteration stops at round-off.
    let shape = Shape::line(256);
    let p = params(shape, TAU);
    let log = sample(shape, TAU, |x, _| -6.0 * (2.0 * x).cos());
    let dense = poincare_dense(&p, &log).unwrap();
    let r = gpu(&p, &log);
    eprintln!(
        "dense {dense:.6e}, relative error {:.2e}",
        rel(r.lambda1, dense)
    );
    assert!(rel(r.lambda1, dense) < 2e-2, "{} vs {dense}", r.lambda1);
    assert!((r.lambda1 - dense).abs() < 1e-5);
    assert_eq!(r.converged, r.residual <= 1e-5);
    assert!(r.residual.is_finite() && r.iterations < 200);
    assert!(dense >= r.holley_stroock);
}

#[test]
fn max_iter_stops_early_and_says_so() {
    let shape = Shape::line(64);
    let p = params(shape, TAU);
    let log: Vec<f32> = sample(shape, TAU, |x, _| -w_1d(x))
        .iter()
        .map(|&v| v as f32)
        .collect();
    let opts = PoincareOptions {
        tol: 1e-5,
        max_iter: 3,
        ..PoincareOptions::default()
    };
    let r = poincare_constant(common::ctx(), &p, &log, &opts).unwrap();
    assert_eq!(r.stop, Stop::MaxIterations);
    assert!(!r.converged && r.iterations <= 4, "{r:?}");
    assert!(r.lambda1.is_finite() && r.lambda1 > 0.0);
}

/// The Poincare quotient `int |f'|^2 rho / Var_rho(f)` minimised over the span
/// of `cos kx, sin kx`, `k <= modes`, on the 2 pi torus, evaluated by the
/// (spectrally accurate) rectangle rule on `n` points: the generator form,
/// independent of the Schrodinger transform.
fn galerkin_1d(w: impl Fn(f64) -> f64, modes: usize, n: usize) -> f64 {
    let h = TAU / n as f64;
    let xs: Vec<f64> = (0..n).map(|j| j as f64 * h).collect();
    let rho: Vec<f64> = xs.iter().map(|&x| (-w(x)).exp()).collect();
    let z: f64 = rho.iter().sum();
    let mut f = Vec::new();
    let mut df = Vec::new();
    for k in 1..=modes {
        let k = k as f64;
        f.push(xs.iter().map(|&x| (k * x).cos()).collect::<Vec<_>>());
        df.push(xs.iter().map(|&x| -k * (k * x).sin()).collect::<Vec<_>>());
        f.push(xs.iter().map(|&x| (k * x).sin()).collect::<Vec<_>>());
        df.push(xs.iter().map(|&x| k * (k * x).cos()).collect::<Vec<_>>());
    }
    let m = f.len();
    let mean = |g: &[f64]| g.iter().zip(&rho).map(|(a, r)| a * r).sum::<f64>() / z;
    let means: Vec<f64> = f.iter().map(|g| mean(g)).collect();
    let a = DMatrix::from_fn(m, m, |i, j| {
        df[i]
            .iter()
            .zip(&df[j])
            .zip(&rho)
            .map(|((a, b), r)| a * b * r)
            .sum::<f64>()
            / z
    });
    let b = DMatrix::from_fn(m, m, |i, j| {
        f[i].iter()
            .zip(&f[j])
            .zip(&rho)
            .map(|((a, b), r)| (a - means[i]) * (b - means[j]) * r)
            .sum::<f64>()
            / z
    });
    // B = L L^T; smallest eigenvalue of L^-1 A L^-T.
    let l = b.cholesky().expect("covariance is positive definite").l();
    let li = l.try_inverse().expect("invertible");
    let c = &li * a * li.transpose();
    let e = SymmetricEigen::new((&c + c.transpose()) * 0.5);
    e.eigenvalues.min()
}

#[test]
fn schrodinger_form_agrees_with_the_generator_form() {
    let shape = Shape::line(64);
    let log = sample(shape, TAU, |x, _| -w_1d(x));
    let dense = poincare_dense(&params(shape, TAU), &log).unwrap();
    let galerkin = galerkin_1d(w_1d, 16, 256);
    eprintln!("dense {dense:.12}, Galerkin {galerkin:.12}");
    assert!(rel(galerkin, dense) < 1e-8, "{galerkin} vs {dense}");
}

#[test]
fn bad_log_density_is_an_error_naming_the_fault() {
    let shape = Shape::line(64);
    let p = params(shape, TAU);
    let ctx = common::ctx();
    let opts = PoincareOptions::default();
    let mut log = vec![0.0f32; 64];
    log[5] = f32::NAN;
    let e = poincare_constant(ctx, &p, &log, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("log_density") && e.contains("NaN") && e.contains("[0, 5]"),
        "{e}"
    );
    log[5] = f32::NEG_INFINITY;
    let e = poincare_constant(ctx, &p, &log, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("log_density") && e.contains("inf"), "{e}");
    let e = poincare_constant(ctx, &p, &[0.0; 63], &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("log_density") && e.contains("63") && e.contains("64"),
        "{e}"
    );
    let e = poincare_dense(&p, &[0.0; 65]).unwrap_err().to_string();
    assert!(e.contains("log_density") && e.contains("65"), "{e}");
    let mut log64 = vec![0.0f64; 64];
    log64[0] = f64::NAN;
    let e = poincare_dense(&p, &log64).unwrap_err().to_string();
    assert!(e.contains("NaN"), "{e}");
    let bad = PoincareOptions {
        tol: f64::NAN,
        ..opts.clone()
    };
    let e = poincare_constant(ctx, &p, &[0.0; 64], &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("tol"), "{e}");
    let e = poincare_dense(&params(Shape::square(64), TAU), &vec![0.0; 4096])
        .unwrap_err()
        .to_string();
    assert!(e.contains("dense"), "{e}");
    let e = poincare_constant(ctx, &params(Shape::line(48), TAU), &[0.0; 48], &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("power"), "{e}");
}
