//! A run driven step by step by its caller (the Python package's
//! `Simulation`, the browser explorer): the same plan, equilibrium, initial
//! densities, time step, stepper and metrics as [`crate::run::execute`],
//! with no run directory, schedule or frames; the caller decides when to
//! advance, read and measure.
//!
//! Every method that waits on the GPU is an `async fn`: a browser awaits it,
//! native code waits with [`crate::gpu::block`].

use web_time::Instant;

use crate::config::Config;
use crate::dynamics::Stepper;
use crate::equilibrium::species_from_logs;
use crate::gpu::GpuContext;
use crate::interrupt::{Batcher, Interrupt};
use crate::metrics::{Metrics, MetricsRow};
use crate::plan::Plan;
use crate::run::assembly::Assembly;
use crate::run::session::check_row;
use crate::run::step::step_time;
use crate::run::summary::EquilibriumSummary;
use crate::{Error, Result};

/// The most steps one submission of [`Simulation::advance`] records.
const CHUNK: u32 = 64;

/// The stepping half, built once the equilibrium is known.
struct Live {
    stepper: Stepper,
    metrics: Metrics,
    /// Steps done since the start.
    k: u64,
    /// The last measurement, while the state has not changed since.
    row: Option<MetricsRow>,
    /// The measurement of the start (or of the last densities set), which
    /// the blow-up check compares masses with.
    first: MetricsRow,
    /// The largest stationary density, which it compares growth with.
    peak: f64,
}

/// A run of one config, advanced on request.
pub struct Simulation {
    plan: Plan,
    /// `[log rho_s*]` (S fields of the grid) and the solve's summary.
    eq: Option<(Vec<f32>, EquilibriumSummary)>,
    live: Option<Live>,
}

impl Simulation {
    /// The plan of `config`; nothing is solved yet.
    pub async fn new(ctx: &GpuContext, config: &Config) -> Result<Self> {
        Ok(Simulation {
            plan: Plan::new_async(ctx, config).await?,
            eq: None,
            live: None,
        })
    }

    /// The plan (config, species, grid).
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The species' names, in state order.
    pub fn names(&self) -> Vec<String> {
        self.plan.names()
    }

    /// The grid's shape `(n2, n1)` (`n2 = 1` in 1D).
    pub fn shape(&self) -> (usize, usize) {
        let s = self.plan.problem.params.shape;
        (s.n2 as usize, s.n1 as usize)
    }

    /// The stationary state `rho_s* = exp(log rho_s*)`, one grid per
    /// species, and the solve's summary; solved on the first call
    /// (`interrupt` stops it), kept after.
    pub async fn equilibrium(
        &mut self,
        ctx: &GpuContext,
        interrupt: &Interrupt,
    ) -> Result<(Vec<Vec<f32>>, EquilibriumSummary)> {
        let species = self.names().len();
        let (logs, summary) = self.logs(ctx, interrupt).await?;
        Ok((species_from_logs(logs, species), summary.clone()))
    }

    async fn logs(
        &mut self,
        ctx: &GpuContext,
        interrupt: &Interrupt,
    ) -> Result<&(Vec<f32>, EquilibriumSummary)> {
        if self.eq.is_none() {
            let (solver, report) = self
                .plan
                .solve_equilibrium_async(ctx, None, true, interrupt)
                .await?;
            let logs = solver.logs().read_async(ctx).await?;
            self.eq = Some((logs, EquilibriumSummary::from(&report)));
        }
        Ok(self.eq.as_ref().expect("just solved"))
    }

    /// The stepper and metrics, built on first use as a run builds them:
    /// the equilibrium, the configured initial densities, the time step
    /// (`time.dt`, or the automatic choice for them).
    async fn live(&mut self, ctx: &GpuContext, interrupt: &Interrupt) -> Result<&mut Live> {
        if self.live.is_none() {
            let logs = self.logs(ctx, interrupt).await?.0.clone();
            let stars = species_from_logs(&logs, self.names().len());
            let star_refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
            let start = self.plan.initial_species_async(ctx, &star_refs).await?;
            let estimate = self.plan.estimate_step(&stars, Some(&start));
            let choice = self.plan.choose_step(&estimate);
            self.plan.set_step(choice.dt)?;
            let peak = stars.iter().flatten().fold(0.0f32, |m, v| m.max(*v)) as f64;
            let (stepper, metrics) = Assembly::new(ctx, &self.plan, &logs, stars)?.finish();
            let start_refs: Vec<&[f32]> = start.iter().map(|v| v.as_slice()).collect();
            stepper.set_species_densities(ctx, &start_refs)?;
            let first = metrics.measure_async(ctx, &stepper, 0.0).await?;
            self.live = Some(Live {
                stepper,
                metrics,
                k: 0,
                row: Some(first.clone()),
                first,
                peak,
            });
        }
        Ok(self.live.as_mut().expect("just built"))
    }

    /// Builds the stepper now if it is not yet (solving the equilibrium
    /// first if needed, which `interrupt` stops); every other call builds
    /// it on first use, without a way to stop.
    pub async fn prepare(&mut self, ctx: &GpuContext, interrupt: &Interrupt) -> Result<()> {
        self.live(ctx, interrupt).await.map(drop)
    }

