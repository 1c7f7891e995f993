//! The linearised W2 distance (docs/MATHEMATICS.md section 5): the GPU conjugate-gradient
//! solve against its f64 CPU reference on random data, and both against exact
//! values (the uniform measure, and the 1D closed form).

mod common;

use std::f64::consts::TAU;

use common::{ctx, params, rng, smooth_field, torus_points as points};
use mflda::gpu::{Elem, GpuField, Shape};
use mflda::metrics::w2lin_cpu::h_minus1_norm;
use mflda::metrics::{W2lin, W2linOptions, W2linResult};
use rand_chacha::ChaCha8Rng;

/// The GPU distances of `(f_mu, f_nu)` against `(rho_mu, rho_nu)` (absolute
/// form: the densities `rho* + f` are uploaded).
fn gpu(shape: Shape, rho: [&[f64]; 2], f: [&[f64]; 2], perturbation: bool) -> W2linResult {
    let ctx = ctx();
    let p = params(shape, 0.1);
    let logs: Vec<f32> = rho
        .iter()
        .flat_map(|r| r.iter().map(|v| v.ln() as f32))
        .collect();
    let dens: Vec<f32> = (0..shape.len())
        .flat_map(|i| {
            let base = |b: usize| if perturbation { 0.0 } else { rho[b][i] };
            [(base(0) + f[0][i]) as f32, (base(1) + f[1][i]) as f32]
        })
        .collect();
    let field = GpuField::from_data(ctx, "test.dens", shape, 1, Elem::Complex, &dens).unwrap();
    let solver = W2lin::new(
        ctx,
        &p,
        &logs,
        &field.buffer,
        perturbation,
        W2linOptions::default(),
    )
    .unwrap();
    let out = solver.measure(ctx).unwrap();
    ctx.take_errors().unwrap();
    out
}

