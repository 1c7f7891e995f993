//! Long jobs (a run, its resumption, an equilibrium, an analysis, a
//! particle run, a sweep) on a worker thread, so that the Python thread
//! stays free: it polls the job's [`Watch`] for progress, sleeps in
//! [`Job::wait`] with the GIL released, and turns a KeyboardInterrupt into
//! [`Job::stop`], which the job honours as the CLI honours Ctrl-C (a run
//! writes a checkpoint first).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::interrupt::Interrupt;
use mflda::output::RunDir;
use mflda::run::RunOptions;
use mflda::sweep::{run_sweep, Param, Sweep, SweepOptions};
use mflda::watch::Watch;
use mflda::Result;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::device::context;
use crate::errors::{to_py, UsageError};

/// A job running on its own thread.
#[pyclass(module = "mflda._native")]
pub struct Job {
    handle: Mutex<Option<JoinHandle<Result<()>>>>,
    /// The job's result once joined.
    outcome: Mutex<Option<Result<()>>>,
    interrupt: Interrupt,
    watch: Watch,
}

/// What a job does, read from `start`'s arguments.
struct Spec {
    kind: String,
    out: PathBuf,
    config: Option<Config>,
    force: bool,
    t_end: Option<f64>,
    params: Vec<Param>,
    analyze_run: bool,
    config_text: Option<String>,
}

/// Starts a job of `kind`: `run`, `resume`, `equilibrium`, `analyze`,
/// `particles`, `particles_resume` or `sweep`, writing into `out`.
/// `config` is TOML text (all but the resumptions); `t_end` a later end
/// for a resumption; `params` the sweep's `--param` specs; `analyze_run`
/// `mflda analyze --run`. `quiet` silences progress.
#[pyfunction]
#[pyo3(signature = (kind, out, config=None, force=false, quiet=false, t_end=None, params=Vec::new(), analyze_run=false))]
#[allow(clippy::too_many_arguments)]
pub fn start(
    py: Python<'_>,
    kind: &str,
    out: PathBuf,
    config: Option<String>,
    force: bool,
    quiet: bool,
    t_end: Option<f64>,
    params: Vec<String>,
    analyze_run: bool,
) -> PyResult<Job> {
    let known = [
        "run",
        "resume",
        "equilibrium",
        "analyze",
        "particles",
        "particles_resume",
        "sweep",
    ];
    if !known.contains(&kind) {
        return Err(UsageError::new_err(format!(
            "unknown job {kind:?}; one of {}",
            known.join(", ")
        )));
    }
    let parsed = match &config {
        Some(text) => Some(Config::from_toml_str(text, "the config").map_err(to_py)?),
        None => None,
    };
    let params = params
        .iter()
        .map(|p| Param::parse(p))
        .collect::<Result<Vec<_>>>()
        .map_err(to_py)?;
    let ctx = context(py)?;
    let watch = Watch::new();
    let interrupt = Interrupt::new().watched(watch.clone());
    let spec = Spec {
        kind: kind.to_string(),
        out,
        config: parsed,
        force,
        t_end,
        params,
        analyze_run,
        config_text: config,
    };
    let opts = RunOptions {
        out: spec.out.clone(),
        force,
        quiet,
        interrupt: interrupt.clone(),
        equilibrium_from: None,
    };
    let handle = std::thread::Builder::new()
        .name(format!("mflda-{kind}"))
        .spawn(move || execute(&ctx, &spec, &opts))
        .map_err(|e| UsageError::new_err(format!("cannot start a thread: {e}")))?;
    Ok(Job {
        handle: Mutex::new(Some(handle)),
        outcome: Mutex::new(None),
        interrupt,
        watch,
    })
}

fn need_config(spec: &Spec) -> Result<&Config> {
    spec.config
        .as_ref()
        .ok_or_else(|| mflda::Error::Usage(format!("a {} job needs a config", spec.kind)))
}

fn execute(ctx: &Arc<GpuContext>, spec: &Spec, opts: &RunOptions) -> Result<()> {
    let ctx: &GpuContext = ctx;
    match spec.kind.as_str() {
        "run" => mflda::run::execute(ctx, need_config(spec)?, opts).map(drop),
        "resume" => match spec.t_end {
            Some(t) => mflda::run::extend(ctx, &spec.out, t, opts).map(drop),
            None => mflda::run::resume(ctx, &spec.out, opts).map(drop),
        },
        "equilibrium" => mflda::run::equilibrium_only(ctx, need_config(spec)?, opts).map(drop),
        "analyze" => {
            let dir = RunDir::create(&spec.out, spec.force)?;
            let result = mflda::analysis::analyze::analyze(
                ctx,
                need_config(spec)?,
                &dir,
                spec.analyze_run,
                opts.quiet,
                &opts.interrupt,
            );
            if result.is_err() {
                dir.discard();
            }
            result.map(drop)
        }
        "particles" => mflda::particles::run::execute(ctx, need_config(spec)?, opts).map(drop),
        "particles_resume" => {
            mflda::particles::resume::resume(ctx, &spec.out, spec.t_end, opts).map(drop)
        }
        "sweep" => sweep(ctx, spec, opts),
        other => Err(mflda::Error::Usage(format!("unknown job {other:?}"))),
    }
}

