//! Running a sweep in this process, one configuration after another on one
//! GPU context, and collecting the results of runs made elsewhere
//! (`--emit-jobs`) into `sweep.csv`.

use std::path::Path;
use web_time::Instant;

use super::csv::{write_csv, SWEEP_CSV};
use super::definition::{Point, Sweep};
use super::record::{Outcome, Record, Status, DEFAULT_CONVERGED_RATIO};
use crate::gpu::GpuContext;
use crate::interrupt::Interrupt;
use crate::output::MARKER_FILE;
use crate::run::{execute_plan, RunMemory, RunOptions};
use crate::{Error, Plan, Result};

/// How a sweep runs.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Overwrite an earlier sweep (its `sweep.csv` and run directories).
    pub force: bool,
    /// No per-run progress output.
    pub quiet: bool,
    /// `converged` means the joint L2 distance fell by this factor (see
    /// [`super::record`]).
    pub converged_ratio: f64,
    /// Requested by a signal handler: the current run writes a checkpoint
    /// and stops (or stops at once in its equilibrium or analysis), and the
    /// sweep stops after it.
    pub interrupt: Interrupt,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            force: false,
            quiet: false,
            converged_ratio: DEFAULT_CONVERGED_RATIO,
            interrupt: Interrupt::never(),
        }
    }
}

/// Runs every configuration of `sweep` in order with [`execute_plan`] (one
/// [`Plan`] for a run and its analysis), writing `sweep.csv` (atomically)
/// before the first run and after each; `done` is called with each finished
/// row. A run that fails is recorded as failed
/// and the sweep goes on.
///
/// Errors (before any run): the sweep directory already holds a sweep or
/// one of its run directories and `opts.force` is not set, or cannot be
/// created. During the sweep: `sweep.csv` cannot be written, or the stop
/// flag was set ([`Error::Interrupted`], after recording the interrupted run).
pub fn run_sweep(
    ctx: &GpuContext,
    sweep: &Sweep,
    opts: &SweepOptions,
    done: &mut dyn FnMut(&Point, &Record),
) -> Result<Vec<Record>> {
    prepare(sweep, opts.force)?;
    let points = sweep.points();
    let mut records: Vec<Record> = points.iter().map(|p| pending(sweep, p)).collect();
    write_csv(&sweep.out, sweep, &records)?;
    for (point, slot) in points.iter().zip(0..) {
        if stopped(opts) {
            return Err(interrupted(sweep, point, "before it started".into()));
        }
        let started = Instant::now();
        let result = sweep.config_for(point).and_then(|config| {
            let run = RunOptions {
                out: sweep.run_dir(point),
                force: opts.force,
                quiet: opts.quiet,
                interrupt: opts.interrupt.clone(),
                equilibrium_from: None,
            };
            // The memory estimate before anything is allocated; then one
            // plan for the run and its analysis.
            if !opts.quiet {
                eprintln!("{}", RunMemory::fresh(&config).describe(ctx));
            }
            let plan = Plan::new(ctx, &config)?;
            let summary = execute_plan(ctx, plan.clone(), &run)?;
            // The predicted rate: the linearised spectrum at the equilibrium,
            // into run_dir/analysis (see predict.rs). A failure there leaves the
            // cell empty rather than failing a completed run.
            // The analysis at the run's equilibrium, read back rather than
            // solved again (solved here only if the run's files are unread).
            let known = crate::run::known_equilibrium(&plan, &run.out).ok();
            let analysis_dir = crate::output::RunDir::create(&run.out.join("analysis"), true);
            if let Ok(dir) = analysis_dir {
                let analysis = crate::analysis::analyze::analyze_plan(
                    ctx,
                    plan,
                    &dir,
                    false,
                    known,
                    opts.quiet,
                    &opts.interrupt,
                );
                if let Err(e @ Error::Interrupted(_)) = analysis {
                    return Err(e);
                }
            }
            Ok(summary)
        });
        let record = match result {
            Ok(summary) => {
                // summary.json read back, so that --collect gives the same row
                // to the last digit; the in-memory summary if that fails.
                let dir = sweep.run_dir(point);
                let outcome = match Outcome::read(&dir) {
                    Ok(Some(outcome)) => outcome,
                    _ => Outcome::from(&summary),
                };
                Record::completed(
                    sweep.values(point).iter().map(|v| v.to_string()).collect(),
                    &outcome,
                    &dir,
                    sweep.dir_name(point),
                    opts.converged_ratio,
                )
            }
            Err(e) => Record {
                wall_time_s: Some(started.elapsed().as_secs_f64()),
                ..failed(sweep, point, &e)
            },
        };
        records[slot] = record;
        write_csv(&sweep.out, sweep, &records)?;
        done(point, &records[slot]);
        if stopped(opts) {
            let why = records[slot].error.clone();
            return Err(interrupted(sweep, point, why));
        }
    }
    Ok(records)
}

