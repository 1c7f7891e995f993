//! A whole run (`mflda run`), its resumption from a checkpoint
//! (`mflda run --resume`), and the equilibrium alone (`mflda equilibrium`).

pub mod frames;
pub mod memory;
pub mod progress;
pub mod schedule;
mod session;
pub mod step;
pub mod summary;

use std::path::{Path, PathBuf};

use crate::config::{Config, EquilibriumStart};
use crate::dynamics::stability::{step_estimate, StepEstimate};
use crate::dynamics::Stepper;
use crate::equilibrium::{species_from_logs, EquilibriumReport, EquilibriumSolver};
use crate::game::sample_init;
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::interrupt::Interrupt;
use crate::metrics::{Metrics, W2linOptions};
use crate::output::{write_npy_f32, Checkpoint, MetricsCsv, RunDir};
use crate::{Error, Problem, Result};

use frames::{FrameLimits, Frames};
pub use memory::RunMemory;
pub use progress::{EquilibriumProgress, Progress};
pub use schedule::Schedule;
use session::{CheckpointMeta, Session};
pub use step::{choose_step, land, on_step_grid, StepChoice};
pub use summary::{EquilibriumSummary, Summary};

/// Where and how to write a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The run directory.
    pub out: PathBuf,
    /// Overwrite an existing run directory.
    pub force: bool,
    /// No progress output.
    pub quiet: bool,
    /// Requested (by a signal handler) to stop: during the time stepping
    /// after the current chunk of steps, writing a checkpoint; during the
    /// equilibrium at once, removing the run directory this call made.
    pub interrupt: Interrupt,
}

impl RunOptions {
    fn say(&self, s: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", s.as_ref());
        }
    }
}

/// Prints [`Problem::payoff_warnings`] on stderr (also when quiet: they say
/// the game solved is not the one written).
pub fn warn_payoff(ctx: &GpuContext, config: &Config, problem: &Problem) -> Result<()> {
    let Some(game) = &config.game else {
        // A species system's interactions: the truncation error alone (the
        // game's warnings also search for a bandwidth that is enough).
        for (key, modes, error) in &problem.truncations {
            if *error > crate::problem::TRUNCATION_WARN {
                eprintln!(
                    "warning: {key} is kept to {modes} modes per axis with a truncation error \
                     of {error:.2e} (relative sup norm): the system solved is not the one \
                     written; raise its interaction_modes (at most 16)"
                );
            }
        }
        return Ok(());
    };
    for w in problem.payoff_warnings(ctx, game)? {
        eprintln!("{w}");
    }
    Ok(())
}

fn npy_shape(shape: Shape) -> [usize; 2] {
    [shape.n2 as usize, shape.n1 as usize]
}

