//! `mflda analyze`: the numbers the theory talks about, next to each other
//! (docs/MATHEMATICS.md sections 6 and 8), for any species system: the
//! equilibrium (stationary state), each species' Poincare constant, the
//! rightmost eigenvalues of the linearised dynamics and whether the state is
//! stable, the lower bound `min_s eta_s tau_s lambda_1(rho_s*)` on the local
//! rate of a pairwise zero-sum game (the game's `tau min(lambda_1(mu*),
//! lambda_1(nu*))` when eta = 1), the rate of each group of species that
//! nothing couples to the others, and optionally the decay rate measured on
//! a perturbed trajectory.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::fit::{asymptotic_fit, RateFit};
use crate::analysis::poincare::{poincare_constant, PoincareOptions, PoincareReport};
use crate::analysis::spectrum::{linearised_spectrum, Eigenpair, SpectrumOptions};
use crate::config::Config;
use crate::dynamics::Stepper;
use crate::equilibrium::species_from_logs;
use crate::gpu::context::AdapterReport;
use crate::gpu::{Elem, GpuContext, GpuField};
use crate::interrupt::{Batcher, Interrupt};
use crate::metrics::Metrics;
use crate::output::{write_npy_f32, RunDir};
use crate::plan::Plan;
use crate::run::step::AUTO_FRACTION;
use crate::run::summary::{sci, EquilibriumSummary};
use crate::{Error, Problem, Result};

/// Steps of the linearised map (T about 1) at least, when its step is
/// automatic: the map's accuracy needs a step well inside the dynamics'
/// time scales, not only a stable one.
pub const MIN_MAP_STEPS: f64 = 20.0;

/// An eigenvalue counts as zero (a candidate translation mode) below this,
/// relative to the slowest diffusion rate `min_s eta_s tau_s (2 pi / L)^2`.
pub const ZERO_EIGENVALUE: f64 = 1e-3;

/// The share of an eigenvector's norm in the span of the state's
/// derivatives above which it is a translation.
pub const TRANSLATION_SHARE: f64 = 0.95;

/// The local rate of one group of species that nothing couples to the
/// others (reported when the system has more than one group).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRate {
    /// The species of the group.
    pub species: Vec<String>,
    /// `-Re lambda_max` of the group's linearised dynamics.
    pub predicted_rate: f64,
    /// The group's bound `min_s eta_s tau_s lambda_1(rho_s*)`, when it is a
    /// zero-sum game (NaN, `null` in JSON, otherwise).
    pub bound: f64,
}

/// One species in `analysis.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SpeciesInfo {
    /// Its name.
    pub name: String,
    /// Temperature tau_s.
    pub tau: f64,
    /// Rate eta_s.
    pub rate: f64,
}

/// What `analysis.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The adapter used.
    pub adapter: AdapterReport,
    /// The game's temperature (absent for a species system: see `species`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tau: Option<f64>,
    /// The species' names, temperatures and rates.
    pub species: Vec<SpeciesInfo>,
    /// The equilibrium computation.
    pub equilibrium: EquilibriumSummary,
    /// The equilibrium is a run's (`--equilibrium-from`, or a sweep's
    /// point), read rather than solved again.
    pub equilibrium_reused: bool,
    /// The Poincare constant of each species' stationary density, as
    /// `poincare_<name>` (for the game `poincare_mu`, `poincare_nu`).
    #[serde(flatten)]
    pub poincare: BTreeMap<String, PoincareReport>,
    /// Rightmost eigenvalues of the linearised dynamics (`re`, `im`,
    /// `residual`; `translation` marks a translation mode).
    pub eigenvalues: Vec<Eigenpair>,
    /// `-Re lambda_max` over the eigenvalues that are not translation
    /// modes: the predicted local decay rate (negative: the state is
    /// unstable).
    pub predicted_rate: f64,
    /// Whether every eigenvalue but the translation modes has a negative
    /// real part: the state is locally stable.
    pub stable: bool,
    /// `min_s eta_s tau_s lambda_1(rho_s*)`: the lower bound on the rate of
    /// a pairwise zero-sum game (NaN, `null` in JSON, for other systems).
    pub bound: f64,
    /// Whether the predicted rate respects the bound (true when there is none).
    pub bound_holds: bool,
    /// The rate of each group of species coupled only among themselves,
    /// when there are several (a species that nothing couples to is its own
    /// group: its rate is not hidden by a slower one's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRate>,
    /// The rate measured on a perturbed trajectory (`--run`).
    pub measured: Option<RateFit>,
}