/// Rebuilds `sweep.csv` from the run directories' `summary.json` (runs made
/// by the `--emit-jobs` commands, or by an earlier sweep). A configuration
/// without one is `missing`; one whose summary cannot be read is `failed`.
///
/// Errors: the sweep directory does not exist, or `sweep.csv` cannot be
/// written.
pub fn collect(sweep: &Sweep, converged_ratio: f64) -> Result<Vec<Record>> {
    require_dir(sweep)?;
    let records: Vec<Record> = sweep
        .points()
        .iter()
        .map(|point| {
            let dir = sweep.run_dir(point);
            let values = sweep.values(point).iter().map(|v| v.to_string()).collect();
            match Outcome::read(&dir) {
                Ok(Some(outcome)) => Record::completed(
                    values,
                    &outcome,
                    &dir,
                    sweep.dir_name(point),
                    converged_ratio,
                ),
                Ok(None) => Record::bare(
                    values,
                    Status::Missing,
                    sweep.dir_name(point),
                    missing_reason(&dir),
                ),
                Err(e) => failed(sweep, point, &e),
            }
        })
        .collect();
    write_csv(&sweep.out, sweep, &records)?;
    Ok(records)
}

/// The sweep directory must exist to be collected.
pub(crate) fn require_dir(sweep: &Sweep) -> Result<()> {
    if sweep.out.is_dir() {
        return Ok(());
    }
    Err(Error::io(
        format!("collecting {}", sweep.out.display()),
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the sweep directory does not exist (run the jobs first, with the same --out)",
        ),
    ))
}

/// Refuses to overwrite an earlier sweep without `force`; creates the
/// sweep directory.
pub(crate) fn prepare(sweep: &Sweep, force: bool) -> Result<()> {
    if !force {
        let earlier = std::iter::once(sweep.out.join(SWEEP_CSV))
            .chain(sweep.points().iter().map(|p| sweep.run_dir(p)))
            .find(|p| p.exists());
        if let Some(path) = earlier {
            return Err(Error::io(
                format!("starting the sweep in {}", sweep.out.display()),
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists (an earlier sweep); use --force to overwrite it, or \
                         --collect to tabulate its runs",
                        path.display()
                    ),
                ),
            ));
        }
    }
    std::fs::create_dir_all(&sweep.out)
        .map_err(|e| Error::io(format!("creating {}", sweep.out.display()), e))
}

fn stopped(opts: &SweepOptions) -> bool {
    opts.interrupt.is_requested()
}

fn pending(sweep: &Sweep, point: &Point) -> Record {
    Record::bare(
        sweep.values(point).iter().map(|v| v.to_string()).collect(),
        Status::Pending,
        sweep.dir_name(point),
        String::new(),
    )
}

fn failed(sweep: &Sweep, point: &Point, e: &Error) -> Record {
    Record {
        status: Status::Failed,
        error: e.to_string(),
        ..pending(sweep, point)
    }
}

fn interrupted(sweep: &Sweep, point: &Point, why: String) -> Error {
    Error::Interrupted(format!(
        "sweep interrupted at {} ({}): {why}. {} holds the runs done so far; \
         start the sweep again with --force, or finish it as jobs (--emit-jobs, then --collect)",
        sweep.dir_name(point),
        sweep.describe(point),
        sweep.out.join(SWEEP_CSV).display()
    ))
}

fn missing_reason(dir: &Path) -> String {
    if dir.join(MARKER_FILE).is_file() {
        format!(
            "{} has no summary.json: the run failed, was stopped or is still running",
            dir.display()
        )
    } else {
        format!("{} does not exist: the run has not started", dir.display())
    }
}
