//! GPU metrics against f64 CPU sums: statistics of both players, the distances
//! to the equilibrium, and the Nikaido-Isoda error.

mod common;

use common::{ctx, params, random, rng};
use mflda::dynamics::cpu::CpuModel;
use mflda::equilibrium::{cpu, EquilibriumOptions};
use mflda::game::PayoffSpec;
use mflda::gpu::Shape;
use mflda::metrics::{cpu::kl_term, cpu::player_stats, Metrics, PlayerStats};
use mflda::Problem;

const L: f64 = std::f64::consts::TAU;

fn close(name: &str, got: f64, want: f64, rel: f64, abs: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs() + abs,
        "{name}: GPU {got:e} vs f64 {want:e}"
    );
}

fn compare(got: &PlayerStats, want: &PlayerStats, who: &str) {
    close(&format!("{who} mass"), got.mass, want.mass, 1e-6, 0.0);
    close(&format!("{who} min"), got.min, want.min, 1e-6, 1e-9);
    close(&format!("{who} max"), got.max, want.max, 1e-6, 0.0);
    close(
        &format!("{who} entropy"),
        got.entropy,
        want.entropy,
        1e-5,
        1e-7,
    );
    close(&format!("{who} l2"), got.l2, want.l2, 1e-4, 1e-8);
    close(&format!("{who} linf"), got.linf, want.linf, 1e-4, 1e-8);
    close(&format!("{who} kl"), got.kl, want.kl, 1e-3, 1e-10);
    close(&format!("{who} chi2"), got.chi2, want.chi2, 1e-3, 1e-10);
}

#[test]
fn metrics_match_f64_on_a_coupled_game_and_ni_vanishes_only_at_the_equilibrium() {
    let ctx = ctx();
    let shape = Shape::square(32);
    let par = params(shape, 0.25);
    let spec = PayoffSpec {
        kernel: "cos(z.x) * cos(z.y) + 0.5 * sin(z.x + z.y)",
        potential_mu: "0.3 * cos(x.x)",
        potential_nu: "0.2 * sin(y.y)",
        interaction: "0.4 * cos(x.x - y.y)",
        interaction_modes: 2,
    };
    let p = Problem::new(ctx, par.clone(), &spec).unwrap();
    let opts = common::eq_options(&p, 1e-6);
    let (solver, report) = p.equilibrium(ctx, &opts).unwrap();
    assert!(report.residual < 1e-5, "{report:?}");
    let (em, en) = solver.densities(ctx).unwrap();
    let stepper = p.stepper(ctx).unwrap();
    let metrics = Metrics::new(ctx, &stepper, &p.ops, solver.logs()).unwrap();
    let model = CpuModel::new(&par, &Problem::grids(p.payoff.as_ref().unwrap()));
    let cell = par.cell();
    let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let (star_mu, star_nu) = (f64s(&em), f64s(&en));

    // At the equilibrium: distances and NI vanish to round-off.
    stepper.set_densities(ctx, &em, &en).unwrap();
    let at = metrics.measure(ctx, &stepper, 0.0).unwrap();
    assert!(at.mu().l2 < 1e-6 && at.nu().l2 < 1e-6, "{at:?}");
    assert!(at.ni.abs() < 1e-8, "NI at the equilibrium: {:e}", at.ni);

    // Away from it: every statistic against f64 sums over the same densities.
    let mut r = rng("metrics-coupled");
    let noise = random(&mut r, 2 * shape.len());
    let mu: Vec<f32> = em
        .iter()
        .zip(&noise)
        .map(|(v, e)| v * (1.0 + 0.2 * e))
        .collect();
    let nu: Vec<f32> = en
        .iter()
        .zip(&noise[shape.len()..])
        .map(|(v, e)| v * (1.0 - 0.1 * e))
        .collect();
    stepper.set_densities(ctx, &mu, &nu).unwrap();
    let got = metrics.measure(ctx, &stepper, 1.5).unwrap();
    // The GPU measures the densities of its spectral state: read them back.
    let (gm, gn) = stepper.densities(ctx).unwrap();
    let (gm, gn) = (f64s(&gm), f64s(&gn));
    compare(&got.mu(), &player_stats(&gm, &star_mu, cell), "mu");
    compare(&got.nu(), &player_stats(&gn, &star_nu, cell), "nu");
    assert_eq!(got.t, 1.5);

    let (gibbs_mu, gibbs_nu) = cpu::gibbs(&model, &gm, &gn);
    let kl =
        |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(r, q)| kl_term(*r, *q)).sum::<f64>() * cell;
    let ni = par.tau * (kl(&gm, &gibbs_mu) + kl(&gn, &gibbs_nu));
    assert!(
        ni > 1e-4,
        "NI away from the equilibrium should be clearly positive: {ni:e}"
    );
    close("ni", got.ni, ni, 1e-3, 1e-10);
    ctx.take_errors().unwrap();
}

