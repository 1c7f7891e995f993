//! The stable-step estimate against the real blow-up step, found by bisection
//! on a few games: the estimate must lie below the step at which a run
//! blows up, and within a factor 3 of it (docs/MATHEMATICS.md section 3.1).
//! Runs of a fixed simulated time `T` in 1D; a run "blows up" when the run
//! loop's own checks stop it (non-finite values, mass drift, growth).

mod common;

use mflda::config::{Config, Scheme};
use mflda::dynamics::stability::step_estimate;
use mflda::equilibrium::densities_from_logs;
use mflda::run::RunOptions;
use mflda::{Error, Plan};

/// Simulated time of each trial run.
const T: f64 = 10.0;

fn game(kernel: &str, potential_mu: &str, interaction: &str, tau: f64, scheme: Scheme) -> Config {
    let mut c = Config::embedded_default();
    c.grid.dim = 1;
    c.grid.n = 64;
    c.game.as_mut().unwrap().tau = tau;
    c.game.as_mut().unwrap().kernel = kernel.into();
    c.game.as_mut().unwrap().potential_mu = potential_mu.into();
    c.game.as_mut().unwrap().potential_nu = "0.0".into();
    c.game.as_mut().unwrap().interaction = interaction.into();
    c.game.as_mut().unwrap().interaction_modes = 3;
    c.init.mu = "eq * (1.0 + 0.5 * cos(x.x))".into();
    c.init.nu = "eq * (1.0 + 0.5 * sin(2.0 * x.x))".into();
    c.time.scheme = scheme;
    c.time.t_end = T;
    c.equilibrium.tol = 1e-5;
    c.output.metrics_every = Some(T / 50.0);
    c.output.snapshots_every = Some(0.0);
    c.output.frames_every = Some(0.0);
    c.output.checkpoint_every = Some(0.0);
    c.output.checkpoint_wall = Some(0.0);
    c
}

/// The estimate for `config`, as a run computes it (the equilibrium and the
/// initial densities).
fn estimate(config: &Config) -> f64 {
    let ctx = common::ctx();
    let plan = Plan::new(ctx, config).unwrap();
    let problem = &plan.problem;
    let (solver, _) = problem
        .equilibrium(ctx, &plan.equilibrium_options())
        .unwrap();
    let (mu, nu) = densities_from_logs(&solver.logs().read(ctx).unwrap());
    let start = plan.initial_species(ctx, &[&mu, &nu]).unwrap();
    let (mu0, nu0) = (&start[0], &start[1]);
    let e = step_estimate(
        &problem.params,
        problem.payoff.as_ref().unwrap(),
        &[(&mu, &nu), (mu0, nu0)],
    );
    e.dt_max
}

/// Whether a run of `config` with step `dt` to `T` blows up.
fn blows_up(config: &Config, dt: f64, name: &str) -> bool {
    let mut c = config.clone();
    c.time.dt = Some(T / (T / dt).round().max(1.0));
    c.output.metrics_every = Some((T / 50.0).max(c.time.step()));
    let dir = std::env::temp_dir().join(format!("mflda-test-step-{name}-{}", std::process::id()));
    let opts = RunOptions {
        out: dir.clone(),
        force: true,
        quiet: true,
        interrupt: Default::default(),
        equilibrium_from: None,
    };
    let result = mflda::run::execute(common::ctx(), &c, &opts);
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(_) => false,
        Err(Error::BlowUp(_)) => true,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// `(lo, hi)`: a step at which a run stays stable and one, at most 5%
/// larger, at which it blows up, bracketed upwards from `start` (stable)
/// and then bisected.
fn blow_up_bracket(config: &Config, start: f64, name: &str) -> (f64, f64) {
    assert!(!blows_up(config, start, name), "{name}: {start} blows up");
    let mut lo = start;
    let mut hi = start * 2.0;
    while !blows_up(config, hi, name) {
        lo = hi;
        hi *= 2.0;
        assert!(hi < T, "{name}: no blow-up up to dt = {hi}");
    }
    while hi > 1.05 * lo {
        let mid = (lo * hi).sqrt();
        if blows_up(config, mid, name) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    (lo, hi)
}

#[test]
fn the_estimate_lies_within_a_factor_3_below_the_blow_up_step() {
    let games = [
        (
            "mixed-1d",
            game(
                "5.0 * cos(z.x) + 2.5 * sin(z.x)",
                "1.0 * cos(x.x)",
                "2.5 * cos(x.x - y.x)",
                0.2,
                Scheme::Etdrk4,
            ),
        ),
        (
            "strong-kernel",
            game(
                "20.0 * cos(z.x) + 10.0 * cos(3.0 * z.x)",
                "0.0",
                "0.0",
                0.2,
                Scheme::Etdrk4,
            ),
        ),
        (
            "strong-potential",
            game("cos(z.x)", "3.0 * cos(x.x)", "0.0", 0.1, Scheme::Etdrk4),
        ),
        (
            "band",
            game(
                "0.0",
                "0.0",
                "4.0 * cos(x.x + 2.0 * y.x)",
                0.3,
                Scheme::Etdrk4,
            ),
        ),
        (
            "strong-kernel-etdrk2",
            game(
                "20.0 * cos(z.x) + 10.0 * cos(3.0 * z.x)",
                "0.0",
                "0.0",
                0.2,
                Scheme::Etdrk2,
            ),
        ),
        (
            "band-etdrk2",
            game(
                "0.0",
                "0.0",
                "4.0 * cos(x.x + 2.0 * y.x)",
                0.3,
                Scheme::Etdrk2,
            ),
        ),
    ];
    let mut report = Vec::new();
    let mut bad = Vec::new();
    for (name, config) in &games {
        let est = estimate(config);
        // The estimate itself must run; the bracket starts below it so that
        // an estimate above the blow-up step is caught, not assumed.
        let (lo, hi) = blow_up_bracket(config, est / 8.0, name);
        let line = format!(
            "{name}: estimate {est:.3e}, blow-up between {lo:.3e} and {hi:.3e} ({:.2} times)",
            (lo * hi).sqrt() / est
        );
        if est > lo || (lo * hi).sqrt() > 3.0 * est {
            bad.push(line.clone());
        }
        report.push(line);
    }
    eprintln!("{}", report.join("\n"));
    assert!(bad.is_empty(), "outside [1, 3]:\n{}", bad.join("\n"));
}
