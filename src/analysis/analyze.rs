//! `mflda analyze`: the numbers the theory talks about, next to each other
//! (docs/MATHEMATICS.md section 6): the equilibrium, both Poincare constants, the rightmost
//! eigenvalues of the linearised dynamics, the lower bound
//! `tau min(lambda_1(mu*), lambda_1(nu*))` on the local rate, and optionally the
//! decay rate measured on a perturbed trajectory.

use serde::Serialize;

use crate::analysis::fit::{asymptotic_fit, RateFit};
use crate::analysis::poincare::{poincare_constant, PoincareOptions, PoincareReport};
use crate::analysis::spectrum::{linearised_spectrum, Eigenpair, SpectrumOptions};
use crate::config::Config;
use crate::dynamics::stability::step_estimate;
use crate::gpu::context::AdapterReport;
use crate::gpu::GpuContext;
use crate::interrupt::{Batcher, Interrupt};
use crate::metrics::Metrics;
use crate::output::{write_npy_f32, RunDir};
use crate::run::step::AUTO_FRACTION;
use crate::run::summary::{sci, EquilibriumSummary};
use crate::{Problem, Result};

/// Steps of the linearised map (T about 1) at least, when its step is
/// automatic: the map's accuracy needs a step well inside the dynamics'
/// time scales, not only a stable one.
pub const MIN_MAP_STEPS: f64 = 20.0;

/// What `analysis.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The adapter used.
    pub adapter: AdapterReport,
    /// Temperature.
    pub tau: f64,
    /// The equilibrium computation.
    pub equilibrium: EquilibriumSummary,
    /// Poincare constant of mu*.
    pub poincare_mu: PoincareReport,
    /// Poincare constant of nu*.
    pub poincare_nu: PoincareReport,
    /// Rightmost eigenvalues of the linearised dynamics (`re`, `im`, `residual`).
    pub eigenvalues: Vec<Eigenpair>,
    /// `-Re lambda_max`: the predicted local decay rate.
    pub predicted_rate: f64,
    /// `tau min(lambda_1(mu*), lambda_1(nu*))`: the lower bound on the rate.
    pub bound: f64,
    /// Whether the predicted rate respects the bound (eta = 1).
    pub bound_holds: bool,
    /// The rate measured on a perturbed trajectory (`--run`).
    pub measured: Option<RateFit>,
}

