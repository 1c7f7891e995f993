//! A whole run (`mflda run`), its resumption from a checkpoint
//! (`mflda run --resume`), the equilibrium alone (`mflda equilibrium`),
//! each from a [`Plan`], and a run its caller steps ([`Simulation`]).

mod assembly;
pub mod frames;
pub mod memory;
pub mod progress;
mod resume;
pub mod schedule;
mod session;
pub mod simulation;
pub mod step;
pub mod summary;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::equilibrium::{species_from_logs, EquilibriumReport, EquilibriumSolver};
use crate::gpu::{GpuContext, Shape};
use crate::interrupt::Interrupt;
use crate::output::{write_npy_f32, MetricsCsv, RunDir};
use crate::plan::Plan;
use crate::{Error, Result};

use assembly::Assembly;
use frames::FrameLimits;
pub use memory::RunMemory;
pub use progress::{EquilibriumProgress, Progress};
pub use resume::{extend, resume};
pub(crate) use resume::{open_checkpoint, set_end};
pub use schedule::Schedule;
pub use simulation::Simulation;

/// The projected time of a run's `output.w2` evaluations, in seconds, above
/// which the run warns that they may dominate it.
pub const W2_WARN_SECONDS: f64 = 30.0;
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
    /// A fresh run takes the equilibrium of the same problem that a run,
    /// analysis or `mflda equilibrium` wrote into this directory
    /// ([`known_equilibrium`]) rather than solving it again.
    pub equilibrium_from: Option<PathBuf>,
}

impl RunOptions {
    /// Prints `s` on stderr unless quiet (publishes it when the interrupt
    /// is watched).
    pub fn say(&self, s: impl AsRef<str>) {
        if self.quiet {
            return;
        }
        match self.interrupt.watch() {
            Some(w) => w.say(s.as_ref()),
            None => eprintln!("{}", s.as_ref()),
        }
    }
}

/// Prints the plan's warnings ([`Plan::warnings`]) on stderr (also when
/// quiet: they say the system solved is not the one written).
pub fn warn(ctx: &GpuContext, plan: &Plan) -> Result<()> {
    for w in plan.warnings(ctx)? {
        eprintln!("{w}");
    }
    Ok(())
}

fn npy_shape(shape: Shape) -> [usize; 2] {
    [shape.n2 as usize, shape.n1 as usize]
}

/// The plan's stationary state ([`Plan::solve_equilibrium`] from its
/// configured start), then writes `<name>_star.npy` of every species into
/// `dir` (`mu_star.npy`, `nu_star.npy` for the game). Also returns the
/// log-densities `[log rho_s*]` it read back (S fields of the grid), so that
/// callers need not read them again.
pub fn equilibrium(
    ctx: &GpuContext,
    plan: &Plan,
    dir: &RunDir,
    quiet: bool,
    interrupt: &Interrupt,
) -> Result<(EquilibriumSolver, EquilibriumReport, Vec<f32>)> {
    let (solver, report) = plan.solve_equilibrium(ctx, None, quiet, interrupt)?;
    let logs = solver.logs().read(ctx)?;
    write_stars(plan, dir, &logs)?;
    Ok((solver, report, logs))
}

/// Writes `<name>_star.npy`, the density of every species of `plan`, into
/// `dir` from the log-densities `logs` (S fields of the grid).
pub fn write_stars(plan: &Plan, dir: &RunDir, logs: &[f32]) -> Result<()> {
    let shape = npy_shape(plan.problem.params.shape);
    let names = plan.names();
    for (name, r) in names.iter().zip(species_from_logs(logs, names.len())) {
        write_npy_f32(&dir.file(&format!("{name}_star.npy")), &shape, &r)?;
    }
    Ok(())
}

/// An equilibrium a run already solved: its summary and its log-densities
/// `[log rho_s*]` (S fields of the grid), for another use of the same
/// problem (the analysis of a sweep's point) that need not solve it again.
#[derive(Debug, Clone)]
pub struct KnownEquilibrium {
    /// The run's report of the solve.
    pub summary: EquilibriumSummary,
    /// `log rho_s*` of every species, concatenated.
    pub logs: Vec<f32>,
}

/// The sections of a config that do not change its equilibrium.
const NOT_THE_PROBLEM: [&str; 4] = ["time", "output", "init", "equilibrium"];