/// Computes the equilibrium of `config`'s problem, reporting its progress on
/// stderr unless `quiet` ([`EquilibriumProgress`]); `interrupt` stops it.
pub fn solve_equilibrium(
    ctx: &GpuContext,
    config: &Config,
    problem: &Problem,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<(EquilibriumSolver, EquilibriumReport)> {
    let mut opts = problem.equilibrium_options(config);
    opts.interrupt = interrupt.clone();
    // `equilibrium.start = "init"`: from the initial densities, whose `eq`
    // is then the uniform density.
    let start = match config.equilibrium.start {
        EquilibriumStart::Uniform => None,
        EquilibriumStart::Init => {
            let n = problem.params.shape.len();
            let uniform = vec![(1.0 / (n as f64 * problem.params.cell())) as f32; n];
            let eq: Vec<&[f32]> = (0..problem.system().len()).map(|_| &uniform[..]).collect();
            Some(initial_species(ctx, config, problem, &eq)?)
        }
    };
    let refs: Option<Vec<&[f32]>> = start
        .as_ref()
        .map(|s| s.iter().map(|v| v.as_slice()).collect());
    let mut progress = EquilibriumProgress::new(opts.tol, quiet);
    let result = problem.equilibrium_from(ctx, &opts, refs.as_deref(), &mut |i, r| {
        progress.update(i, r)
    });
    progress.finish();
    result
}

/// [`solve_equilibrium`], then writes `<name>_star.npy` of every species into
/// `dir` (`mu_star.npy`, `nu_star.npy` for the game). Also returns the
/// log-densities `[log rho_s*]` it read back (S fields of the grid), so that
/// callers need not read them again.
pub fn equilibrium(
    ctx: &GpuContext,
    config: &Config,
    problem: &Problem,
    dir: &RunDir,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<(EquilibriumSolver, EquilibriumReport, Vec<f32>)> {
    let (solver, report) = solve_equilibrium(ctx, config, problem, quiet, interrupt)?;
    let logs = solver.logs().read(ctx)?;
    let shape = npy_shape(problem.params.shape);
    let rho = species_from_logs(&logs, solver.species());
    for (name, r) in config.species_names().iter().zip(&rho) {
        write_npy_f32(&dir.file(&format!("{name}_star.npy")), &shape, r)?;
    }
    Ok((solver, report, logs))
}

/// `mflda equilibrium`: the equilibrium and its summary only.
pub fn equilibrium_only(
    ctx: &GpuContext,
    config: &Config,
    opts: &RunOptions,
) -> Result<EquilibriumSummary> {
    let problem = Problem::from_config(ctx, config)?;
    warn_payoff(ctx, config, &problem)?;
    let dir = RunDir::create(&opts.out, opts.force)?;
    dir.write_text("config.toml", &config.resolved().to_toml_string())?;
    let (_, report, _) = match equilibrium(ctx, config, &problem, &dir, opts.quiet, &opts.interrupt)
    {
        Ok(r) => r,
        Err(e) => {
            dir.discard();
            return Err(e);
        }
    };
    let summary = EquilibriumSummary::from(&report);
    dir.write_json("equilibrium.json", &summary)?;
    Ok(summary)
}

/// The game's initial densities from `[init]` (`eq` the equilibrium pair),
/// normalised to mass 1.
pub fn initial_densities(
    ctx: &GpuContext,
    config: &Config,
    problem: &Problem,
    eq: (&[f32], &[f32]),
) -> Result<(Vec<f32>, Vec<f32>)> {
    let mut v = initial_species(ctx, config, problem, &[eq.0, eq.1])?;
    let nu = v.pop().unwrap_or_default();
    let mu = v.pop().unwrap_or_default();
    Ok((mu, nu))
}

/// The initial densities of every species, normalised to mass 1: `init.mu`
/// and `init.nu` for the game, each species' `init` otherwise, with `eq` the
/// stationary densities (one grid per species).
pub fn initial_species(
    ctx: &GpuContext,
    config: &Config,
    problem: &Problem,
    eq: &[&[f32]],
) -> Result<Vec<Vec<f32>>> {
    let p = &problem.params;
    let cell = p.cell();
    let one = |field: &str, text: &str, star: &[f32]| -> Result<Vec<f32>> {
        let v = sample_init(ctx, field, text, p.shape, p.length, star, config.init.seed)?;
        let mass: f64 = v.iter().map(|&x| x as f64).sum::<f64>() * cell;
        Ok(v.into_iter().map(|x| (x as f64 / mass) as f32).collect())
    };
    let texts: Vec<(String, String)> = if config.is_game() {
        vec![
            ("init.mu".into(), config.init.mu.clone()),
            ("init.nu".into(), config.init.nu.clone()),
        ]
    } else {
        config
            .species
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("species[{i}].init"), s.init.clone()))
            .collect()
    };
    texts
        .iter()
        .zip(eq)
        .map(|((field, text), star)| one(field, text, star))
        .collect()
}

/// The stable-step estimate about the stationary state and the start: the
/// game's rule, or the species system's.
fn estimate_step(problem: &Problem, eq: &[Vec<f32>], start: &[Vec<f32>]) -> StepEstimate {
    fn refs(v: &[Vec<f32>]) -> Vec<&[f32]> {
        v.iter().map(|x| x.as_slice()).collect()
    }
    match &problem.payoff {
        // The game's rule reads the kernel's samples; a kernel given by its
        // multiplier takes the system's.
        Some(payoff) if payoff.kernel_spectrum.is_none() => step_estimate(
            &problem.params,
            payoff,
            &[(&eq[0], &eq[1]), (&start[0], &start[1])],
        ),
        _ => crate::system::stability::system_step_estimate(
            &problem.params,
            problem.system(),
            &[refs(eq), refs(start)],
        ),
    }
}

/// `mflda run`: everything, from t = 0, written into `opts.out`. The GPU memory
/// it needs ([`RunMemory`]) is printed before anything is allocated. Bad input is
/// found before the run directory is made (config, expressions, grid size); if
/// the setup fails later (the equilibrium, the initial densities), a run
/// directory made by this call is removed again.
pub fn execute(ctx: &GpuContext, config: &Config, opts: &RunOptions) -> Result<Summary> {
    let memory = RunMemory::fresh(config);
    opts.say(memory.describe(ctx));
    let problem = Problem::from_config(ctx, config)?;
    let dir = RunDir::create(&opts.out, opts.force)?;
    let session = match start(ctx, config.clone(), problem, dir.clone(), memory, opts) {
        Ok(session) => session,
        Err(e) => {
            dir.discard();
            return Err(e);
        }
    };
    finish(session.run(), opts)
}

