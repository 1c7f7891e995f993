//! A whole particle run (`mflda particles`) from a [`Plan`]: the stationary
//! state, the initial densities and particles drawn from them, the Langevin
//! steps, and beside them (`particles.compare`) the grid flow from the same
//! densities. metrics.csv compares the particles with the grid and with the
//! stationary state by the debiased Fourier MMD (docs/MATHEMATICS.md section
//! 9) over the modes `|k_i| <= MMD_K_MAX` with the Gaussian weight of width
//! [`MMD_WIDTH`] modes (the grid density read as cells, as the initial
//! particles are drawn; the stationary density as smooth, as the particles'
//! invariant law is); `particles/<species>_<t>.npy` holds the positions
//! (and, when the weights move, the normalised weights as a last column).
//! Weighted particles are measured by their normalised measure
//! `sum_j w_j delta_{X_j} / sum_j w_j`, and their MMD noise term takes
//! Kish's effective sample size `(sum w)^2 / sum w^2` for n. Frames,
//! checkpoints and the resumption ([`super::resume`]) follow the run's
//! schedules as a grid run's do.

use std::collections::BTreeMap;
use web_time::Instant;

use num_complex::Complex64;

use crate::config::{Config, ParticlesConfig};
use crate::dynamics::Stepper;
use crate::equilibrium::species_from_logs;
use crate::gpu::GpuContext;
use crate::output::{write_npy_f32, Checkpoint, MetricsCsv, RunDir};
use crate::particles::drift::Drift;
use crate::particles::frames::ParticleFrames;
use crate::particles::grid_moments::GridMoments;
use crate::particles::init::{point_moments, sample_density};
use crate::particles::langevin::{LangevinOptions, LangevinStepper, SpeciesRates};
use crate::particles::mmd::{fourier_mmd, gaussian_weight, half_modes};
use crate::particles::moments::Moments;
use crate::particles::summary::{columns, weight_sums, ParticleSummary};
use crate::particles::weight_sums::WeightSums;
use crate::plan::Plan;
use crate::render::plot::{metrics_plot, PARTICLE_METRICS};
use crate::run::frames::FrameLimits;
use crate::run::{equilibrium, warn, Progress, RunOptions};
use crate::{Error, Result};

/// Largest |wave number| per axis of the MMD's modes.
pub const MMD_K_MAX: i32 = 6;
/// Width, in modes, of the MMD's Gaussian weight `exp(-|k|^2 / (2 w^2))`.
pub const MMD_WIDTH: f64 = 2.0;
/// Folder of the particle snapshots in a run directory.
pub const PARTICLES_DIR: &str = "particles";
/// `kind` in a particle run's checkpoint metadata.
pub const CHECKPOINT_KIND: &str = "particles";

/// The particle counts per species of `particles.n`, checked against what
/// one binding of this device holds.
pub fn counts(ctx: &GpuContext, plan: &Plan, particles: &ParticlesConfig) -> Result<Vec<u32>> {
    let limit = ctx.max_binding_bytes() / 8;
    plan.names()
        .iter()
        .map(|name| {
            let n = particles.n.of(name);
            if u64::from(n) > limit {
                return Err(Error::config(
                    "particles.n",
                    format!(
                        "{n} particles of `{name}` do not fit this device: one binding holds \
                         at most {limit} positions; lower n"
                    ),
                ));
            }
            Ok(n)
        })
        .collect()
}

/// `mflda particles`: everything from t = 0 into `opts.out`. Bad input is
/// refused before the run directory is made; a directory this call made is
/// removed again if the setup fails.
pub fn execute(ctx: &GpuContext, config: &Config, opts: &RunOptions) -> Result<ParticleSummary> {
    let plan = Plan::new(ctx, &config.particles_companion()?)?;
    let particles = config.particles_or_default();
    let counts = counts(ctx, &plan, &particles)?;
    let drift = Drift::resolve(&plan, &particles, &counts)?;
    if let Some(w) = drift.warning(&counts) {
        eprintln!("{w}");
    }
    let dir = RunDir::create(&opts.out, opts.force)?;
    match Run::start(ctx, plan, particles, drift, counts, &dir, opts) {
        Ok(run) => run.finish(opts),
        Err(e) => {
            dir.discard();
            Err(e)
        }
    }
}