    /// The time step, fixed when the stepper is built (solving the
    /// equilibrium first if needed).
    pub async fn dt(&mut self, ctx: &GpuContext) -> Result<f64> {
        self.live(ctx, &Interrupt::never()).await?;
        Ok(self.plan.config().time.step())
    }

    /// Steps done.
    pub fn steps(&self) -> u64 {
        self.live.as_ref().map_or(0, |l| l.k)
    }

    /// The simulated time after the steps done, as a run reports it
    /// ([`step_time`]; 0 before the first step).
    pub fn t(&self) -> f64 {
        self.time(self.steps())
    }

    fn time(&self, k: u64) -> f64 {
        let time = &self.plan.config().time;
        match &self.live {
            Some(_) => step_time(k, time.step(), time.t_end),
            None => 0.0,
        }
    }

    /// Replaces the densities (one row-major grid of shape `(n2, n1)` per
    /// species, each non-negative with mass 1 for a meaningful run); the
    /// step count and time are kept.
    pub async fn set_densities(&mut self, ctx: &GpuContext, rho: &[&[f32]]) -> Result<()> {
        let names = self.names();
        let (n2, n1) = self.shape();
        if rho.len() != names.len() {
            return Err(Error::Usage(format!(
                "{} densities given for the {} species {}",
                rho.len(),
                names.len(),
                names.join(", ")
            )));
        }
        for (name, r) in names.iter().zip(rho) {
            if r.len() != n1 * n2 {
                return Err(Error::Usage(format!(
                    "the density of {name} has {} values, the grid {n2} x {n1} = {}",
                    r.len(),
                    n1 * n2
                )));
            }
        }
        let t = self.t();
        let live = self.live(ctx, &Interrupt::never()).await?;
        live.stepper.set_species_densities(ctx, rho)?;
        let row = live.metrics.measure_async(ctx, &live.stepper, t).await?;
        live.first = row.clone();
        live.row = Some(row);
        Ok(())
    }

    /// Advances `steps` steps, in submissions of about a quarter of a
    /// second; `interrupt` stops it between two (the steps done so far
    /// stay done: [`Error::Interrupted`] says how many). Ends with one
    /// measurement, which [`Self::metrics`] returns without measuring
    /// again; a blow-up (as a run detects it: a metric not finite, a mass
    /// drifting, densities growing without bound) is [`Error::BlowUp`].
    pub async fn advance(
        &mut self,
        ctx: &GpuContext,
        steps: u64,
        interrupt: &Interrupt,
    ) -> Result<()> {
        self.advance_with(ctx, steps, &mut || interrupt.is_requested())
            .await
    }

    /// [`Self::advance`], asking `stop` between two submissions whether to
    /// stop (a caller that must poll for its stop request, as Python
    /// polls its signals, does it there).
    pub async fn advance_with(
        &mut self,
        ctx: &GpuContext,
        steps: u64,
        stop: &mut dyn FnMut() -> bool,
    ) -> Result<()> {
        let dt = self.dt(ctx).await?;
        let live = self.live(ctx, &Interrupt::never()).await?;
        live.row = None;
        let mut batcher = Batcher::new(CHUNK);
        let mut left = steps;
        while left > 0 {
            let batch = batcher.next(left.min(u64::from(u32::MAX)) as u32);
            let started = Instant::now();
            live.stepper.advance(ctx, batch);
            ctx.wait()?;
            batcher.done(started, batch);
            live.k += u64::from(batch);
            left -= u64::from(batch);
            if left > 0 && stop() {
                return Err(Error::Interrupted(format!(
                    "interrupted after {} of {steps} steps, at step {}",
                    steps - left,
                    live.k
                )));
            }
        }
        let k = live.k;
        let t = self.time(k);
        let live = self.live.as_mut().expect("built above");
        let row = live.metrics.measure_async(ctx, &live.stepper, t).await?;
        if let Some(why) = check_row(&row, &live.first, live.peak) {
            return Err(Error::BlowUp(format!(
                "the simulation blew up before t = {t:.6} (step {}): {why}. The explicit part \
                 is probably unstable at dt = {dt}: build it again with a smaller time.dt, or \
                 time.dt = \"auto\" (docs/MATHEMATICS.md section 3.1)",
                live.k
            )));
        }
        live.row = Some(row);
        Ok(())
    }

    /// The densities now, one grid per species (one readback).
    pub async fn densities(&mut self, ctx: &GpuContext) -> Result<Vec<Vec<f32>>> {
        self.live(ctx, &Interrupt::never())
            .await?
            .stepper
            .species_densities_async(ctx)
            .await
    }

    /// The metrics now, `(column, value)` in the order of a run's
    /// `metrics.csv` (one small readback unless just measured).
    pub async fn metrics(&mut self, ctx: &GpuContext) -> Result<Vec<(String, f64)>> {
        let t = self.t();
        let live = self.live(ctx, &Interrupt::never()).await?;
        let row = match &live.row {
            Some(row) => row.clone(),
            None => live.metrics.measure_async(ctx, &live.stepper, t).await?,
        };
        live.row = Some(row.clone());
        Ok(live
            .metrics
            .columns()
            .into_iter()
            .zip(row.values())
            .collect())
    }
}
