//! `mflda run --resume DIR`: a run continued from its newest valid
//! checkpoint, to its end or to a later one.

use std::path::Path;

use crate::config::Config;
use crate::equilibrium::species_from_logs;
use crate::gpu::GpuContext;
use crate::output::{Checkpoint, MetricsCsv, RunDir};
use crate::plan::Plan;
use crate::{Error, Result};

use super::assembly::Assembly;
use super::session::{CheckpointMeta, Session};
use super::step::on_step_grid;
use super::{finish, RunMemory, RunOptions, Schedule, Summary};

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
    let (dir, mut config, checkpoint) = open_checkpoint(path, opts, "grid")?;
    let meta: CheckpointMeta =
        serde_json::from_value(checkpoint.meta.clone()).map_err(|e| Error::Data {
            field: "checkpoint".into(),
            message: format!("unreadable metadata: {e}"),
        })?;
    set_end(&dir, &mut config, checkpoint.step, t_end, "mflda run")?;
    let memory = RunMemory::resumed(&config);
    opts.say(memory.describe(ctx));
    let plan = Plan::new(ctx, &config)?;
    // The checkpoint's rows list their species sorted by name.
    let mut meta = meta;
    let names = plan.names();
    meta.first.order_species(&names);
    meta.last.order_species(&names);
    let eq_logs = checkpoint.array("eq_logs")?.to_vec();
    let stars = species_from_logs(&eq_logs, plan.problem.system().len());
    if meta.estimate.is_none() {
        // A checkpoint written before the estimate was recorded: the one at
        // the equilibrium.
        meta.estimate = Some(plan.estimate_step(&stars, None));
    }
    let mut parts = Assembly::new(ctx, &plan, &eq_logs, stars)?;
    parts.stepper.write_state(ctx, checkpoint.array("state")?)?;
    let frames = match meta.frame_limits {
        Some(limits) => parts.frames(ctx, &plan, limits, &dir)?,
        None => None,
    };
    let (stepper, metrics) = parts.finish();
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
        plan,
        dir,
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
/// The run directory at `path`, its config.toml and its newest valid
/// checkpoint, which must be of `kind` (`"grid"`: a `mflda run`'s, whose
/// metadata has no kind; `"particles"`) and match the config's hash; the
/// checkpoints skipped are reported through `opts`.
pub(crate) fn open_checkpoint(
    path: &Path,
    opts: &RunOptions,
    kind: &str,
) -> Result<(RunDir, Config, Checkpoint)> {
    let dir = RunDir::open(path)?;
    let config = Config::load(&dir.file("config.toml"))?;
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
    let found = checkpoint.meta["kind"].as_str().unwrap_or("grid");
    if found != kind {
        let command = if found == "particles" {
            "mflda particles"
        } else {
            "mflda run"
        };
        return Err(Error::Data {
            field: path.display().to_string(),
            message: format!(
                "its checkpoint is a {found} run's: resume it with {command} --resume {}",
                path.display()
            ),
        });
    }
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
    Ok((dir, config, checkpoint))
}

/// Checks `t_end` (None: resume to the recorded end, refused for a complete
/// run) against the checkpoint at `step` and records it in config.toml;
/// `command` is the one that resumes (`mflda run`), for the suggestions.
pub(crate) fn set_end(
    dir: &RunDir,
    config: &mut Config,
    step: u64,
    t_end: Option<f64>,
    command: &str,
) -> Result<()> {
    let dt = config.time.step();
    let t = step as f64 * dt;
    let later = (2.0 * t).max(t + dt);
    let resume = format!("{command} --resume {}", dir.path().display());
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