/// A particle run between its setup and its end.
pub(crate) struct Run<'a> {
    ctx: &'a GpuContext,
    plan: Plan,
    dir: RunDir,
    particles: ParticlesConfig,
    stepper: LangevinStepper,
    grid: Option<Stepper>,
    moments: Vec<Moments>,
    modes: Vec<[i32; 2]>,
    weights: Vec<f64>,
    eq_moments: Vec<Vec<Complex64>>,
    csv: MetricsCsv,
    last: Vec<f64>,
    /// Simulated time of the last metrics row.
    last_t: f64,
    /// Effective sample size per species at the last row.
    effective_n: Vec<f64>,
    /// `[log rho_s*]` on the grid (host copy, for checkpoints).
    eq_logs: Vec<f32>,
    /// Steps taken.
    k: u64,
    /// The step this session started from (0, or a checkpoint's).
    start_step: u64,
    /// The frames and their colour limits, when `output.frames_every` asks.
    frames: Option<(ParticleFrames, FrameLimits)>,
    /// The grid density's moments at the MMD's modes, from its state.
    grid_moments: Option<GridMoments>,
    /// The weights' sums, when they move.
    weight_sums: Option<WeightSums>,
}

/// Largest `alpha eta_s dt 2 sup|Phi_s|` accepted: the factor a weight can
/// change by in one step is `exp` of it (about 5e8), far inside f32.
pub const MAX_WEIGHT_EXPONENT: f64 = 20.0;

/// The step settings of `particles` for a plan whose step is set. Refuses a
/// Fisher-Rao step whose weight factor `exp(alpha eta_s dt 2 sup|Phi_s|)`
/// could overflow or underflow f32 ([`MAX_WEIGHT_EXPONENT`]), naming the
/// fix.
pub(crate) fn langevin_options(
    plan: &Plan,
    particles: &ParticlesConfig,
) -> Result<LangevinOptions> {
    let dt = plan.step().unwrap_or(f64::NAN);
    let options = LangevinOptions {
        dt,
        scheme: particles.scheme,
        seed: particles.seed,
        wg_size: 256,
        dynamics: particles.dynamics,
        alpha: particles.alpha.unwrap_or(0.0),
    };
    if options.weighted() {
        let system = plan.problem.system();
        let rate = system.species.iter().map(|s| s.rate).fold(0.0, f64::max);
        let spread = 2.0 * system.potential_bound(plan.problem.params.cell());
        let exponent = options.alpha * rate * dt * spread;
        if exponent > MAX_WEIGHT_EXPONENT {
            return Err(Error::config(
                "particles.alpha",
                format!(
                    "alpha = {} with time.dt = {dt} lets a weight change by exp({exponent:.1}) \
                     in one step (2 sup|Phi| = {spread:.3}, largest rate {rate}), beyond \
                     f32; lower alpha or time.dt so that alpha dt eta 2 sup|Phi| <= \
                     {MAX_WEIGHT_EXPONENT}",
                    options.alpha
                ),
            ));
        }
    }
    Ok(options)
}

impl<'a> Run<'a> {
    fn start(
        ctx: &'a GpuContext,
        mut plan: Plan,
        particles: ParticlesConfig,
        drift: Drift,
        counts: Vec<u32>,
        dir: &RunDir,
        opts: &RunOptions,
    ) -> Result<Self> {
        dir.write_text("config.toml", &plan.to_toml())?;
        warn(ctx, &plan)?;
        let (solver, _report, eq_logs) = equilibrium(ctx, &plan, dir, opts.quiet, &opts.interrupt)?;
        let stars = species_from_logs(&eq_logs, solver.species());
        drop(solver);
        let star_refs: Vec<&[f32]> = stars.iter().map(Vec::as_slice).collect();
        let start = plan.initial_species(ctx, &star_refs)?;
        if plan.step().is_none() {
            let estimate = plan.estimate_step(&stars, Some(&start));
            let choice = plan.choose_step(&estimate);
            if let Some(note) = &choice.note {
                opts.say(note);
            }
            plan.set_step(choice.dt)?;
        }
        dir.write_text("config.toml", &plan.to_toml())?;
        let params = &plan.problem.params;
        let (shape, length) = (params.shape, params.length);
        let mut x0 = Vec::with_capacity(counts.len());
        for (s, (name, &n)) in plan.names().iter().zip(&counts).enumerate() {
            x0.push(sample_density(
                &format!("the initial density of `{name}`"),
                &start[s],
                shape,
                length,
                particles.seed,
                s as u32,
                n,
            )?);
        }
        let rates = SpeciesRates::of(plan.problem.system());
        let options = langevin_options(&plan, &particles)?;
        let stepper = LangevinStepper::new(ctx, drift, &rates, &x0, options)?;
        drop(x0);
        let grid = if particles.compare {
            let g = plan.stepper(ctx, &star_refs)?;
            let refs: Vec<&[f32]> = start.iter().map(Vec::as_slice).collect();
            g.set_species_densities(ctx, &refs)?;
            Some(g)
        } else {
            None
        };
        let columns = columns(&plan.names(), shape.dim(), particles.compare);
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let csv = MetricsCsv::create(&dir.file("metrics.csv"), &names)?;
        let star_refs: Vec<&[f32]> = stars.iter().map(Vec::as_slice).collect();
        let start_refs: Vec<&[f32]> = start.iter().map(Vec::as_slice).collect();
        let limits = FrameLimits::new(&plan.config().output, &star_refs, &start_refs)?;
        let mut run = Run::assemble(
            ctx, plan, dir, particles, stepper, grid, &stars, eq_logs, csv, 0,
        )?
        .with_frames(Some(limits))?;
        run.frame(0, 0.0)?;
        run.row(0.0)?;
        if run.plan.schedule().snapshots > 0 {
            run.snapshot(0.0)?;
        }
        Ok(run)
    }