/// A sweep of the config over `spec.params`; its config is written into a
/// temporary file for [`Sweep::new`], which reads it (not into `out`,
/// where it could replace an earlier sweep's before that is refused).
fn sweep(ctx: &GpuContext, spec: &Spec, opts: &RunOptions) -> Result<()> {
    let text = spec
        .config_text
        .as_deref()
        .ok_or_else(|| mflda::Error::Usage("a sweep job needs a config".into()))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let file =
        std::env::temp_dir().join(format!("mflda-sweep-{}-{stamp}.toml", std::process::id()));
    mflda::output::write_atomic(&file, text.as_bytes())?;
    let sweep = Sweep::new(
        Some(Path::new(&file)),
        Vec::new(),
        spec.params.clone(),
        &spec.out,
    );
    let _ = std::fs::remove_file(&file);
    let sweep = sweep?;
    let options = SweepOptions {
        force: spec.force,
        quiet: opts.quiet,
        converged_ratio: mflda::sweep::DEFAULT_CONVERGED_RATIO,
        interrupt: opts.interrupt.clone(),
    };
    let total = sweep.points().len() as u64;
    let mut finished = 0u64;
    let watch = opts.interrupt.watch().cloned();
    run_sweep(ctx, &sweep, &options, &mut |_, record| {
        finished += 1;
        if let Some(w) = watch.as_ref().filter(|_| !opts.quiet) {
            w.progress(
                "points",
                finished,
                total,
                0.0,
                &format!("{:?}", record.status),
            );
        }
    })
    .map(drop)
}

#[pymethods]
impl Job {
    /// Waits up to `timeout` seconds (`None`: until it ends) with the GIL
    /// released; whether the job has ended.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> bool {
        let deadline = timeout
            .filter(|t| t.is_finite())
            .map(|t| Instant::now() + Duration::from_secs_f64(t.max(0.0)));
        py.detach(|| loop {
            let done = match self
                .handle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            {
                Some(h) => h.is_finished(),
                // Taken by `result`, which may still be joining it.
                None => self
                    .outcome
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_some(),
            };
            if done {
                return true;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        })
    }

    /// What the job published since the last poll: a dict of `phase`,
    /// `done`, `total`, `t`, `note` and `lines` (messages).
    fn poll<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.watch.take();
        let d = PyDict::new(py);
        d.set_item("phase", s.phase)?;
        d.set_item("done", s.done)?;
        d.set_item("total", s.total)?;
        d.set_item("t", s.t)?;
        d.set_item("note", s.note)?;
        d.set_item("lines", s.lines)?;
        Ok(d)
    }

    /// Asks the job to stop (a run: after its current steps, writing a
    /// checkpoint; an equilibrium or analysis: at once).
    fn stop(&self) {
        self.interrupt.request();
    }

    /// Waits for the end and raises the job's error, if any (each call
    /// raises it again).
    fn result(&self, py: Python<'_>) -> PyResult<()> {
        let handle = self.handle.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            let outcome = py.detach(|| {
                h.join().unwrap_or_else(|_| {
                    Err(mflda::Error::Internal("the job's thread panicked".into()))
                })
            });
            *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
        }
        let outcome = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        match outcome.as_ref() {
            Some(Ok(())) | None => Ok(()),
            Some(Err(e)) => Err(to_py(clone_error(e))),
        }
    }
}

/// A copy of `e` of the same kind and message (the library's error holds
/// an I/O error, which does not clone).
fn clone_error(e: &mflda::Error) -> mflda::Error {
    use mflda::Error as E;
    match e {
        E::Adapter(m) => E::Adapter(m.clone()),
        E::Device(m) => E::Device(m.clone()),
        E::Grid(m) => E::Grid(m.clone()),
        E::Shader { module, message } => E::Shader {
            module: module.clone(),
            message: message.clone(),
        },
        E::Config { field, message } => E::Config {
            field: field.clone(),
            message: message.clone(),
        },
        E::Expression { field, message } => E::Expression {
            field: field.clone(),
            message: message.clone(),
        },
        E::Data { field, message } => E::Data {
            field: field.clone(),
            message: message.clone(),
        },
        E::BlowUp(m) => E::BlowUp(m.clone()),
        E::Interrupted(m) => E::Interrupted(m.clone()),
        E::Io { context, source } => E::Io {
            context: context.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        E::Usage(m) => E::Usage(m.clone()),
        E::Internal(m) => E::Internal(m.clone()),
    }
}