/// Everything up to the first step: equilibrium, initial densities, the time
/// step (chosen now when automatic: it depends on both), metrics at t = 0.
/// `config` is not yet resolved; the resolved one, with its step, is
/// written to config.toml before the first step.
fn start<'a>(
    ctx: &'a GpuContext,
    config: Config,
    mut problem: Problem,
    dir: RunDir,
    memory: RunMemory,
    opts: &RunOptions,
) -> Result<Session<'a>> {
    dir.write_text("config.toml", &config.resolved().to_toml_string())?;
    for (key, modes, error) in &problem.truncations {
        opts.say(format!(
            "{key} kept to {modes} modes per axis: truncation error {error:.2e} (relative sup norm)"
        ));
    }
    warn_payoff(ctx, &config, &problem)?;
    let (solver, report, eq_logs) =
        equilibrium(ctx, &config, &problem, &dir, opts.quiet, &opts.interrupt)?;
    let eq_summary = EquilibriumSummary::from(&report);
    opts.say(eq_summary.describe());
    if let Some(w) = eq_summary.warning(&config.equilibrium) {
        // Warnings and notes about the result are printed also when quiet.
        eprintln!("{w}");
    }
    let species = solver.species();
    drop(solver);
    let stars = species_from_logs(&eq_logs, species);
    let star_refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
    let start = initial_species(ctx, &config, &problem, &star_refs)?;
    let estimate = estimate_step(&problem, &stars, &start);
    let choice = choose_step(&config, &estimate);
    if let Some(note) = &choice.note {
        opts.say(note);
    }
    if let Some(w) = &choice.warning {
        eprintln!("{w}");
    }
    let mut config = config;
    config.time.dt = Some(choice.dt);
    let config = config.resolved();
    config.validate()?;
    problem.params.dt = choice.dt;
    dir.write_text("config.toml", &config.to_toml_string())?;

    let mut parts = Assembly::new(ctx, &config, &problem, &eq_logs, stars)?;
    let start_refs: Vec<&[f32]> = start.iter().map(|v| v.as_slice()).collect();
    parts.stepper.set_species_densities(ctx, &start_refs)?;
    let star_refs: Vec<&[f32]> = parts.eq.iter().map(|v| v.as_slice()).collect();
    let peak = star_refs
        .iter()
        .flat_map(|s| s.iter())
        .fold(0.0f32, |m, v| m.max(*v)) as f64;
    let frame_limits = FrameLimits::new(&config, &star_refs, &start_refs)?;
    let frames = parts.frames(ctx, &config, frame_limits, &dir)?;
    if let Some(f) = &frames {
        f.render(ctx, &parts.stepper, 0, 0.0)?;
    }
    let Assembly {
        stepper, metrics, ..
    } = parts;

    let columns = metrics.columns();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut csv = MetricsCsv::create(&dir.file("metrics.csv"), &names)?;
    let first = metrics.measure(ctx, &stepper, 0.0)?;
    csv.append(&first.values())?;
    Ok(Session {
        ctx,
        meta: CheckpointMeta {
            first: first.clone(),
            last: first,
            peak,
            equilibrium: eq_summary,
            frame_limits: Some(frame_limits),
            estimate: Some(estimate),
        },
        config,
        dir,
        problem,
        stepper,
        metrics,
        csv,
        eq_logs,
        gpu_memory_bytes: memory.peak,
        k: 0,
        interrupt: opts.interrupt.clone(),
        quiet: opts.quiet,
        frames,
        stopped_below: false,
    })
}

/// `mflda run --resume DIR`: continues a run from its newest valid checkpoint,
/// producing the same outputs bit for bit as an uninterrupted run on the same
/// device. A run that is complete is an error that suggests [`extend`].
pub fn resume(ctx: &GpuContext, path: &Path, opts: &RunOptions) -> Result<Summary> {
    resume_to(ctx, path, None, opts)
}