impl Analysis {
    /// The Poincare constant of species `name`.
    pub fn poincare_of(&self, name: &str) -> Option<&PoincareReport> {
        self.poincare.get(&format!("poincare_{name}"))
    }
}

/// `-Re` of the rightmost eigenvalue that is not a translation mode.
fn rate_of(eigenvalues: &[Eigenpair]) -> f64 {
    eigenvalues
        .iter()
        .find(|e| !e.translation)
        .map_or(f64::NAN, |e| -e.re)
}

/// Marks the eigenpairs that are translations of the stationary state
/// `stars` (one grid per species): an eigenvalue below `zero` whose
/// eigenvector lies in the span of the state's derivatives along the axes.
fn mark_translations(
    eigenvalues: &mut [Eigenpair],
    problem: &Problem,
    stars: &[Vec<f32>],
    zero: f64,
) {
    let shape = problem.params.shape;
    let cpu = crate::system::cpu::CpuSystem::new(&problem.params, problem.system());
    // The derivatives d rho*/dx_i of every species, one vector per axis.
    let mut axes: Vec<Vec<f64>> = vec![Vec::new(); shape.dim() as usize];
    for r in stars {
        let spectrum = cpu.spectrum(&r.iter().map(|&v| v as f64).collect::<Vec<_>>());
        let (gx, gy) = cpu.gradient(&spectrum);
        axes[0].extend(gx);
        if shape.dim() == 2 {
            axes[1].extend(gy);
        }
    }
    // Orthonormalised (Gram-Schmidt); a uniform state has none.
    let scale = stars.iter().flatten().fold(0.0f32, |m, v| m.max(*v)) as f64;
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for mut a in axes {
        for b in &basis {
            let c: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            a.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
        }
        let norm = a.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 1e-6 * scale * (a.len() as f64).sqrt() {
            a.iter_mut().for_each(|x| *x /= norm);
            basis.push(a);
        }
    }
    if basis.is_empty() {
        return;
    }
    for e in eigenvalues.iter_mut() {
        if e.re.hypot(e.im) > zero {
            continue;
        }
        let v = &e.vector.0;
        let total: f64 = v.iter().map(|x| x * x).sum();
        let inside: f64 = basis
            .iter()
            .map(|b| v.iter().zip(b).map(|(x, y)| x * y).sum::<f64>().powi(2))
            .sum();
        e.translation = total > 0.0 && inside >= TRANSLATION_SHARE * total;
    }
}

/// The step of the linearised map at the stationary state `stars` (one
/// density per species): `time.dt` when given (shortened so that a whole
/// number of steps makes T = 1), else from the stability estimate there; T =
/// steps * dt is about 1.
pub fn map_step(plan: &Plan, stars: &[Vec<f32>]) -> f64 {
    match plan.step() {
        Some(dt) => 1.0 / ((1.0 / dt).round()).max(1.0),
        None => {
            let est = plan.estimate_step(stars, None);
            let steps = (1.0 / (AUTO_FRACTION * est.dt_max)).ceil();
            1.0 / steps.clamp(MIN_MAP_STEPS, 1e7)
        }
    }
}

/// The rightmost eigenvalues of the linearised dynamics at the stationary
/// state `stars` (one grid per species) by Arnoldi on the time-1 map of a
/// perturbation-form stepper with `problem.params.dt`, translation modes
/// marked; `species` restricts the perturbations to a group of species
/// ([`SpectrumOptions::species`]).
pub fn spectrum_at(
    ctx: &GpuContext,
    problem: &Problem,
    stars: &[Vec<f32>],
    species: Option<Vec<usize>>,
    interrupt: &Interrupt,
) -> Result<Vec<Eigenpair>> {
    let refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
    let stepper = Stepper::new_perturbation(ctx, &problem.params, problem.ops.clone(), &refs)?;
    let scale = stars.iter().flatten().fold(0.0f32, |m, v| m.max(*v)) as f64;
    let opts = SpectrumOptions {
        steps: (1.0 / problem.params.dt).round() as u32,
        interrupt: interrupt.clone(),
        species,
        ..SpectrumOptions::default()
    };
    let mut e = linearised_spectrum(ctx, &stepper, scale, &opts)?;
    let system = problem.system();
    if system.is_translation_invariant() {
        let unit = std::f64::consts::TAU / problem.params.length;
        let slowest = system
            .species
            .iter()
            .map(|sp| sp.rate * sp.tau * unit * unit)
            .fold(f64::INFINITY, f64::min);
        mark_translations(&mut e, problem, stars, ZERO_EIGENVALUE * slowest);
    }
    Ok(e)
}