/// The equilibrium a run, an analysis or `mflda equilibrium` wrote into
/// `dir`: the `equilibrium` of its `summary.json` or `analysis.json` (or the
/// whole `equilibrium.json`) and `<name>_star.npy` of every species of
/// `plan` (each of the plan's grid; their logarithms, to the f32 rounding of
/// the files). Refused with the reason when `dir`'s `config.toml` poses
/// another problem than `plan` (its sections other than time, output, init
/// and equilibrium differ) or a density is not positive (an f32 file
/// underflows where the log-density is below about -103: solve instead).
pub fn known_equilibrium(plan: &Plan, dir: &Path) -> Result<KnownEquilibrium> {
    let shape = plan.problem.params.shape;
    let bad = |what: String| Error::Usage(format!("the equilibrium of {}: {what}", dir.display()));
    let read = |name: &str| -> Result<String> {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| bad(format!("{}: {e}", path.display())))
    };
    let table = |text: &str, what: &str| -> Result<toml::Table> {
        let mut t: toml::Table = text
            .parse()
            .map_err(|e| bad(format!("{what} is not a config: {e}")))?;
        for key in NOT_THE_PROBLEM {
            t.remove(key);
        }
        Ok(t)
    };
    let theirs = table(&read("config.toml")?, "its config.toml")?;
    let ours = table(&plan.to_toml(), "this config")?;
    if theirs != ours {
        let mut keys: Vec<&String> = theirs.keys().chain(ours.keys()).collect();
        keys.sort();
        keys.dedup();
        let differ: Vec<String> = keys
            .into_iter()
            .filter(|k| theirs.get(*k) != ours.get(*k))
            .map(|k| format!("[{k}]"))
            .collect();
        return Err(bad(format!(
            "its config.toml poses another problem ({} differ): solve this one instead (leave \
             --equilibrium-from out)",
            differ.join(", ")
        )));
    }
    let summary = ["summary.json", "analysis.json", "equilibrium.json"]
        .into_iter()
        .find(|f| dir.join(f).is_file())
        .ok_or_else(|| {
            bad(
                "no summary.json, analysis.json or equilibrium.json: not the directory of a \
                 finished run, analysis or equilibrium"
                    .into(),
            )
        })?;
    let value: serde_json::Value = serde_json::from_str(&read(summary)?)
        .map_err(|e| bad(format!("{summary} is not mflda's: {e}")))?;
    let value = if summary == "equilibrium.json" {
        value
    } else {
        value["equilibrium"].clone()
    };
    let summary: EquilibriumSummary = serde_json::from_value(value)
        .map_err(|e| bad(format!("{summary} has no equilibrium summary: {e}")))?;
    let want = npy_shape(shape);
    let mut logs = Vec::with_capacity(shape.len() * plan.names().len());
    for name in plan.names() {
        let path = dir.join(format!("{name}_star.npy"));
        let (got, v) = crate::output::read_npy_f32(&path).map_err(|e| {
            bad(format!(
                "{e} (a run of the same problem writes {name}_star.npy)"
            ))
        })?;
        if got != want {
            return Err(bad(format!(
                "{} has shape {got:?}, not the grid's {want:?}",
                path.display()
            )));
        }
        if let Some(i) = v.iter().position(|&x| !(x > 0.0 && x.is_finite())) {
            return Err(bad(format!(
                "{} has the value {} at index {i}, where a log-density is needed (f32 files \
                 underflow below about exp(-103)): solve the equilibrium instead",
                path.display(),
                v[i]
            )));
        }
        logs.extend(v.iter().map(|x| x.ln()));
    }
    Ok(KnownEquilibrium { summary, logs })
}

