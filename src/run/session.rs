//! The time-stepping loop of one session of a run (fresh or resumed): steps in
//! chunks without readback, metrics, snapshots and checkpoints on schedule,
//! blow-up detection that keeps the last good state, and a stop flag that
//! turns a signal into a checkpoint.

use web_time::Instant;

use serde::{Deserialize, Serialize};

use crate::dynamics::stability::StepEstimate;
use crate::dynamics::Stepper;
use crate::gpu::GpuContext;
use crate::interrupt::{Batcher, Interrupt};
use crate::metrics::{Metrics, MetricsRow};
use crate::output::{write_npy_f32, Checkpoint, MetricsCsv, RunDir};
use crate::plan::Plan;
use crate::run::frames::{FrameLimits, Frames};
use crate::run::step::step_time;
use crate::run::summary::{EquilibriumSummary, Summary};
use crate::run::Progress;
use crate::{Error, Result};

/// The most steps recorded per submission; the loop syncs after each and
/// sizes them ([`Batcher`]) to about a quarter of a second, which bounds the
/// work queued ahead of a stop signal. Submission sizes do not change the
/// states.
const CHUNK: u32 = 64;

/// What a checkpoint carries besides the state and the equilibrium.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CheckpointMeta {
    pub first: MetricsRow,
    pub last: MetricsRow,
    pub peak: f64,
    pub equilibrium: EquilibriumSummary,
    #[serde(default)]
    pub frame_limits: Option<FrameLimits>,
    /// The step-size estimate of the run's start (absent in checkpoints
    /// written before it was recorded).
    #[serde(default)]
    pub estimate: Option<StepEstimate>,
}

/// Everything the loop needs, set up by a fresh start or a resume.
pub(crate) struct Session<'a> {
    pub ctx: &'a GpuContext,
    /// The run's plan, its time step fixed.
    pub plan: Plan,
    pub dir: RunDir,
    pub stepper: Stepper,
    pub metrics: Metrics,
    pub csv: MetricsCsv,
    pub meta: CheckpointMeta,
    /// `[log rho_s*]` (host copy, for checkpoints).
    pub eq_logs: Vec<f32>,
    /// The GPU memory this session needs at its peak ([`crate::run::RunMemory`]).
    pub gpu_memory_bytes: u64,
    /// Steps done.
    pub k: u64,
    pub interrupt: Interrupt,
    pub quiet: bool,
    pub frames: Option<Frames>,
    /// Set when the distance fell below `time.stop_below`.
    pub stopped_below: bool,
}

