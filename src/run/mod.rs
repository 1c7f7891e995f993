//! A whole run: the equilibrium, the initial densities, time stepping on the
//! schedule, metrics, snapshots and the summary, all written into a run
//! directory (`mflda run`); and the equilibrium alone (`mflda equilibrium`).

pub mod progress;
pub mod schedule;

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::config::Config;
use crate::dynamics::Stepper;
use crate::equilibrium::{EquilibriumReport, EquilibriumSolver};
use crate::game::sample_init;
use crate::gpu::context::AdapterReport;
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::metrics::{Metrics, MetricsRow, COLUMNS};
use crate::output::{write_npy_f32, MetricsCsv, RunDir};
use crate::{Error, Problem, Result};

pub use progress::Progress;
pub use schedule::Schedule;

/// Where and how to write a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run directory.
    pub out: PathBuf,
    /// Overwrite an existing run directory.
    pub force: bool,
    /// No progress output.
    pub quiet: bool,
}

/// The equilibrium part of `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct EquilibriumSummary {
    /// Extragradient iterations.
    pub iterations: u32,
    /// Fixed-point residual.
    pub residual: f64,
    /// Nikaido-Isoda error at the computed equilibrium.
    pub ni: f64,
    /// Extragradient step used.
    pub step: f64,
    /// Why the iteration stopped.
    pub stop: crate::equilibrium::Stop,
}

impl From<&EquilibriumReport> for EquilibriumSummary {
    fn from(r: &EquilibriumReport) -> Self {
        EquilibriumSummary {
            iterations: r.iterations,
            residual: r.residual,
            ni: r.ni,
            step: r.step,
            stop: r.stop,
        }
    }
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// mflda version.
    pub version: &'static str,
    /// The adapter the run used.
    pub adapter: AdapterReport,
    /// Space dimension.
    pub dim: u32,
    /// Points per side.
    pub n: u32,
    /// Side length.
    pub length: f64,
    /// Steps taken.
    pub steps: u64,
    /// Time step.
    pub dt: f64,
    /// Simulated end time reached.
    pub t_end: f64,
    /// Wall-clock seconds of the time stepping.
    pub wall_time_s: f64,
    /// Steps per second of wall clock.
    pub steps_per_s: f64,
    /// Relative truncation error of the band-limited interaction (0 if none).
    pub interaction_truncation_error: f64,
    /// The equilibrium computation.
    pub equilibrium: EquilibriumSummary,
    /// The last metrics row.
    pub final_metrics: Option<MetricsRow>,
}

/// Approximate GPU memory of a run on `shape`, bytes: about 30 complex fields
/// (state, ETD stages, right-hand side work, operators, equilibrium, metrics).
pub fn memory_estimate(shape: Shape) -> u64 {
    30 * GpuField::bytes_for(shape, 1, Elem::Complex)
}

fn npy_shape(shape: Shape) -> [usize; 2] {
    [shape.n2 as usize, shape.n1 as usize]
}

/// Computes the equilibrium of `config`'s problem and writes `mu_star.npy`,
/// `nu_star.npy` into `dir`.
pub fn equilibrium(
    ctx: &GpuContext,
    config: &Config,
    problem: &Problem,
    dir: &RunDir,
) -> Result<(EquilibriumSolver, EquilibriumReport)> {
    let opts = problem.equilibrium_options(config);
    let (solver, report) = problem.equilibrium(ctx, &opts)?;
    let (mu, nu) = solver.densities(ctx)?;
    let shape = npy_shape(problem.params.shape);
    write_npy_f32(&dir.file("mu_star.npy"), &shape, &mu)?;
    write_npy_f32(&dir.file("nu_star.npy"), &shape, &nu)?;
    Ok((solver, report))
}

/// `mflda equilibrium`: the equilibrium and its summary only.
pub fn equilibrium_only(
    ctx: &GpuContext,
    config: &Config,
    opts: &RunOptions,
) -> Result<EquilibriumSummary> {
    let dir = RunDir::create(&opts.out, opts.force)?;
    dir.write_text("config.toml", &config.resolved().to_toml_string())?;
    let problem = Problem::from_config(ctx, config)?;
    let (_, report) = equilibrium(ctx, config, &problem, &dir)?;
    let summary = EquilibriumSummary::from(&report);
    dir.write_json("equilibrium.json", &summary)?;
    Ok(summary)
}

/// Initial densities from `[init]`, normalised to mass 1.
fn initial_densities(
    ctx: &GpuContext,
    config: &Config,
    problem: &Problem,
    eq: &(Vec<f32>, Vec<f32>),
) -> Result<(Vec<f32>, Vec<f32>)> {
    let p = &problem.params;
    let cell = p.cell();
    let one = |field: &str, text: &str, star: &[f32]| -> Result<Vec<f32>> {
        let v = sample_init(ctx, field, text, p.shape, p.length, star, config.init.seed)?;
        let mass: f64 = v.iter().map(|&x| x as f64).sum::<f64>() * cell;
        Ok(v.into_iter().map(|x| (x as f64 / mass) as f32).collect())
    };
    Ok((
        one("init.mu", &config.init.mu, &eq.0)?,
        one("init.nu", &config.init.nu, &eq.1)?,
    ))
}