    /// The run around a stepper and grid flow in their state at step `k`:
    /// the metrics' moments and weights, the stationary state's moments
    /// (from `stars`, one density per species, and `eq_logs`, their logs).
    #[allow(
        clippy::too_many_arguments,
        reason = "the parts of a run, built by start and resume"
    )]
    pub(crate) fn assemble(
        ctx: &'a GpuContext,
        plan: Plan,
        dir: &RunDir,
        particles: ParticlesConfig,
        stepper: LangevinStepper,
        grid: Option<Stepper>,
        stars: &[Vec<f32>],
        eq_logs: Vec<f32>,
        csv: MetricsCsv,
        k: u64,
    ) -> Result<Self> {
        let params = &plan.problem.params;
        let (shape, length) = (params.shape, params.length);
        let modes = half_modes(shape.dim(), MMD_K_MAX);
        let weights: Vec<f64> = modes
            .iter()
            .map(|&k| gaussian_weight(k, MMD_WIDTH))
            .collect();
        let moments = (0..stepper.species())
            .map(|s| {
                Moments::new(
                    ctx,
                    stepper.positions_buffer(s),
                    stepper.weights_buffer(s),
                    stepper.count(s),
                    length,
                    &modes,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        // The particles' invariant law is the smooth stationary density: its
        // moments without the cells' sinc.
        let eq_moments = stars
            .iter()
            .map(|r| point_moments(r, shape, length, &modes))
            .collect();
        let weight_sums = if stepper.weighted() {
            Some(WeightSums::new(ctx, &stepper, length)?)
        } else {
            None
        };
        let grid_moments = match &grid {
            Some(g) => Some(GridMoments::new(ctx, g, &modes, shape, length, stars)?),
            None => None,
        };
        Ok(Run {
            ctx,
            plan,
            dir: dir.clone(),
            particles,
            stepper,
            grid,
            moments,
            modes,
            weights,
            eq_moments,
            csv,
            last: Vec::new(),
            last_t: f64::NAN,
            effective_n: Vec::new(),
            eq_logs,
            k,
            start_step: k,
            frames: None,
            grid_moments,
            weight_sums,
        })
    }

    /// Draws frames with the colour `limits` when the schedule has any.
    pub(crate) fn with_frames(mut self, limits: Option<FrameLimits>) -> Result<Self> {
        if self.plan.schedule().frames > 0 {
            if let Some(limits) = limits {
                let frames = ParticleFrames::new(&self.plan, &limits, self.dir.path())?;
                self.frames = Some((frames, limits));
            }
        }
        Ok(self)
    }

    /// Renders frame `index` at time `t`, when there are frames.
    fn frame(&self, index: u64, t: f64) -> Result<()> {
        match &self.frames {
            Some((f, _)) => f.render(self.ctx, &self.stepper, self.grid.as_ref(), index, t),
            None => Ok(()),
        }
    }

    /// The last metrics row written (a resumed run's, read back).
    pub(crate) fn set_last(&mut self, row: Vec<f64>) {
        self.last_t = row.first().copied().unwrap_or(f64::NAN);
        self.last = row;
    }

    /// Writes a checkpoint of the current state (atomically; the two newest
    /// kept): every species' positions `x_<s>` and weights `w_<s>`, the grid
    /// flow's state `grid` when compared, the stationary log-densities.
    fn checkpoint(&self) -> Result<std::path::PathBuf> {
        let ctx = self.ctx;
        let mut arrays = vec![("eq_logs".to_string(), self.eq_logs.clone())];
        for (s, name) in self.plan.names().iter().enumerate() {
            let x = self.stepper.positions(ctx, s)?;
            arrays.push((format!("x_{name}"), x.into_iter().flatten().collect()));
            arrays.push((format!("w_{name}"), self.stepper.weights(ctx, s)?));
        }
        if let Some(g) = &self.grid {
            arrays.push(("grid".into(), g.read_state(ctx)?));
        }
        Checkpoint {
            step: self.k,
            t: self.k as f64 * self.plan.step().unwrap_or(f64::NAN),
            config_hash: self.plan.hash(),
            arrays,
            meta: serde_json::json!({
                "kind": CHECKPOINT_KIND,
                "last_t": self.last_t,
                "frame_limits": self.frames.as_ref().map(|f| f.1),
            }),
        }
        .write(self.dir.path())
    }

    /// The first moments' indices in the MMD's modes: (1, 0), and (0, 1) in 2D.
    fn first_modes(&self) -> Vec<usize> {
        let wanted: &[[i32; 2]] = if self.plan.problem.params.shape.dim() == 2 {
            &[[1, 0], [0, 1]]
        } else {
            &[[1, 0]]
        };
        wanted
            .iter()
            .map(|k| self.modes.iter().position(|m| m == k).expect("in the box"))
            .collect()
    }

    /// Measures and appends one metrics row at time `t`.
    fn row(&mut self, t: f64) -> Result<()> {
        let ctx = self.ctx;
        let grid = match (&self.grid, &self.grid_moments) {
            (Some(g), Some(m)) => Some(m.measure(ctx, g)?),
            _ => None,
        };
        let first = self.first_modes();
        let mut row = vec![t];
        self.effective_n.clear();
        for s in 0..self.moments.len() {
            let mut m = self.moments[s].measure(ctx)?;
            let mut n = f64::from(self.stepper.count(s));
            if let Some(sums) = &self.weight_sums {
                let (total, n_eff) = sums.measure(ctx, s)?;
                m.iter_mut().for_each(|z| *z /= total);
                n = n_eff;
            }
            self.effective_n.push(n);
            let to_eq = fourier_mmd(&m, &self.eq_moments[s], &self.weights, n);
            let grid_m = grid.as_ref().map(|g| &g[s]);
            if let Some(gm) = &grid_m {
                let d = fourier_mmd(&m, gm, &self.weights, n);
                row.extend([d.raw, d.noise, d.debiased]);
            } else {
                row.push(to_eq.noise);
            }
            row.extend([to_eq.raw, to_eq.debiased]);
            for &j in &first {
                row.extend([m[j].re, m[j].im]);
                if let Some(gm) = &grid_m {
                    row.extend([gm[j].re, gm[j].im]);
                }
            }
        }
        self.csv.append(&row)?;
        self.last = row;
        self.last_t = t;
        Ok(())
    }

    /// Writes `particles/<species>_<t>.npy`: the positions, `(n, dim)` f32,
    /// or `(n, dim + 1)` with the weights (normalised to sum to one) last
    /// when they move.
    fn snapshot(&self, t: f64) -> Result<()> {
        let folder = self.dir.file(PARTICLES_DIR);
        std::fs::create_dir_all(&folder)
            .map_err(|e| Error::io(format!("creating {}", folder.display()), e))?;
        let dim = self.plan.problem.params.shape.dim() as usize;
        for (s, name) in self.plan.names().iter().enumerate() {
            let x = self.stepper.positions(self.ctx, s)?;
            let path = folder.join(format!("{name}_{t:012.6}.npy"));
            if self.stepper.weighted() {
                let w = self.stepper.weights(self.ctx, s)?;
                let (total, _) = weight_sums(&w);
                let flat: Vec<f32> = x
                    .iter()
                    .zip(&w)
                    .flat_map(|(p, &w)| {
                        let mut r = p[..dim].to_vec();
                        r.push((f64::from(w) / total) as f32);
                        r
                    })
                    .collect();
                write_npy_f32(&path, &[x.len(), dim + 1], &flat)?;
            } else {
                let flat: Vec<f32> = x.iter().flat_map(|p| p[..dim].to_vec()).collect();
                write_npy_f32(&path, &[x.len(), dim], &flat)?;
            }
        }
        Ok(())
    }

    /// Steps to the end, then writes summary.json and metrics.png. Metrics
    /// rows, snapshots and checkpoints follow the schedules (and
    /// `output.checkpoint_wall`); an interrupt writes a checkpoint after the
    /// current steps and returns [`Error::Interrupted`] with the command
    /// that resumes the run.
    pub(crate) fn finish(mut self, opts: &RunOptions) -> Result<ParticleSummary> {
        let schedule = self.plan.schedule();
        let dt = self.plan.step().expect("set at the start");
        let wall_every = self.plan.config().output.checkpoint_wall.unwrap_or(0.0);
        let mut progress =
            Progress::new(schedule.steps, dt, opts.quiet).watched(opts.interrupt.watch());
        progress.update(self.k, "");
        let began = Instant::now();
        let mut last_checkpoint = Instant::now();
        while self.k < schedule.steps {
            let next = schedule.next_event(self.k).min(self.k + 256);
            let steps = next - self.k;
            self.stepper.advance(self.ctx, steps);
            if let Some(g) = &self.grid {
                g.advance(self.ctx, steps as u32);
            }
            self.k = next;
            let (k, t) = (self.k, self.k as f64 * dt);
            if schedule.metrics_at(k) {
                self.row(t)?;
            }
            if schedule.snapshot_at(k) {
                self.snapshot(t)?;
            }
            if schedule.frame_at(k) {
                self.frame(k / schedule.frames, t)?;
            }
            progress.update(k, "");
            let wall_due =
                wall_every > 0.0 && last_checkpoint.elapsed().as_secs_f64() >= wall_every;
            if (schedule.checkpoint_at(k) || wall_due) && k < schedule.steps {
                self.checkpoint()?;
                last_checkpoint = Instant::now();
            }
            if opts.interrupt.is_requested() && k < schedule.steps {
                progress.finish();
                let path = self.checkpoint()?;
                return Err(Error::Interrupted(format!(
                    "interrupted at t = {t:.6} (step {k} of {}); checkpoint written to {}. \
                     Resume with: mflda particles --resume {}",
                    schedule.steps,
                    path.display(),
                    self.dir.path().display()
                )));
            }
        }
        self.ctx.wait()?;
        let wall = began.elapsed().as_secs_f64();
        progress.finish();
        // The end state, so that the run can be extended (`--t-end`).
        if schedule.checkpoints > 0 || wall_every > 0.0 {
            self.checkpoint()?;
        }
        let k = self.k;
        let names = self.plan.names();
        let per = |f: &dyn Fn(usize) -> f64| -> BTreeMap<String, f64> {
            names
                .iter()
                .enumerate()
                .map(|(s, n)| (n.clone(), f(s)))
                .collect()
        };
        let column = |name: &str| self.csv.columns().iter().position(|c| c == name);
        let value = |name: String| {
            column(&name)
                .and_then(|i| self.last.get(i).copied())
                .unwrap_or(f64::NAN)
        };
        let tables = self.stepper.tables();
        let summary = ParticleSummary {
            steps: k,
            dt,
            t: k as f64 * dt,
            particles: names
                .iter()
                .enumerate()
                .map(|(s, n)| (n.clone(), self.stepper.count(s)))
                .collect(),
            dynamics: self.particles.dynamics.as_str().into(),
            alpha: self
                .stepper
                .weighted()
                .then_some(self.particles.alpha)
                .flatten(),
            effective_n: per(&|s| self.effective_n.get(s).copied().unwrap_or(f64::NAN)),
            scheme: self.particles.scheme.as_str().into(),
            drift: self.stepper.drift_method().as_str().into(),
            drift_modes: names
                .iter()
                .enumerate()
                .map(|(s, n)| (n.clone(), tables.rows[s].1 - tables.rows[s].0))
                .collect(),
            drift_dropped: per(&|s| tables.dropped[s]),
            bytes_per_step: self.stepper.bytes_per_step(),
            dispatches_per_step: self.stepper.dispatches_per_step(),
            final_mmd: if self.grid.is_some() {
                per(&|s| value(format!("mmddeb_{}", names[s])))
            } else {
                BTreeMap::new()
            },
            final_mmd_eq: per(&|s| value(format!("mmdeqdeb_{}", names[s]))),
            resumed_from_step: self.start_step,
            wall_time_s: wall,
            steps_per_s: (k - self.start_step) as f64 / wall.max(1e-9),
        };
        self.dir.write_json("summary.json", &summary)?;
        let csv = self.dir.file("metrics.csv");
        metrics_plot(
            &csv,
            &self.dir.file("metrics.png"),
            &self.dir.file("metrics.svg"),
            &[],
            &PARTICLE_METRICS,
        )?;
        opts.say(format!(
            "{k} steps in {wall:.1} s ({:.1} steps/s); outputs in {}",
            summary.steps_per_s,
            self.dir.path().display()
        ));
        Ok(summary)
    }
}