impl Session<'_> {
    /// The time after `k` steps ([`step_time`]): the same in a run and in
    /// any extension of it, and exactly `t_end` after the last step of a
    /// run that lands on it.
    fn t(&self, k: u64) -> f64 {
        step_time(k, self.dt(), self.plan.config().time.t_end)
    }

    /// The run's time step.
    fn dt(&self) -> f64 {
        self.plan.config().time.step()
    }

    fn estimate(&self) -> StepEstimate {
        self.meta.estimate.unwrap_or(StepEstimate {
            speed: f64::NAN,
            coupling: f64::NAN,
            wavenumber: f64::NAN,
            dt_max: f64::NAN,
        })
    }

    /// Runs from `self.k` to the end of the schedule; the frames in flight are
    /// written whatever happens.
    pub fn run(mut self) -> Result<Summary> {
        let frames = self.frames.take();
        let result = self.steps(frames.as_ref());
        let written = frames.map_or(Ok(()), Frames::finish);
        let summary = result?;
        written?;
        Ok(summary)
    }

    fn steps(mut self, frames: Option<&Frames>) -> Result<Summary> {
        let schedule = self.plan.schedule();
        let start_step = self.k;
        let dt = self.dt();
        let wall_every = self.plan.config().output.checkpoint_wall.unwrap_or(0.0);
        let good = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("run.last_good_state"),
            size: self.stepper.state.bytes(),
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.copy_state(&self.stepper.state.buffer, &good);
        let mut good_t = self.t(self.k);

        if self.k == 0 && schedule.snapshot_at(0) {
            self.snapshot(0.0)?;
        }
        let mut progress =
            Progress::new(schedule.steps, dt, self.quiet).watched(self.interrupt.watch());
        progress.update(self.k, "");
        let start = Instant::now();
        let mut last_checkpoint = Instant::now();
        let mut batcher = Batcher::new(CHUNK);
        let mut note = String::new();
        while self.k < schedule.steps {
            let left = (schedule.next_event(self.k) - self.k).min(u64::from(CHUNK)) as u32;
            let batch = batcher.next(left);
            let started = Instant::now();
            self.stepper.advance(self.ctx, batch);
            self.ctx.wait()?;
            batcher.done(started, batch);
            self.k += u64::from(batch);
            let (k, t) = (self.k, self.t(self.k));
            if schedule.metrics_at(k) {
                let row = self.metrics.measure(self.ctx, &self.stepper, t)?;
                self.csv.append(&row.values())?;
                if let Some(why) = check_row(&row, &self.meta.first, self.meta.peak) {
                    progress.finish();
                    return Err(self.blow_up(&good, good_t, &why));
                }
                let joint = row.joint_l2();
                self.meta.last = row;
                self.copy_state(&self.stepper.state.buffer, &good);
                good_t = t;
                note = format!("L2 {joint:.2e}");
                if self
                    .plan
                    .config()
                    .time
                    .stop_below
                    .is_some_and(|limit| joint < limit)
                    && k < schedule.steps
                {
                    self.stopped_below = true;
                }
            }
            progress.update(k, &note);
            if schedule.snapshot_at(k) {
                self.snapshot(t)?;
            }
            if let Some(f) = frames.filter(|_| schedule.frame_at(k)) {
                f.render(self.ctx, &self.stepper, k / schedule.frames, t)?;
            }
            let wall_due =
                wall_every > 0.0 && last_checkpoint.elapsed().as_secs_f64() >= wall_every;
            if (schedule.checkpoint_at(k) || wall_due) && k < schedule.steps {
                self.checkpoint()?;
                last_checkpoint = Instant::now();
            }
            if self.stopped_below {
                if !self.quiet {
                    progress.finish();
                    eprintln!(
                        "the joint L2 distance fell below time.stop_below = {:e} at t = {t}: \
                         stopping early",
                        self.plan.config().time.stop_below.unwrap_or(0.0)
                    );
                }
                break;
            }
            if self.interrupt.is_requested() && k < schedule.steps {
                progress.finish();
                let path = self.checkpoint()?;
                return Err(Error::Interrupted(format!(
                    "interrupted at t = {t:.6} (step {k} of {}); checkpoint written to {}. \
                     Resume with: mflda run --resume {}",
                    schedule.steps,
                    path.display(),
                    self.dir.path().display()
                )));
            }
        }
        let wall = start.elapsed().as_secs_f64();
        progress.finish();
        // The end state, so that the run can be extended (`--t-end`).
        if schedule.checkpoints > 0 || wall_every > 0.0 {
            self.checkpoint()?;
        }
        self.finish(start_step, wall)
    }

    fn copy_state(&self, from: &wgpu::Buffer, to: &wgpu::Buffer) {
        let mut encoder = self.ctx.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(from, 0, to, 0, self.stepper.state.bytes());
        self.ctx.queue.submit([encoder.finish()]);
    }

    /// Restores the last good state, writes it as a snapshot, and explains.
    fn blow_up(&self, good: &wgpu::Buffer, good_t: f64, why: &str) -> Error {
        self.copy_state(good, &self.stepper.state.buffer);
        let kept = match self.snapshot(good_t) {
            Ok(()) => format!(
                "the last good state (t = {good_t:.6}) is in {}",
                self.dir.snapshot_path(&self.names()[0], good_t).display()
            ),
            Err(e) => format!("the last good state could not be written: {e}"),
        };
        let dt = self.dt();
        Error::BlowUp(format!(
            "the run blew up between t = {good_t:.6} and t = {:.6} (step {}): {why}. \
                 The explicit part is probably unstable at dt = {dt}: try `--set \
                 time.dt={:.3e}` or `--set time.dt=auto` (the estimated stable step is {:.3e}, \
                 docs/MATHEMATICS.md section 3.1). Metrics up to the blow-up are in {}; {kept}",
            self.t(self.k),
            self.k,
            dt / 4.0,
            self.estimate().dt_max,
            self.dir.file("metrics.csv").display()
        ))
    }

    /// The species names (`mu`, `nu` for the game).
    fn names(&self) -> Vec<String> {
        self.plan.names()
    }

    fn snapshot(&self, t: f64) -> Result<()> {
        let rho = self.stepper.species_densities(self.ctx)?;
        let shape = super::npy_shape(self.stepper.params.shape);
        self.dir.ensure_snapshots()?;
        for (name, r) in self.names().iter().zip(&rho) {
            write_npy_f32(&self.dir.snapshot_path(name, t), &shape, r)?;
        }
        Ok(())
    }

    /// Writes a checkpoint of the current state (atomically; the two newest kept).
    fn checkpoint(&self) -> Result<std::path::PathBuf> {
        let meta = serde_json::to_value(&self.meta)
            .map_err(|e| Error::io("encoding checkpoint metadata", std::io::Error::other(e)))?;
        Checkpoint {
            step: self.k,
            t: self.t(self.k),
            config_hash: self.plan.hash(),
            arrays: vec![
                ("state".into(), self.stepper.read_state(self.ctx)?),
                ("eq_logs".into(), self.eq_logs.clone()),
            ],
            meta,
        }
        .write(self.dir.path())
    }

    fn finish(self, start_step: u64, wall: f64) -> Result<Summary> {
        let rho = self.stepper.species_densities(self.ctx)?;
        let shape = super::npy_shape(self.stepper.params.shape);
        for (name, r) in self.names().iter().zip(&rho) {
            write_npy_f32(&self.dir.file(&format!("{name}_final.npy")), &shape, r)?;
        }
        let csv = self.dir.file("metrics.csv");
        let fits = crate::render::plot::fit_all(&csv)?;
        // W2 itself is drawn whenever it was measured.
        let mut drawn = crate::render::plot::DEFAULT_METRICS.to_vec();
        if self.metrics.w2().is_some() {
            drawn.push("w2");
        }
        crate::render::plot::metrics_plot(
            &csv,
            &self.dir.file("metrics.png"),
            &self.dir.file("metrics.svg"),
            &fits,
            &drawn,
        )?;
        let p = &self.plan.problem;
        let steps = self.k - start_step;
        let summary = Summary {
            version: env!("CARGO_PKG_VERSION"),
            adapter: self.ctx.report(),
            dim: p.params.shape.dim(),
            n: p.params.shape.n1,
            length: p.params.length,
            steps: self.k,
            resumed_from_step: start_step,
            dt: self.dt(),
            t_end: self.t(self.k),
            stop: if self.stopped_below {
                "stop-below"
            } else {
                "t-end"
            },
            stop_below: self.plan.config().time.stop_below,
            wall_time_s: wall,
            steps_per_s: steps as f64 / wall.max(1e-9),
            step_estimate: self.estimate(),
            gpu_memory_bytes: self.gpu_memory_bytes,
            interaction_truncation_error: p
                .truncations
                .iter()
                .fold(0.0, |m, (_, _, e)| f64::max(m, *e)),
            equilibrium: self.meta.equilibrium.clone(),
            final_metrics: self.meta.last,
            rate_fits: fits.into_iter().collect(),
        };
        self.dir.write_json("summary.json", &summary)?;
        Ok(summary)
    }
}

/// Why the stepping must stop, checked on every metrics row.
pub(crate) fn check_row(row: &MetricsRow, first: &MetricsRow, peak: f64) -> Option<String> {
    if !row.is_finite() {
        return Some("a metric is not finite (NaN or infinity)".into());
    }
    for (name, now) in &row.species {
        let Some((_, then)) = first.species.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let (m, m0) = (now.mass, then.mass);
        if (m - m0).abs() > 1e-4 * m0.abs() {
            return Some(format!("the mass of {name} drifted from {m0} to {m}"));
        }
    }
    let top = row.species.iter().fold(0.0f64, |t, (_, s)| t.max(s.max));
    if top > 1e4 * peak {
        return Some(format!(
            "the densities grew to {top:e}, {:.0e} times the equilibrium's peak",
            top / peak
        ));
    }
    None
}