/// Computes the analysis of `config` into `dir`: analysis.json, the
/// equilibrium (`mu_star.npy`, `nu_star.npy`, shape (n2, n1)) and the Ritz
/// vectors of the eigenvalues, `eigvec_K_re.npy` and `eigvec_K_im.npy` (K = 0
/// for the rightmost), each of shape (2, n2, n1): `[0]` the mu part and `[1]`
/// the nu part of the perturbation, unit Euclidean norm over both; and their
/// pictures ([`crate::analysis::figures`]: `spectrum.png`, `eigvec_K.png`). With
/// `run`, also the measured rate of `[init]`'s trajectory. The equilibrium's
/// progress goes to stderr unless `quiet`; `interrupt` stops every loop.
pub fn analyze(
    ctx: &GpuContext,
    config: &Config,
    dir: &RunDir,
    run: bool,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<Analysis> {
    let mut problem = Problem::from_config(ctx, config)?;
    crate::run::warn_payoff(ctx, config, &problem)?;
    dir.write_text("config.toml", &config.resolved().to_toml_string())?;
    let (solver, report, logs) =
        crate::run::equilibrium(ctx, config, &problem, dir, quiet, interrupt)?;
    let (mu, nu) = crate::equilibrium::densities_from_logs(&logs);
    // The linearised map's step: `time.dt` when given, else from the
    // stability estimate at the equilibrium; T = steps * dt is about 1.
    let dt = match config.time.dt {
        Some(dt) => 1.0 / ((1.0 / dt).round()).max(1.0),
        None => {
            let est = step_estimate(
                &problem.params,
                problem.game_payoff("the linearised map's step")?,
                &[(&mu, &nu)],
            );
            let steps = (1.0 / (AUTO_FRACTION * est.dt_max)).ceil();
            1.0 / steps.clamp(MIN_MAP_STEPS, 1e7)
        }
    };
    let mut config = config.clone();
    config.time.dt.get_or_insert(dt);
    let config = config.resolved();
    dir.write_text("config.toml", &config.to_toml_string())?;
    problem.params.dt = config.time.step();
    let n = problem.params.shape.len();
    let popts = PoincareOptions {
        interrupt: interrupt.clone(),
        ..PoincareOptions::default()
    };
    // rho* ~ exp(-W): the log-densities are -W up to a constant.
    let poincare_mu = poincare_constant(ctx, &problem.params, &logs[..n], &popts)?;
    let poincare_nu = poincare_constant(ctx, &problem.params, &logs[n..], &popts)?;

    let stepper = problem.stepper_perturbation(ctx, &mu, &nu)?;
    let scale = mu.iter().chain(&nu).fold(0.0f32, |m, v| m.max(*v)) as f64;
    let steps = (1.0 / dt).round() as u32;
    let sopts = SpectrumOptions {
        steps,
        interrupt: interrupt.clone(),
        ..SpectrumOptions::default()
    };
    let eigenvalues = linearised_spectrum(ctx, &stepper, scale, &sopts)?;
    let s = problem.params.shape;
    for (k, e) in eigenvalues.iter().enumerate() {
        let as_f32 = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
        let shape = [2, s.n2 as usize, s.n1 as usize];
        write_npy_f32(
            &dir.file(&format!("eigvec_{k}_re.npy")),
            &shape,
            &as_f32(&e.vector.0),
        )?;
        write_npy_f32(
            &dir.file(&format!("eigvec_{k}_im.npy")),
            &shape,
            &as_f32(&e.vector.1),
        )?;
    }
    let predicted_rate = eigenvalues.first().map_or(f64::NAN, |e| -e.re);
    let bound =
        config.game_table("mflda analyze")?.tau * poincare_mu.lambda1.min(poincare_nu.lambda1);

    let measured = if run {
        let (mu0, nu0) = crate::run::initial_densities(ctx, &config, &problem, (&mu, &nu))?;
        stepper.set_densities(ctx, &mu0, &nu0)?;
        let metrics = Metrics::new(ctx, &stepper, &problem.ops, solver.logs())?;
        let schedule = crate::run::Schedule::new(&config);
        let (mut t, mut l2) = (Vec::new(), Vec::new());
        let mut k = 0;
        let mut batcher = Batcher::new(schedule.metrics.min(64) as u32);
        while k <= schedule.steps {
            let row = metrics.measure(ctx, &stepper, k as f64 * config.time.step())?;
            t.push(row.t);
            l2.push(row.joint_l2());
            let mut left = schedule.metrics as u32;
            while left > 0 {
                interrupt.check(|| format!("the perturbed trajectory (--run), at step {k}"))?;
                let batch = batcher.next(left);
                let start = std::time::Instant::now();
                stepper.advance(ctx, batch);
                ctx.wait()?;
                batcher.done(start, batch);
                left -= batch;
            }
            k += schedule.metrics;
        }
        // The rule of the runs' fits and of sweeps: the asymptotic decay.
        asymptotic_fit(&t, &l2)
    } else {
        None
    };
    let analysis = Analysis {
        adapter: ctx.report(),
        tau: config.game_table("mflda analyze")?.tau,
        equilibrium: EquilibriumSummary::from(&report),
        poincare_mu,
        poincare_nu,
        predicted_rate,
        bound,
        bound_holds: predicted_rate >= bound * (1.0 - 1e-3),
        eigenvalues,
        measured,
    };
    dir.write_json("analysis.json", &analysis)?;
    crate::analysis::figures::write_figures(dir, &analysis, s, problem.params.length)?;
    Ok(analysis)
}

/// The analysis as a table, with every iteration's stop reason; small
/// numbers in scientific notation.
pub fn table(a: &Analysis) -> String {
    let mut s = a.equilibrium.describe() + "\n";
    for (name, p) in [("mu*", &a.poincare_mu), ("nu*", &a.poincare_nu)] {
        s += &format!(
            "Poincare constant of {name}: {:.6} (residual {}, {} iterations, stop: {}; \
             Holley-Stroock bound {})\n",
            p.lambda1,
            sci(p.residual),
            p.iterations,
            p.stop,
            sci(p.holley_stroock)
        );
    }
    s +=
        "\nrightmost eigenvalues of the linearised dynamics:\n        re          im    residual\n";
    for e in &a.eigenvalues {
        let mark = if e.converged {
            ""
        } else {
            "  unconverged (residual above 1e-3)"
        };
        s += &format!(
            "{:>10.6} {:>+11.6} {:>11.1e}{mark}\n",
            e.re, e.im, e.residual
        );
    }
    s += &format!(
        "\npredicted local rate  {:.6}\nlower bound tau*min(lambda_1)  {:.6}  ({})\n",
        a.predicted_rate,
        a.bound,
        if a.bound_holds {
            "respected"
        } else {
            "VIOLATED"
        }
    );
    if let Some(m) = &a.measured {
        s += &format!(
            "measured rate  {:.6} (fitted over t in [{:.2}, {:.2}], residual {})\n",
            m.rate,
            m.t_start,
            m.t_end,
            sci(m.residual)
        );
    }
    s
}
