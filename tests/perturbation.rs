//! The perturbation form keeps the deviation's relative precision: where the
//! absolute form's distance to the equilibrium stalls at the f32 floor, the
//! perturbation form keeps decaying at the same rate many decades below.

mod common;

use common::{ctx, params};
use mflda::analysis::fit::fit_rate;
use mflda::dynamics::Stepper;
use mflda::game::PayoffSpec;
use mflda::gpu::Shape;
use mflda::metrics::Metrics;
use mflda::Problem;

/// L2 distance of both players to the equilibrium at times `dt * chunk * k`.
fn decay(
    stepper: &Stepper,
    metrics: &Metrics,
    chunk: u32,
    samples: usize,
    dt: f64,
) -> Vec<(f64, f64)> {
    let ctx = ctx();
    let mut out = Vec::new();
    for k in 0..samples {
        let t = k as f64 * chunk as f64 * dt;
        let row = metrics.measure(ctx, stepper, t).unwrap();
        out.push((t, row.mu().l2.hypot(row.nu().l2)));
        stepper.advance(ctx, chunk);
    }
    out
}

#[test]
fn the_perturbation_form_decays_far_below_the_absolute_forms_floor() {
    let ctx = ctx();
    // A pi-periodic game: the cos 2x perturbation is the slowest mode of its
    // class, so the distance decays as a single exponential.
    let mut par = params(Shape::line(64), 0.2);
    par.dt = 0.05;
    let spec = PayoffSpec {
        kernel: "cos(2.0 * z.x) + 0.8 * sin(2.0 * z.x)",
        potential_mu: "0.2 * cos(2.0 * x.x)",
        potential_nu: "0.15 * sin(2.0 * y.x)",
        interaction: "0.0",
        interaction_modes: 0,
    };
    let p = Problem::new(ctx, par.clone(), &spec).unwrap();
    let opts = common::eq_options(&p, 1e-7);
    let (solver, _) = p.equilibrium(ctx, &opts).unwrap();
    let (mu_s, nu_s) = solver.densities(ctx).unwrap();
    let h = std::f64::consts::TAU / 64.0;
    let start = |star: &[f32]| -> Vec<f32> {
        let v: Vec<f64> = star
            .iter()
            .enumerate()
            .map(|(i, s)| *s as f64 * (1.0 + 1e-3 * (2.0 * i as f64 * h).cos()))
            .collect();
        let mass: f64 = v.iter().sum::<f64>() * h;
        v.iter().map(|x| (x / mass) as f32).collect()
    };
    let (mu0, nu0) = (start(&mu_s), start(&nu_s));

    let absolute = p.stepper(ctx).unwrap();
    let perturbed = p.stepper_perturbation(ctx, &mu_s, &nu_s).unwrap();
    let m_abs = Metrics::new(ctx, &absolute, &p.ops, solver.logs()).unwrap();
    let m_pert = Metrics::new(ctx, &perturbed, &p.ops, solver.logs()).unwrap();
    absolute.set_densities(ctx, &mu0, &nu0).unwrap();
    perturbed.set_densities(ctx, &mu0, &nu0).unwrap();
    let (chunk, samples) = (20, 41); // t = 0 .. 40
    let a = decay(&absolute, &m_abs, chunk, samples, par.dt);
    let b = decay(&perturbed, &m_pert, chunk, samples, par.dt);
    let table: String = a
        .iter()
        .zip(&b)
        .map(|((t, x), (_, y))| format!("t {t:5.1}  absolute {x:.3e}  perturbation {y:.3e}\n"))
        .collect();

    // Both forms agree while the absolute one is far above its floor.
    for ((t, x), (_, y)) in a.iter().zip(&b).take(4) {
        assert!((x - y).abs() <= 2e-3 * y, "t = {t}: forms differ\n{table}");
    }
    // The perturbation form keeps the early rate (fitted over t in [1, 6], far
    // above round-off) over t in [15, 25], many decades further down...
    let window = |t0: f64, t1: f64| -> (Vec<f64>, Vec<f64>) {
        b.iter()
            .filter(|(t, _)| *t >= t0 && *t <= t1)
            .copied()
            .unzip()
    };
    let (te, ye) = window(1.0, 6.0);
    let (tl, yl) = window(15.0, 25.0);
    let early = fit_rate(&te, &ye).expect("early fit").rate;
    let late = fit_rate(&tl, &yl).expect("late fit").rate;
    assert!(
        (late / early - 1.0).abs() < 0.02,
        "rates {early} then {late}\n{table}"
    );
    let (_, at25) = b[25];
    assert!(
        at25 < 1e-12,
        "perturbation form reached only {at25:e} by t = 25\n{table}"
    );
    // ...while the absolute form stalled near f32 round-off, decades above.
    let (_, stalled) = a[25];
    assert!(
        stalled > 1e-8 && stalled > 1e4 * at25,
        "absolute form at t = 25: {stalled:e}\n{table}"
    );
}