/// Why the stepping stopped early, checked on every metrics row.
fn check_row(row: &MetricsRow, first: &MetricsRow, scale: f64) -> Option<String> {
    if !row.is_finite() {
        return Some("a metric is not finite (NaN or infinity)".into());
    }
    for (name, m, m0) in [
        ("mu", row.mu.mass, first.mu.mass),
        ("nu", row.nu.mass, first.nu.mass),
    ] {
        if (m - m0).abs() > 1e-4 * m0.abs() {
            return Some(format!("the mass of {name} drifted from {m0} to {m}"));
        }
    }
    let peak = row.mu.max.max(row.nu.max);
    if peak > 1e4 * scale {
        return Some(format!(
            "the densities grew to {peak:e}, {:.0e} times the equilibrium's peak",
            peak / scale
        ));
    }
    None
}

/// `mflda run`: everything, written into `opts.out`.
pub fn execute(ctx: &GpuContext, config: &Config, opts: &RunOptions) -> Result<Summary> {
    let dir = RunDir::create(&opts.out, opts.force)?;
    let resolved = config.resolved();
    dir.write_text("config.toml", &resolved.to_toml_string())?;
    let problem = Problem::from_config(ctx, config)?;
    let shape = problem.params.shape;
    let say = |s: String| {
        if !opts.quiet {
            eprintln!("{s}");
        }
    };
    say(format!(
        "grid {shape}: needs about {:.1} MiB of GPU memory",
        memory_estimate(shape) as f64 / (1u64 << 20) as f64
    ));
    if let Some(b) = &problem.payoff.band {
        say(format!(
            "interaction kept to {} modes per axis: truncation error {:.2e} (relative sup norm)",
            b.modes, b.truncation_error
        ));
    }

    let (solver, report) = equilibrium(ctx, config, &problem, &dir)?;
    say(format!(
        "equilibrium: {} iterations, residual {:.2e}, NI {:.2e} ({:?})",
        report.iterations, report.residual, report.ni, report.stop
    ));
    let eq = solver.densities(ctx)?;
    let stepper = problem.stepper(ctx)?;
    let metrics = Metrics::new(ctx, &stepper, &problem.ops, solver.logs())?;
    drop(solver);
    let (mu0, nu0) = initial_densities(ctx, config, &problem, &eq)?;
    stepper.set_densities(ctx, &mu0, &nu0)?;
    let peak = eq.0.iter().chain(&eq.1).fold(0.0f32, |m, v| m.max(*v)) as f64;

    let schedule = Schedule::new(config);
    let dt = config.time.dt;
    let mut csv = MetricsCsv::create(&dir.file("metrics.csv"), COLUMNS)?;
    let first = metrics.measure(ctx, &stepper, 0.0)?;
    csv.append(&first.values())?;
    let mut last = first;
    if schedule.snapshots > 0 {
        snapshot(ctx, &stepper, &dir, 0.0)?;
    }

    let mut progress = Progress::new(schedule.steps, dt, opts.quiet);
    let start = Instant::now();
    let mut k = 0;
    while k < schedule.steps {
        let target = schedule.next_event(k);
        while k < target {
            let chunk = (target - k).min(64) as u32;
            stepper.advance(ctx, chunk);
            k += chunk as u64;
        }
        let t = k as f64 * dt;
        if schedule.metrics_at(k) {
            let row = metrics.measure(ctx, &stepper, t)?;
            csv.append(&row.values())?;
            if let Some(why) = check_row(&row, &first, peak) {
                progress.finish();
                return Err(Error::Data {
                    field: "time.dt".into(),
                    message: format!(
                        "the run blew up between t = {:.6} and t = {t:.6} (step {k}): {why}. \
                         The explicit part is probably unstable at dt = {dt}: try \
                         `--set time.dt={}`. Metrics up to t = {:.6} are in {}",
                        last.t,
                        dt / 4.0,
                        last.t,
                        dir.file("metrics.csv").display()
                    ),
                });
            }
            last = row;
            progress.update(k, &format!("L2 {:.2e}", row.mu.l2.hypot(row.nu.l2)));
        }
        if schedule.snapshot_at(k) {
            snapshot(ctx, &stepper, &dir, t)?;
        }
    }
    ctx.wait()?;
    let wall = start.elapsed().as_secs_f64();
    progress.finish();

    let (mu, nu) = stepper.densities(ctx)?;
    write_npy_f32(&dir.file("mu_final.npy"), &npy_shape(shape), &mu)?;
    write_npy_f32(&dir.file("nu_final.npy"), &npy_shape(shape), &nu)?;
    let summary = Summary {
        version: env!("CARGO_PKG_VERSION"),
        adapter: ctx.report(),
        dim: shape.dim(),
        n: shape.n1,
        length: problem.params.length,
        steps: k,
        dt,
        t_end: k as f64 * dt,
        wall_time_s: wall,
        steps_per_s: k as f64 / wall.max(1e-9),
        interaction_truncation_error: problem
            .payoff
            .band
            .as_ref()
            .map_or(0.0, |b| b.truncation_error),
        equilibrium: EquilibriumSummary::from(&report),
        final_metrics: Some(last),
    };
    dir.write_json("summary.json", &summary)?;
    say(format!(
        "{k} steps in {wall:.1} s ({:.1} steps/s); outputs in {}",
        summary.steps_per_s,
        dir.path().display()
    ));
    Ok(summary)
}

fn snapshot(ctx: &GpuContext, stepper: &Stepper, dir: &RunDir, t: f64) -> Result<()> {
    let (mu, nu) = stepper.densities(ctx)?;
    let shape = npy_shape(stepper.params.shape);
    write_npy_f32(&dir.snapshot_path("mu", t), &shape, &mu)?;
    write_npy_f32(&dir.snapshot_path("nu", t), &shape, &nu)
}