#[test]
fn sums_over_a_quarter_million_points_keep_f32_accuracy() {
    let ctx = ctx();
    let shape = Shape::square(512);
    let p = Problem::new(
        ctx,
        params(shape, 0.5),
        &PayoffSpec {
            kernel: "0.0",
            potential_mu: "0.0",
            potential_nu: "0.0",
            interaction: "0.0",
            interaction_modes: 0,
        },
    )
    .unwrap();
    let opts = EquilibriumOptions {
        tol: 1e-6,
        max_iter: 10,
        step: None,
        payoff_sup: 0.0,
        check_every: 1,
        anderson: 0,
        interrupt: Default::default(),
    };
    let (solver, _) = p.equilibrium(ctx, &opts).unwrap();
    let stepper = p.stepper(ctx).unwrap();
    let metrics = Metrics::new(ctx, &stepper, &p.ops, solver.logs()).unwrap();
    let mut r = rng("metrics-large");
    let area = L * L;
    let mu: Vec<f32> = random(&mut r, shape.len())
        .iter()
        .map(|e| ((1.0 + 0.5 * *e as f64) / area) as f32)
        .collect();
    let nu: Vec<f32> = random(&mut r, shape.len())
        .iter()
        .map(|e| ((1.0 + 0.9 * *e as f64) / area) as f32)
        .collect();
    stepper.set_densities(ctx, &mu, &nu).unwrap();
    let got = metrics.measure(ctx, &stepper, 0.0).unwrap();
    let (gm, gn) = stepper.densities(ctx).unwrap();
    let cell = p.params.cell();
    let star = vec![1.0 / area; shape.len()];
    let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let want_mu = player_stats(&f64s(&gm), &star, cell);
    let want_nu = player_stats(&f64s(&gn), &star, cell);
    close("mass mu", got.mu().mass, want_mu.mass, 3e-7, 0.0);
    close("mass nu", got.nu().mass, want_nu.mass, 3e-7, 0.0);
    close("entropy mu", got.mu().entropy, want_mu.entropy, 1e-6, 0.0);
    close("chi2 nu", got.nu().chi2, want_nu.chi2, 1e-5, 0.0);
}

#[test]
fn ni_stays_finite_when_the_gibbs_density_underflows() {
    // tau = 0.01 and |a| = 1: exp(-a / tau) spans e^200, beyond f32.
    let ctx = ctx();
    let shape = Shape::line(128);
    let par = params(shape, 0.01);
    let p = Problem::new(
        ctx,
        par.clone(),
        &PayoffSpec {
            kernel: "0.0",
            potential_mu: "cos(x.x)",
            potential_nu: "0.0",
            interaction: "0.0",
            interaction_modes: 0,
        },
    )
    .unwrap();
    let opts = EquilibriumOptions {
        tol: 1e-6,
        max_iter: 100,
        step: None,
        payoff_sup: p.payoff.as_ref().unwrap().sup_norm_bound,
        check_every: 10,
        anderson: 0,
        interrupt: Default::default(),
    };
    let (solver, _) = p.equilibrium(ctx, &opts).unwrap();
    let stepper = p.stepper(ctx).unwrap();
    let metrics = Metrics::new(ctx, &stepper, &p.ops, solver.logs()).unwrap();
    let u = (1.0 / L) as f32;
    stepper
        .set_densities(ctx, &vec![u; 128], &vec![u; 128])
        .unwrap();
    let got = metrics.measure(ctx, &stepper, 0.0).unwrap();
    let (gm, gn) = stepper.densities(ctx).unwrap();
    let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let (gm, gn) = (f64s(&gm), f64s(&gn));
    let model = CpuModel::new(&par, &Problem::grids(p.payoff.as_ref().unwrap()));
    let (gibbs_mu, gibbs_nu) = cpu::gibbs(&model, &gm, &gn);
    let cell = par.cell();
    let kl =
        |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(r, q)| kl_term(*r, *q)).sum::<f64>() * cell;
    let ni = par.tau * (kl(&gm, &gibbs_mu) + kl(&gn, &gibbs_nu));
    assert!(got.ni.is_finite() && got.is_finite(), "{got:?}");
    close("ni at low tau", got.ni, ni, 1e-3, 1e-10);
}