/// `-Re` of the rightmost eigenvalue that is not a translation mode: the
/// predicted local rate (negative for an unstable state).
pub fn predicted_rate(eigenvalues: &[Eigenpair]) -> f64 {
    rate_of(eigenvalues)
}

/// Computes the analysis of `config` into `dir`: analysis.json, the
/// equilibrium (`<name>_star.npy`, shape (n2, n1)) and the Ritz vectors of
/// the eigenvalues, `eigvec_K_re.npy` and `eigvec_K_im.npy` (K = 0 for the
/// rightmost), each of shape (S, n2, n1): `[s]` the part of species s (for
/// the game `[0]` mu, `[1]` nu), unit Euclidean norm over all; and their
/// pictures ([`crate::analysis::figures`]: `spectrum.png`, `eigvec_K.png`).
/// With `run`, also the measured rate of the initial densities' trajectory.
/// The equilibrium's progress goes to stderr unless `quiet`; `interrupt`
/// stops every loop.
pub fn analyze(
    ctx: &GpuContext,
    config: &Config,
    dir: &RunDir,
    run: bool,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<Analysis> {
    analyze_plan(
        ctx,
        Plan::new(ctx, config)?,
        dir,
        run,
        None,
        quiet,
        interrupt,
    )
}

/// [`analyze`] at the equilibrium a run of the same problem solved into the
/// directory `from` ([`crate::run::known_equilibrium`]), not solved again.
pub fn analyze_from(
    ctx: &GpuContext,
    config: &Config,
    dir: &RunDir,
    run: bool,
    from: &std::path::Path,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<Analysis> {
    let plan = Plan::new(ctx, config)?;
    let known = crate::run::known_equilibrium(&plan, from)?;
    analyze_plan(ctx, plan, dir, run, Some(known), quiet, interrupt)
}

/// [`analyze`] of a plan already built (a sweep builds one for a point's run
/// and its analysis), at the equilibrium `known` when given (a run's, which
/// is then not solved again; its summary is reported), else solved here.
pub fn analyze_plan(
    ctx: &GpuContext,
    mut plan: Plan,
    dir: &RunDir,
    run: bool,
    known: Option<crate::run::KnownEquilibrium>,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<Analysis> {
    let alpha = plan.problem.params.fisher_rao;
    if alpha > 0.0 {
        return Err(Error::config(
            "time.fisher_rao",
            format!(
                "mflda analyze linearises the Wasserstein flow about its fixed point, which the \
                 Fisher-Rao term (fisher_rao = {alpha}) does not keep; set time.fisher_rao = 0 \
                 to analyze, or study the flow with mflda run"
            ),
        ));
    }
    crate::run::warn(ctx, &plan)?;
    dir.write_text("config.toml", &plan.to_toml())?;
    let (equilibrium, logs, reused) = match known {
        Some(k) => {
            crate::run::write_stars(&plan, dir, &k.logs)?;
            (k.summary, k.logs, true)
        }
        None => {
            // The solver (its iteration's buffers) goes once its result is read.
            let (_, report, logs) = crate::run::equilibrium(ctx, &plan, dir, quiet, interrupt)?;
            (EquilibriumSummary::from(&report), logs, false)
        }
    };
    let system = plan.problem.system().clone();
    let species = system.len();
    let stars = species_from_logs(&logs, species);
    let star_refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
    if plan.step().is_none() {
        plan.set_step(map_step(&plan, &stars))?;
    }
    dir.write_text("config.toml", &plan.to_toml())?;
    let problem = &plan.problem;
    let n = problem.params.shape.len();
    let popts = PoincareOptions {
        interrupt: interrupt.clone(),
        ..PoincareOptions::default()
    };
    // rho* ~ exp(-W): the log-densities are -W up to a constant.
    let names = plan.names();
    let mut poincare = BTreeMap::new();
    let mut lambda1 = Vec::new();
    for (s, name) in names.iter().enumerate() {
        let p = poincare_constant(ctx, &problem.params, &logs[s * n..(s + 1) * n], &popts)?;
        lambda1.push(p.lambda1);
        poincare.insert(format!("poincare_{name}"), p);
    }

    let eigenvalues = spectrum_at(ctx, problem, &stars, None, interrupt)?;
    let s = problem.params.shape;
    for (k, e) in eigenvalues.iter().enumerate() {
        let as_f32 = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
        let shape = [species, s.n2 as usize, s.n1 as usize];
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
    let predicted_rate = rate_of(&eigenvalues);
    // The bound of a pairwise zero-sum game, over the species of `group`.
    let zero_sum = system.is_zero_sum(s);
    let bound_of = |group: &[usize]| -> f64 {
        if !zero_sum {
            return f64::NAN;
        }
        group
            .iter()
            .map(|&i| system.species[i].rate * system.species[i].tau * lambda1[i])
            .fold(f64::INFINITY, f64::min)
    };
    let everyone: Vec<usize> = (0..species).collect();
    let bound = bound_of(&everyone);
    let components = system.components();
    let mut groups = Vec::new();
    if components.len() > 1 {
        for group in &components {
            let e = spectrum_at(ctx, problem, &stars, Some(group.clone()), interrupt)?;
            groups.push(GroupRate {
                species: group.iter().map(|&i| names[i].clone()).collect(),
                predicted_rate: rate_of(&e),
                bound: bound_of(group),
            });
        }
    }

    let measured = if run {
        let stepper =
            Stepper::new_perturbation(ctx, &problem.params, problem.ops.clone(), &star_refs)?;
        let start = plan.initial_species(ctx, &star_refs)?;
        let refs: Vec<&[f32]> = start.iter().map(|v| v.as_slice()).collect();
        stepper.set_species_densities(ctx, &refs)?;
        let eq_field = GpuField::from_data(
            ctx,
            "analysis.equilibrium",
            problem.params.shape,
            species as u32,
            Elem::Real,
            &logs,
        )?;
        let metrics = Metrics::new(ctx, &stepper, &problem.ops, &eq_field)?;
        let schedule = plan.schedule();
        let (mut t, mut l2) = (Vec::new(), Vec::new());
        let mut k = 0;
        let mut batcher = Batcher::new(schedule.metrics.min(64) as u32);
        while k <= schedule.steps {
            let row = metrics.measure(ctx, &stepper, k as f64 * plan.config().time.step())?;
            t.push(row.t);
            l2.push(row.joint_l2());
            let mut left = schedule.metrics as u32;
            while left > 0 {
                interrupt.check(|| format!("the perturbed trajectory (--run), at step {k}"))?;
                let batch = batcher.next(left);
                let start = web_time::Instant::now();
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
        tau: plan.config().game.as_ref().map(|g| g.tau),
        species: system
            .species
            .iter()
            .map(|sp| SpeciesInfo {
                name: sp.name.clone(),
                tau: sp.tau,
                rate: sp.rate,
            })
            .collect(),
        equilibrium,
        equilibrium_reused: reused,
        poincare,
        stable: predicted_rate > 0.0,
        predicted_rate,
        bound,
        bound_holds: bound.is_nan() || predicted_rate >= bound * (1.0 - 1e-3),
        groups,
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
    for sp in &a.species {
        let Some(p) = a.poincare_of(&sp.name) else {
            continue;
        };
        s += &format!(
            "Poincare constant of {}*: {:.6} (residual {}, {} iterations, stop: {}; \
             Holley-Stroock bound {})\n",
            sp.name,
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
        let mark = if e.translation {
            "  zero: a translation of the state"
        } else if e.converged {
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
        "\npredicted local rate  {:.6}  ({})\n",
        a.predicted_rate,
        if a.stable {
            "stable"
        } else {
            "UNSTABLE: an eigenvalue has a positive real part"
        }
    );
    if a.bound.is_nan() {
        s += "lower bound: none (the system is not a pairwise zero-sum game)\n";
    } else {
        s += &format!(
            "lower bound min_s eta_s tau_s lambda_1(rho_s*)  {:.6}  ({})\n",
            a.bound,
            if a.bound_holds {
                "respected"
            } else {
                "VIOLATED"
            }
        );
    }
    for g in &a.groups {
        s += &format!(
            "  species {}: predicted rate {:.6}{}\n",
            g.species.join(", "),
            g.predicted_rate,
            if g.bound.is_nan() {
                String::new()
            } else {
                format!(", bound {:.6}", g.bound)
            }
        );
    }
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
