//! The linearised spectrum by Arnoldi on the time-T map: the closed form at the
//! uniform equilibrium of a convolution game (docs/MATHEMATICS.md section 6), and the
//! measured decay rate of a tiny perturbation on a non-uniform equilibrium.

mod common;

use common::{ctx, params};
use mflda::analysis::fit::fit_rate;
use mflda::analysis::spectrum::{linearised_spectrum, SpectrumOptions};
use mflda::game::PayoffSpec;
use mflda::gpu::Shape;
use mflda::metrics::Metrics;
use mflda::Problem;

fn spec<'a>(kernel: &'a str, a: &'a str, b: &'a str, k: &'a str) -> PayoffSpec<'a> {
    PayoffSpec {
        kernel,
        potential_mu: a,
        potential_nu: b,
        interaction: k,
        interaction_modes: 2,
    }
}

#[test]
fn uniform_equilibrium_of_a_convolution_game_matches_the_closed_form() {
    let ctx = ctx();
    let tau = 0.1;
    let mut par = params(Shape::line(32), tau);
    par.dt = 0.05;
    // k^_1 = 1/2 - 0.3 i (|k^_1| = 0.5831), k^_2 = 0.15: eigenvalues
    // -tau m^2 +- i m^2 |k^_m| for m = 1, 2 (L = 2 pi, kappa_m = m).
    let p = Problem::new(
        ctx,
        par.clone(),
        &spec(
            "cos(z.x) + 0.6 * sin(z.x) + 0.3 * cos(2.0 * z.x)",
            "0.0",
            "0.0",
            "0.0",
        ),
    )
    .unwrap();
    let u = (1.0 / std::f64::consts::TAU) as f32;
    let uniform = vec![u; 32];
    let stepper = p.stepper_perturbation(ctx, &uniform, &uniform).unwrap();
    // Each eigenvalue of mode m appears twice on real fields (cos and sin).
    let opts = SpectrumOptions {
        count: 8,
        ..Default::default()
    };
    let pairs = linearised_spectrum(ctx, &stepper, u as f64, &opts).unwrap();
    let k1 = (0.25f64 + 0.09).sqrt();
    let want = [
        (-tau, k1),
        (-tau, -k1),
        (-4.0 * tau, 4.0 * 0.15),
        (-4.0 * tau, -4.0 * 0.15),
    ];
    let listing = format!("{pairs:#?}");
    for (w_re, w_im) in want {
        let found = pairs.iter().any(|e| {
            (e.re - w_re).abs() < 1e-3 * w_re.abs() && (e.im - w_im).abs() < 1e-3 * w_im.abs()
        });
        assert!(
            found,
            "no eigenvalue near {w_re} + {w_im} i among\n{listing}"
        );
    }
    assert!(pairs.iter().all(|e| e.residual < 1e-4), "{listing}");
}

#[test]
fn a_tiny_perturbation_decays_at_the_rightmost_real_part() {
    let ctx = ctx();
    let mut par = params(Shape::line(64), 0.2);
    par.dt = 0.05;
    let p = Problem::new(
        ctx,
        par.clone(),
        &spec(
            "cos(z.x) + 0.5 * sin(z.x)",
            "0.4 * cos(x.x)",
            "0.3 * sin(y.x)",
            "0.3 * cos(x.x + y.x)",
        ),
    )
    .unwrap();
    let opts = common::eq_options(&p, 1e-7);
    let (solver, _) = p.equilibrium(ctx, &opts).unwrap();
    let (mu, nu) = solver.densities(ctx).unwrap();
    let scale = mu.iter().chain(&nu).fold(0.0f32, |m, v| m.max(*v)) as f64;
    let stepper = p.stepper_perturbation(ctx, &mu, &nu).unwrap();
    let pairs = linearised_spectrum(ctx, &stepper, scale, &SpectrumOptions::default()).unwrap();
    let rightmost = pairs[0].re;
    assert!(rightmost < 0.0, "{pairs:#?}");

    // A tiny deviation along the rightmost eigenvector (its real part), followed
    // by the full perturbation flow: its envelope decays at Re lambda while it
    // rotates at Im lambda. The fit spans several rotation periods.
    let (re, _) = &pairs[0].vector;
    let norm = re.iter().map(|x| x * x).sum::<f64>().sqrt();
    let d: Vec<f32> = re
        .iter()
        .map(|x| (x / norm * 1e-4 * scale) as f32)
        .collect();
    let n = d.len() / 2;
    stepper.set_deviation(ctx, &d[..n], &d[n..]).unwrap();
    let metrics = Metrics::new(ctx, &stepper, &p.ops, solver.logs()).unwrap();
    let mut t = Vec::new();
    let mut l2 = Vec::new();
    for k in 0..=100 {
        let row = metrics.measure(ctx, &stepper, k as f64 * 0.5).unwrap();
        t.push(row.t);
        l2.push(row.mu().l2.hypot(row.nu().l2));
        stepper.advance(ctx, 10);
    }
    let fit = fit_rate(&t, &l2).expect("a decay to fit");
    assert!(
        (fit.rate / -rightmost - 1.0).abs() < 0.02,
        "measured rate {} vs -Re lambda_max {}; l2 {l2:?}",
        fit.rate,
        -rightmost
    );
}
