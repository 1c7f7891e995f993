//! The Anderson-accelerated equilibrium iteration (src/equilibrium/anderson.rs):
//! the same stationary state as the plain extragradient iteration and as
//! the f64 reference, in at least five times fewer iterations at low
//! temperature, on the default game, a 1D game with a non-convex payoff and
//! a three-species system.

mod common;

use common::ctx;
use mflda::config::{Config, DEFAULT_ANDERSON};
use mflda::equilibrium::{cpu, EquilibriumReport, Stop};
use mflda::plan::Plan;
use mflda::system::cpu::CpuSystem;

/// A 1D game whose payoff has three modes and both potentials: non-convex
/// in each player's position, with a sharp equilibrium at low temperature.
const NONCONVEX_1D: &[&str] = &[
    "grid.dim=1",
    "grid.n=256",
    "game.kernel=\"cos(z.x) + 0.5 * sin(2.0 * z.x) + 0.3 * cos(3.0 * z.x)\"",
    "game.potential_mu=\"0.5 * cos(2.0 * x.x)\"",
    "game.potential_nu=\"0.4 * sin(y.x)\"",
    "game.interaction=\"0.0\"",
];

fn plan(text: &str, sets: &[String]) -> Plan {
    let config = Config::from_toml_str_with_sets(text, "test", sets).unwrap();
    Plan::new(ctx(), &config).unwrap()
}

/// The equilibrium of `plan` with Anderson depth `depth` to `tol`: the
/// report and the densities of every species.
fn solve(plan: &Plan, depth: u32, tol: f64) -> (EquilibriumReport, Vec<Vec<f32>>) {
    let mut opts = plan.equilibrium_options();
    opts.anderson = depth;
    opts.tol = tol;
    let (solver, report) = plan.problem.equilibrium(ctx(), &opts).unwrap();
    assert_eq!(solver.anderson(), depth as usize);
    let rho = solver.species_densities(ctx()).unwrap();
    (report, rho)
}

/// `sum_s int |a_s - b_s|`.
fn l1(a: &[Vec<f32>], b: &[Vec<f64>], cell: f64) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (*x as f64 - y).abs())
                .sum::<f64>()
        })
        .sum::<f64>()
        * cell
}

/// Plain and accelerated iterations to the residual `tol` on `plan`, both
/// within `8 tol` (L1) of the f64 accelerated reference solved to `tol / 100`;
/// returns the two iteration counts.
fn compare(what: &str, plan: &Plan, tol: f64) -> (u32, u32) {
    let (plain, rho_plain) = solve(plan, 0, tol);
    let (fast, rho_fast) = solve(plan, DEFAULT_ANDERSON, tol);
    for r in [&plain, &fast] {
        assert_eq!(r.stop, Stop::Converged, "{what}: {r:?}");
    }
    let system = CpuSystem::new(&plan.problem.params, plan.problem.system());
    // The f32 samples of the payoff put a 1e-7 part in every mode, which
    // the history cannot span: below about 1e-6 the reference converges at
    // the plain rate.
    let (reference, history) = cpu::species_anderson(
        &system,
        fast.step,
        DEFAULT_ANDERSON as usize,
        tol / 100.0,
        5000,
    );
    let iters = history.len() - 1;
    assert!(iters < 5000, "{what}: the f64 reference did not converge");
    let cell = plan.problem.params.cell();
    let (ep, ef) = (
        l1(&rho_plain, &reference, cell),
        l1(&rho_fast, &reference, cell),
    );
    assert!(
        ep < 8.0 * tol && ef < 8.0 * tol,
        "{what}: L1 distances to the f64 state {ep:.2e} (plain), {ef:.2e} (accelerated)"
    );
    println!(
        "{what}: plain {} iterations, accelerated {} ({} f64), L1 to f64 {ep:.1e} / {ef:.1e}",
        plain.iterations, fast.iterations, iters
    );
    (plain.iterations, fast.iterations)
}

#[test]
fn the_default_game_converges_at_least_five_times_faster() {
    for (tau, tol) in [(0.03, 1e-4), (0.01, 3e-4)] {
        let sets = ["grid.n=32".to_string(), format!("game.tau={tau}")];
        let p = plan(mflda::config::DEFAULT_TOML, &sets);
        let (plain, fast) = compare(&format!("default game, tau = {tau}"), &p, tol);
        assert!(5 * fast <= plain, "tau = {tau}: {fast} against {plain}");
    }
}

#[test]
fn a_nonconvex_1d_game_converges_at_least_five_times_faster() {
    for (tau, tol) in [(0.03, 1e-4), (0.01, 1e-3)] {
        let mut sets: Vec<String> = NONCONVEX_1D.iter().map(|s| s.to_string()).collect();
        sets.push(format!("game.tau={tau}"));
        let p = plan(mflda::config::DEFAULT_TOML, &sets);
        let (plain, fast) = compare(&format!("1D game, tau = {tau}"), &p, tol);
        assert!(5 * fast <= plain, "tau = {tau}: {fast} against {plain}");
    }
}

#[test]
fn a_three_species_system_converges_faster() {
    let text = include_str!("../assets/examples/three-player-cyclic/cyclic.toml")
        .replace("tau = 0.", "tau = 0.0");
    let p = plan(&text, &[]);
    let (plain, fast) = compare("cyclic game, tau / 10", &p, 1e-4);
    assert!(5 * fast <= plain, "{fast} against {plain}");
}

#[test]
fn the_f64_reference_agrees_with_the_plain_f64_iteration() {
    let mut sets: Vec<String> = NONCONVEX_1D.iter().map(|s| s.to_string()).collect();
    sets.push("game.tau=0.1".into());
    let p = plan(mflda::config::DEFAULT_TOML, &sets);
    let system = CpuSystem::new(&p.problem.params, p.problem.system());
    // The solver's automatic step, 1 / (tau + 2 sup|K|).
    let step = 1.0 / (0.1 + 2.0 * p.equilibrium_options().payoff_sup);
    let (fast, history) =
        cpu::species_anderson(&system, step, DEFAULT_ANDERSON as usize, 1e-12, 2000);
    let iters = history.len() - 1;
    let n = p.problem.params.shape.len();
    let uniform = vec![vec![1.0 / (n as f64 * p.problem.params.cell()); n]; 2];
    let plain = cpu::species_extragradient(&system, uniform, step, 2000);
    assert!(cpu::species_residual(&system, &plain) < 1e-10);
    let diff = fast
        .iter()
        .zip(&plain)
        .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f64::max);
    assert!(
        diff < 1e-9,
        "f64 accelerated vs plain: {diff:e} after {iters}"
    );
    assert!(iters < 2000 / 5, "{iters} accelerated iterations");
}