/// A normalised Gibbs density `exp(W) / Z` for a smooth random `W`.
fn gibbs(rng: &mut ChaCha8Rng, shape: Shape, depth: f64) -> Vec<f64> {
    let w = smooth_field(rng, shape, 4, depth);
    let cell = TAU.powi(shape.dim() as i32) / shape.len() as f64;
    let z: f64 = w.iter().map(|v| v.exp()).sum::<f64>() * cell;
    w.iter().map(|v| v.exp() / z).collect()
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn uniform_measure_matches_the_fourier_formula() {
    // rho* = 1 / L^2, f = cos(3x + 2y) (nu: sin(x - 5y) / 2):
    // ||f||^2 = int f^2 / (rho* |kappa|^2) = (L^2 / 2) L^2 / |kappa|^2.
    let shape = Shape { n1: 32, n2: 32 };
    let area = TAU * TAU;
    let rho = vec![1.0 / area; shape.len()];
    let f_mu: Vec<f64> = points(shape)
        .map(|(x, y)| (3.0 * x + 2.0 * y).cos())
        .collect();
    let f_nu: Vec<f64> = points(shape)
        .map(|(x, y)| 0.5 * (x - 5.0 * y).sin())
        .collect();
    let exact = |amp: f64, k2: f64| (amp * amp * area / 2.0 * area / k2).sqrt();
    let out = gpu(shape, [&rho, &rho], [&f_mu, &f_nu], false);
    let want = [exact(1.0, 13.0), exact(0.5, 26.0)];
    for b in 0..2 {
        assert!(
            relative(out.distance[b], want[b]) < 1e-5,
            "player {b}: {} vs {}",
            out.distance[b],
            want[b]
        );
        assert!(out.converged[b]);
        let cpu = h_minus1_norm(shape, TAU, &rho, [&f_mu, &f_nu][b], 1e-12, 50);
        assert!(relative(cpu.norm, want[b]) < 1e-12, "{cpu:?}");
    }
}

/// The continuous value in 1D: with F' = f, rho* phi' = c - F, where c makes
/// phi periodic, so ||f||^2 = int (c - F)^2 / rho*.
fn closed_form_1d(rho: impl Fn(f64) -> f64, f: impl Fn(f64) -> f64) -> f64 {
    let m = 1 << 16;
    let h = TAU / m as f64;
    let mut big_f = vec![0.0; m];
    for j in 1..m {
        let (a, b) = ((j - 1) as f64 * h, j as f64 * h);
        // Simpson on each cell.
        big_f[j] = big_f[j - 1] + h / 6.0 * (f(a) + 4.0 * f(0.5 * (a + b)) + f(b));
    }
    let xs = |j: usize| j as f64 * h;
    let inv_int: f64 = (0..m).map(|j| h / rho(xs(j))).sum();
    let c = (0..m).map(|j| h * big_f[j] / rho(xs(j))).sum::<f64>() / inv_int;
    (0..m)
        .map(|j| h * (c - big_f[j]).powi(2) / rho(xs(j)))
        .sum::<f64>()
        .sqrt()
}

#[test]
fn one_dimensional_closed_form() {
    // rho* ~ exp(1.5 cos x), f = rho* (sin x + 0.4 cos(2x + 0.3)) minus its mean.
    let shape = Shape::line(256);
    let z: f64 = {
        let m = 4096;
        (0..m)
            .map(|j| (1.5 * (TAU * j as f64 / m as f64).cos()).exp())
            .sum::<f64>()
            * TAU
            / m as f64
    };
    let rho = |x: f64| (1.5 * x.cos()).exp() / z;
    let g = |x: f64| rho(x) * (x.sin() + 0.4 * (2.0 * x + 0.3).cos());
    let mean = (0..4096).map(|j| g(TAU * j as f64 / 4096.0)).sum::<f64>() / 4096.0;
    let f = |x: f64| g(x) - mean;
    let exact = closed_form_1d(rho, f);
    let rho_grid: Vec<f64> = points(shape).map(|(x, _)| rho(x)).collect();
    let f_grid: Vec<f64> = points(shape).map(|(x, _)| f(x)).collect();
    let cpu = h_minus1_norm(shape, TAU, &rho_grid, &f_grid, 1e-13, 100);
    assert!(relative(cpu.norm, exact) < 1e-8, "{cpu:?} vs {exact}");
    // The preconditioner is exact up to the two null modes.
    assert!(cpu.iterations <= 4, "{cpu:?}");
    let out = gpu(shape, [&rho_grid, &rho_grid], [&f_grid, &f_grid], false);
    for b in 0..2 {
        assert!(
            relative(out.distance[b], exact) < 1e-5,
            "{out:?} vs {exact}"
        );
        assert!(out.converged[b] && out.iterations[b] <= 8, "{out:?}");
    }
}

#[test]
fn gpu_matches_cpu_reference_on_random_2d_data() {
    let mut rng = rng("w2lin_random_2d");
    for (shape, depth) in [
        (Shape { n1: 64, n2: 64 }, 1.0),
        (Shape { n1: 64, n2: 32 }, 2.0),
    ] {
        let rho = [gibbs(&mut rng, shape, depth), gibbs(&mut rng, shape, depth)];
        let f = [
            smooth_field(&mut rng, shape, 4, 1e-3),
            smooth_field(&mut rng, shape, 4, 1e-3),
        ];
        for perturbation in [false, true] {
            let out = gpu(shape, [&rho[0], &rho[1]], [&f[0], &f[1]], perturbation);
            for b in 0..2 {
                let cpu = h_minus1_norm(shape, TAU, &rho[b], &f[b], 1e-12, 500);
                assert!(cpu.residual < 1e-12, "{cpu:?}");
                // Measured: at most 5e-7 in both forms.
                assert!(
                    relative(out.distance[b], cpu.norm) < 5e-6,
                    "{shape} depth {depth} perturbation {perturbation} player {b}: \
                     gpu {out:?} cpu {cpu:?}"
                );
                assert!(out.converged[b], "{out:?}");
            }
        }
    }
}

#[test]
fn zero_deviation_has_zero_distance() {
    let shape = Shape { n1: 16, n2: 16 };
    let mut rng = rng("w2lin_zero");
    let rho = gibbs(&mut rng, shape, 1.0);
    let zero = vec![0.0; shape.len()];
    let out = gpu(shape, [&rho, &rho], [&zero, &zero], true);
    assert_eq!(out.distance, [0.0, 0.0]);
    assert!(out.converged[0] && out.converged[1]);
}

#[test]
fn a_run_writes_w2lin_columns_that_decay_with_the_other_distances() {
    let dir = std::env::temp_dir().join(format!("mflda-w2lin-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let set = [
        "grid.n=32",
        "time.t_end=40",
        "time.dt=0.05",
        "time.perturbation=true",
        "output.metrics_every=0.2",
        "output.snapshots_every=0",
        "output.checkpoint_every=0",
        "output.w2lin=true",
    ];
    let mut args = vec!["run", "--quiet", "--out", dir.to_str().unwrap()];
    for s in &set {
        args.extend(["--set", s]);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(header[header.len() - 2..], ["w2lin_mu", "w2lin_nu"]);
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 201);
    for r in &rows {
        assert_eq!(r.len(), header.len());
        let w = &r[r.len() - 2..];
        assert!(w.iter().all(|v| v.is_finite() && *v > 0.0), "{r:?}");
    }
    // Near the equilibrium every distance is linear in the deviation, so
    // w2lin and L2 decay at the same rate. The slowest modes rotate (complex
    // eigenvalues), so the envelopes of different norms wobble differently:
    // the fits agree to 0.1% (mu) and 2% (nu) here.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let fits = &summary["rate_fits"];
    for player in ["mu", "nu"] {
        let rate = |c: &str| fits[format!("{c}_{player}")]["rate"].as_f64().unwrap();
        let (w, l) = (rate("w2lin"), rate("l2"));
        assert!(
            w > 0.0 && relative(w, l) < 0.05,
            "{player}: w2lin {w}, l2 {l}"
        );
    }
    assert!(summary["final_metrics"]["mu"]["w2lin"].as_f64().unwrap() > 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}