/// `mflda run --resume DIR --t-end T`: continues the run in `DIR`, complete
/// or not, from its newest valid checkpoint up to the later end time `t_end`,
/// which its `config.toml` then records. The states are bit for bit those of
/// a run made to `t_end` at once with the same output schedules; the outputs
/// of the old end (its metrics row and snapshot, when off the schedules'
/// strides) stay, and the fits and plots cover the whole run.
pub fn extend(ctx: &GpuContext, path: &Path, t_end: f64, opts: &RunOptions) -> Result<Summary> {
    resume_to(ctx, path, Some(t_end), opts)
}

fn resume_to(
    ctx: &GpuContext,
    path: &Path,
    t_end: Option<f64>,
    opts: &RunOptions,
) -> Result<Summary> {
    let dir = RunDir::open(path)?;
    let mut config = Config::load(&dir.file("config.toml"))?;
    let (checkpoint, skipped) = Checkpoint::load_latest(dir.path())?;
    for s in &skipped {
        opts.say(format!("warning: skipping a checkpoint: {s}"));
    }
    let checkpoint = checkpoint.ok_or_else(|| Error::Data {
        field: path.display().to_string(),
        message: "no checkpoint to resume from: the run stopped before its first one, or \
                  finished with checkpoints off (output.checkpoint_every and checkpoint_wall \
                  = 0); start it again with --force"
            .into(),
    })?;
    if checkpoint.config_hash != config.hash() {
        return Err(Error::config(
            "config.toml",
            format!(
                "{} changed since the checkpoint at t = {} was written; restore it or start \
                 a new run",
                dir.file("config.toml").display(),
                checkpoint.t
            ),
        ));
    }
    set_end(&dir, &mut config, checkpoint.step, t_end)?;
    let meta: CheckpointMeta =
        serde_json::from_value(checkpoint.meta.clone()).map_err(|e| Error::Data {
            field: "checkpoint".into(),
            message: format!("unreadable metadata: {e}"),
        })?;
    let memory = RunMemory::resumed(&config);
    opts.say(memory.describe(ctx));
    let problem = Problem::from_config(ctx, &config)?;
    // The checkpoint's rows list their species sorted by name.
    let mut meta = meta;
    let names = config.species_names();
    meta.first.order_species(&names);
    meta.last.order_species(&names);
    let eq_logs = checkpoint.array("eq_logs")?.to_vec();
    let stars = species_from_logs(&eq_logs, problem.system().len());
    if meta.estimate.is_none() {
        // A checkpoint written before the estimate was recorded: the one at
        // the equilibrium.
        meta.estimate = Some(estimate_step(&problem, &stars, &stars));
    }
    let mut parts = Assembly::new(ctx, &config, &problem, &eq_logs, stars)?;
    parts.stepper.write_state(ctx, checkpoint.array("state")?)?;
    let frames = match meta.frame_limits {
        Some(limits) => parts.frames(ctx, &config, limits, &dir)?,
        None => None,
    };
    let Assembly {
        stepper, metrics, ..
    } = parts;
    let csv_path = dir.file("metrics.csv");
    MetricsCsv::truncate_after(&csv_path, checkpoint.t)?;
    let columns = metrics.columns();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let csv = MetricsCsv::open_append(&csv_path, &names)?;
    opts.say(format!(
        "resuming at t = {} (step {}), to t = {}",
        checkpoint.t, checkpoint.step, config.time.t_end
    ));
    let session = Session {
        ctx,
        config,
        dir,
        problem,
        stepper,
        metrics,
        csv,
        meta,
        eq_logs,
        gpu_memory_bytes: memory.peak,
        k: checkpoint.step,
        interrupt: opts.interrupt.clone(),
        quiet: opts.quiet,
        frames,
        stopped_below: false,
    };
    finish(session.run(), opts)
}