/// `mflda equilibrium`: the equilibrium and its summary only.
pub fn equilibrium_only(
    ctx: &GpuContext,
    config: &Config,
    opts: &RunOptions,
) -> Result<EquilibriumSummary> {
    let plan = Plan::new(ctx, config)?;
    warn(ctx, &plan)?;
    let dir = RunDir::create(&opts.out, opts.force)?;
    dir.write_text("config.toml", &plan.to_toml())?;
    let (_, report, _) = match equilibrium(ctx, &plan, &dir, opts.quiet, &opts.interrupt) {
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

/// `mflda run`: everything, from t = 0, written into `opts.out`. The GPU memory
/// it needs ([`RunMemory`]) is printed before anything is allocated. Bad input is
/// found before the run directory is made (config, expressions, grid size); if
/// the setup fails later (the equilibrium, the initial densities), a run
/// directory made by this call is removed again.
pub fn execute(ctx: &GpuContext, config: &Config, opts: &RunOptions) -> Result<Summary> {
    let memory = RunMemory::fresh(config);
    opts.say(memory.describe(ctx));
    let plan = Plan::new(ctx, config)?;
    execute_with(ctx, plan, memory, opts)
}

/// [`execute`] of a plan already built (a sweep builds one for a point's
/// run and its analysis). It does not print the memory estimate: the plan's
/// problem is already on the GPU, so a caller prints
/// `RunMemory::fresh(&config)` before building it.
pub fn execute_plan(ctx: &GpuContext, plan: Plan, opts: &RunOptions) -> Result<Summary> {
    let memory = plan.memory(false);
    execute_with(ctx, plan, memory, opts)
}

fn execute_with(
    ctx: &GpuContext,
    plan: Plan,
    memory: RunMemory,
    opts: &RunOptions,
) -> Result<Summary> {
    // Read before the run directory is made: it may replace the source.
    let known = match &opts.equilibrium_from {
        Some(from) => {
            let known = known_equilibrium(&plan, from)?;
            opts.say(format!("equilibrium: taken from {}", from.display()));
            Some(known)
        }
        None => None,
    };
    let dir = RunDir::create(&opts.out, opts.force)?;
    let session = match start(ctx, plan, dir.clone(), memory, known, opts) {
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
/// config.toml is written at once, and again with the step before the
/// first one.
fn start<'a>(
    ctx: &'a GpuContext,
    mut plan: Plan,
    dir: RunDir,
    memory: RunMemory,
    known: Option<KnownEquilibrium>,
    opts: &RunOptions,
) -> Result<Session<'a>> {
    dir.write_text("config.toml", &plan.to_toml())?;
    for (key, modes, error) in &plan.problem.truncations {
        opts.say(format!(
            "{key} kept to {modes} modes per axis: truncation error {error:.2e} (relative sup norm)"
        ));
    }
    warn(ctx, &plan)?;
    let (eq_summary, eq_logs) = match known {
        Some(known) => {
            write_stars(&plan, &dir, &known.logs)?;
            (known.summary, known.logs)
        }
        None => {
            let (solver, report, logs) =
                equilibrium(ctx, &plan, &dir, opts.quiet, &opts.interrupt)?;
            drop(solver);
            (EquilibriumSummary::from(&report), logs)
        }
    };
    opts.say(eq_summary.describe());
    if let Some(w) = eq_summary.warning(&plan.config().equilibrium) {
        // Warnings and notes about the result are printed also when quiet.
        eprintln!("{w}");
    }
    let species = plan.names().len();
    let stars = species_from_logs(&eq_logs, species);
    let star_refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
    let start = plan.initial_species(ctx, &star_refs)?;
    let estimate = plan.estimate_step(&stars, Some(&start));
    let choice = plan.choose_step(&estimate);
    if let Some(note) = &choice.note {
        opts.say(note);
    }
    if let Some(w) = &choice.warning {
        eprintln!("{w}");
    }
    plan.set_step(choice.dt)?;
    dir.write_text("config.toml", &plan.to_toml())?;

    let mut parts = Assembly::new(ctx, &plan, &eq_logs, stars)?;
    let start_refs: Vec<&[f32]> = start.iter().map(|v| v.as_slice()).collect();
    parts.stepper.set_species_densities(ctx, &start_refs)?;
    let star_refs: Vec<&[f32]> = parts.eq.iter().map(|v| v.as_slice()).collect();
    let peak = star_refs
        .iter()
        .flat_map(|s| s.iter())
        .fold(0.0f32, |m, v| m.max(*v)) as f64;
    let frame_limits = FrameLimits::new(&plan.config().output, &star_refs, &start_refs)?;
    let frames = parts.frames(ctx, &plan, frame_limits, &dir)?;
    if let Some(f) = &frames {
        f.render(ctx, &parts.stepper, 0, 0.0)?;
    }
    let (stepper, metrics) = parts.finish();

    let columns = metrics.columns();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut csv = MetricsCsv::create(&dir.file("metrics.csv"), &names)?;
    let first = metrics.measure(ctx, &stepper, 0.0)?;
    csv.append(&first.values())?;
    if let Some(w) = metrics.w2() {
        let s = plan.schedule();
        let rows = s.steps / s.metrics + 1;
        let total = w.last_seconds() * rows as f64;
        if total > W2_WARN_SECONDS {
            eprintln!(
                "warning: output.w2 took {:.2} s for one metrics row (host transport solves); \
                 {rows} rows take about {total:.0} s, likely most of this run: raise \
                 output.metrics_every or set output.w2 = false",
                w.last_seconds()
            );
        }
    }
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
        plan,
        dir,
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