/// Moves the end of the run in `dir` to `t_end` (recorded in its config.toml),
/// which must come after `step`, the step of the checkpoint it continues
/// from; without `t_end`, checks that the run is not already complete.
fn set_end(dir: &RunDir, config: &mut Config, step: u64, t_end: Option<f64>) -> Result<()> {
    let dt = config.time.step();
    let t = step as f64 * dt;
    let later = (2.0 * t).max(t + dt);
    let resume = format!("mflda run --resume {}", dir.path().display());
    let Some(t_end) = t_end else {
        if step >= Schedule::new(config).steps {
            return Err(Error::Data {
                field: "--resume".into(),
                message: format!(
                    "the run is complete (t = {t}); to continue it, give a later end time: \
                     `{resume} --t-end {later}`"
                ),
            });
        }
        return Ok(());
    };
    let end = config.time.t_end;
    if t_end.is_finite() && t_end < end {
        return Err(Error::Data {
            field: "--t-end".into(),
            message: format!(
                "{t_end} is before the run's end time {end}: --t-end only moves the end \
                 later; give T >= {end}, or resume without it: `{resume}`"
            ),
        });
    }
    if !t_end.is_finite() || (t_end / dt).round() as u64 <= step {
        return Err(Error::Data {
            field: "--t-end".into(),
            message: format!(
                "{t_end} is not after the checkpoint the run continues from (t = {t}); \
                 give a later time, e.g. `{resume} --t-end {later}`"
            ),
        });
    }
    if !on_step_grid(t_end, dt) {
        let below = (t_end / dt).floor() * dt;
        return Err(Error::Data {
            field: "--t-end".into(),
            message: format!(
                "{t_end} is not a whole number of the run's steps (time.dt = {dt}), so the run \
                 could not end there; give e.g. `--t-end {}` or `--t-end {}`",
                below,
                below + dt
            ),
        });
    }
    config.time.t_end = t_end;
    dir.write_text("config.toml", &config.to_toml_string())
}

/// What a run steps, measures and draws, built from the stationary
/// log-densities `[log rho_s*]` (S real fields on the host) and the densities
/// `eq = [rho_s*]` made from them, once the equilibrium solver is gone: a
/// fresh run and a resumed one build the same.
struct Assembly {
    stepper: Stepper,
    metrics: Metrics,
    /// The log-densities on the GPU, for the frames' colouring; freed with the
    /// assembly unless the frames hold it.
    eq_field: GpuField,
    /// `[rho_s*]` on the host.
    eq: Vec<Vec<f32>>,
}

impl Assembly {
    fn new(
        ctx: &GpuContext,
        config: &Config,
        problem: &Problem,
        eq_logs: &[f32],
        eq: Vec<Vec<f32>>,
    ) -> Result<Self> {
        let shape = problem.params.shape;
        let refs: Vec<&[f32]> = eq.iter().map(|v| v.as_slice()).collect();
        let stepper = problem.stepper_for(ctx, config, &refs)?;
        let fields = eq.len() as u32;
        let eq_field = GpuField::from_data(ctx, "run.eq_logs", shape, fields, Elem::Real, eq_logs)?;
        // wgpu keeps the staging copies of uploads until a submission that
        // carries them has finished: let it free them before more is allocated.
        ctx.queue.submit(None);
        ctx.wait()?;
        let metrics = metrics_for(ctx, config, &stepper, problem, &eq_field, eq_logs)?;
        Ok(Assembly {
            stepper,
            metrics,
            eq_field,
            eq,
        })
    }

    /// The frames of the run in `dir`, if it draws any, with colour `limits`;
    /// they take the host equilibrium densities.
    fn frames(
        &mut self,
        ctx: &GpuContext,
        config: &Config,
        limits: FrameLimits,
        dir: &RunDir,
    ) -> Result<Option<Frames>> {
        if Schedule::new(config).frames == 0 {
            return Ok(None);
        }
        let eq = std::mem::take(&mut self.eq);
        let frames = Frames::new(
            ctx,
            config,
            &self.stepper,
            &self.eq_field,
            eq,
            limits,
            dir.path(),
        )?;
        Ok(Some(frames))
    }
}

fn finish(result: Result<Summary>, opts: &RunOptions) -> Result<Summary> {
    let summary = result?;
    opts.say(format!(
        "{} steps in {:.1} s ({:.1} steps/s); outputs in {}",
        summary.steps - summary.resumed_from_step,
        summary.wall_time_s,
        summary.steps_per_s,
        opts.out.display()
    ));
    Ok(summary)
}

/// The metrics of a run: [`Metrics`] against the equilibrium log-densities
/// (`eq_field` on the GPU, `eq_logs` the same values on the host), with the
/// linearised W2 distances when `output.w2lin` asks for them.
fn metrics_for(
    ctx: &GpuContext,
    config: &Config,
    stepper: &Stepper,
    problem: &Problem,
    eq_field: &GpuField,
    eq_logs: &[f32],
) -> Result<Metrics> {
    let metrics = Metrics::new(ctx, stepper, &problem.ops, eq_field)?;
    if config.output.w2lin {
        if problem.system().len() != 2 {
            return Err(Error::config(
                "output.w2lin",
                "the linearised W2 distances are measured for systems of two species; set \
                 output.w2lin = false",
            ));
        }
        metrics.with_w2lin(ctx, stepper, eq_logs, W2linOptions::default())
    } else {
        Ok(metrics)
    }
}
