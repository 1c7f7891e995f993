//! A configuration resolved once into what every stage needs: the
//! [`Problem`] on the GPU, the species with their initial densities, the
//! equilibrium's options and start, the time step and the output schedules.
//! `mflda run`, its resumption, `mflda analyze`, `mflda sweep` (and a branch
//! followed along a parameter) all start from a [`Plan`], so none of them
//! reads the configuration again.

use crate::config::{Config, EquilibriumStart};
use crate::dynamics::stability::{step_estimate, StepEstimate};
use crate::dynamics::Stepper;
use crate::equilibrium::{EquilibriumOptions, EquilibriumReport, EquilibriumSolver};
use crate::game::sample_init_async;
use crate::gpu::{GpuContext, GpuField};
use crate::interrupt::Interrupt;
use crate::metrics::w2_metric::W2Metric;
use crate::metrics::{Metrics, W2linOptions};
use crate::run::{choose_step, EquilibriumProgress, RunMemory, Schedule, StepChoice};
use crate::system::stability::system_step_estimate;
use crate::{Error, Problem, Result};

/// One species as the plan runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeciesPlan {
    /// Its name, in file names and metrics columns (`mu`, `nu` for the game).
    pub name: String,
    /// The config key of its initial density (`init.mu`, `species[0].init`).
    pub init_key: String,
    /// Its initial density, a WGSL expression in `x`, `eq` and `rand(x)`.
    pub init: String,
}

/// A validated configuration resolved into its problem and its schedules.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The configuration as given: `time.dt` may still be automatic, and the
    /// output schedules that depend on it are resolved from this.
    given: Config,
    /// `given` resolved ([`Config::resolved`]): what config.toml records.
    resolved: Config,
    /// The grid, parameters and operators (`problem.params.dt` is the step).
    pub problem: Problem,
    species: Vec<SpeciesPlan>,
    equilibrium: EquilibriumOptions,
}

impl Plan {
    /// Validates `config` (a config built in code fails here, before any
    /// run directory is made) and builds its problem
    /// ([`Problem::from_config`]).
    pub fn new(ctx: &GpuContext, config: &Config) -> Result<Self> {
        crate::gpu::block(Self::new_async(ctx, config))
    }

    /// [`Self::new`] as a future: what a browser awaits.
    pub async fn new_async(ctx: &GpuContext, config: &Config) -> Result<Self> {
        config.validate()?;
        let problem = Problem::from_config_async(ctx, config).await?;
        let species = if config.is_game() {
            vec![
                SpeciesPlan {
                    name: "mu".into(),
                    init_key: "init.mu".into(),
                    init: config.init.mu.clone(),
                },
                SpeciesPlan {
                    name: "nu".into(),
                    init_key: "init.nu".into(),
                    init: config.init.nu.clone(),
                },
            ]
        } else {
            config
                .species
                .iter()
                .enumerate()
                .map(|(i, s)| SpeciesPlan {
                    name: s.name.clone(),
                    init_key: format!("species[{i}].init"),
                    init: s.init.clone(),
                })
                .collect()
        };
        let equilibrium = problem.equilibrium_options(&config.equilibrium);
        Ok(Plan {
            given: config.clone(),
            resolved: config.resolved(),
            problem,
            species,
            equilibrium,
        })
    }

    /// The resolved configuration (output schedules concrete; `time.dt`
    /// `None` until [`Self::set_step`] when automatic).
    pub fn config(&self) -> &Config {
        &self.resolved
    }

    /// The species, in the system's order.
    pub fn species(&self) -> &[SpeciesPlan] {
        &self.species
    }

    /// The species names, in the system's order.
    pub fn names(&self) -> Vec<String> {
        self.species.iter().map(|s| s.name.clone()).collect()
    }

    /// The time step when the config gives one or [`Self::set_step`] chose it.
    pub fn step(&self) -> Option<f64> {
        self.resolved.time.dt
    }

    /// Fixes the time step `dt` (> 0): the config records it, the schedules
    /// that default from it are resolved again and the problem's parameters
    /// take it.
    pub fn set_step(&mut self, dt: f64) -> Result<()> {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::config(
                "time.dt",
                format!("the step must be positive and finite (got {dt})"),
            ));
        }
        self.given.time.dt = Some(dt);
        self.resolved = self.given.resolved();
        self.problem.params.dt = dt;
        Ok(())
    }

    /// The time step the plan's config asks for given the stability
    /// `estimate` ([`choose_step`]: from the config as given, whose output
    /// cadences cap an automatic step only where they are written).
    pub fn choose_step(&self, estimate: &StepEstimate) -> StepChoice {
        choose_step(&self.given, estimate)
    }

    /// The GPU memory a run of this plan needs at its peak, from t = 0
    /// (`resumed` false) or from a checkpoint ([`RunMemory`]).
    pub fn memory(&self, resumed: bool) -> RunMemory {
        if resumed {
            RunMemory::resumed(&self.given)
        } else {
            RunMemory::fresh(&self.given)
        }
    }

    /// The output schedule, in steps of the plan's time step.
    pub fn schedule(&self) -> Schedule {
        Schedule::new(&self.resolved)
    }

    /// The resolved configuration as TOML (for config.toml).
    pub fn to_toml(&self) -> String {
        self.resolved.to_toml_string()
    }

    /// The hash that ties checkpoints to this configuration ([`Config::hash`]).
    pub fn hash(&self) -> u64 {
        self.resolved.hash()
    }

    /// The equilibrium's options (`[equilibrium]` and the payoff's bound).
    pub fn equilibrium_options(&self) -> EquilibriumOptions {
        self.equilibrium.clone()
    }

    /// What the user should know about the system as sampled, as `warning:
    /// ...` lines: for the game [`Problem::payoff_warnings`]; for a species
    /// system, each band-limited interaction truncated with an error above
    /// [`crate::problem::TRUNCATION_WARN`].
    pub fn warnings(&self, ctx: &GpuContext) -> Result<Vec<String>> {
        if let Some(game) = &self.resolved.game {
            return self.problem.payoff_warnings(ctx, game);
        }
        Ok(self
            .problem
            .truncations
            .iter()
            .filter(|(_, _, error)| *error > crate::problem::TRUNCATION_WARN)
            .map(|(key, modes, error)| {
                format!(
                    "warning: {key} is kept to {modes} modes per axis with a truncation error \
                     of {error:.2e} (relative sup norm): the system solved is not the one \
                     written; raise its interaction_modes (at most 16)"
                )
            })
            .collect())
    }

    /// The uniform density `1 / |T^d|` on the grid.
    pub fn uniform(&self) -> Vec<f32> {
        let p = &self.problem.params;
        let n = p.shape.len();
        vec![(1.0 / (n as f64 * p.cell())) as f32; n]
    }

    /// The initial densities of every species from their `init` expressions,
    /// normalised to mass 1, with `eq` the stationary densities (one grid of
    /// shape `(n2, n1)` per species).
    pub fn initial_species(&self, ctx: &GpuContext, eq: &[&[f32]]) -> Result<Vec<Vec<f32>>> {
        crate::gpu::block(self.initial_species_async(ctx, eq))
    }

    /// [`Self::initial_species`] as a future: what a browser awaits.
    pub async fn initial_species_async(
        &self,
        ctx: &GpuContext,
        eq: &[&[f32]],
    ) -> Result<Vec<Vec<f32>>> {
        let p = &self.problem.params;
        let cell = p.cell();
        let seed = self.resolved.init.seed;
        let mut out = Vec::with_capacity(self.species.len());
        for (s, star) in self.species.iter().zip(eq) {
            let v =
                sample_init_async(ctx, &s.init_key, &s.init, p.shape, p.length, star, seed).await?;
            let mass: f64 = v.iter().map(|&x| x as f64).sum::<f64>() * cell;
            out.push(v.into_iter().map(|x| (x as f64 / mass) as f32).collect());
        }
        Ok(out)
    }

    /// Where the equilibrium iteration starts: `None` for the uniform
    /// densities (`equilibrium.start = "uniform"`), else the initial
    /// densities with `eq` the uniform density (`"init"`).
    pub fn equilibrium_start(&self, ctx: &GpuContext) -> Result<Option<Vec<Vec<f32>>>> {
        crate::gpu::block(self.equilibrium_start_async(ctx))
    }

    /// [`Self::equilibrium_start`] as a future: what a browser awaits.
    pub async fn equilibrium_start_async(&self, ctx: &GpuContext) -> Result<Option<Vec<Vec<f32>>>> {
        match self.resolved.equilibrium.start {
            EquilibriumStart::Uniform => Ok(None),
            EquilibriumStart::Init => {
                let uniform = self.uniform();
                let eq: Vec<&[f32]> = self.species.iter().map(|_| &uniform[..]).collect();
                self.initial_species_async(ctx, &eq).await.map(Some)
            }
        }
    }

    /// Computes the stationary state from `start` (one density per species;
    /// `None`: [`Self::equilibrium_start`]), reporting progress on stderr
    /// unless `quiet` ([`EquilibriumProgress`]); `interrupt` stops it.
    pub fn solve_equilibrium(
        &self,
        ctx: &GpuContext,
        start: Option<Vec<Vec<f32>>>,
        quiet: bool,
        interrupt: &Interrupt,
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        crate::gpu::block(self.solve_equilibrium_async(ctx, start, quiet, interrupt))
    }

    /// [`Self::solve_equilibrium`] as a future: what a browser awaits.
    pub async fn solve_equilibrium_async(
        &self,
        ctx: &GpuContext,
        start: Option<Vec<Vec<f32>>>,
        quiet: bool,
        interrupt: &Interrupt,
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        let mut opts = self.equilibrium_options();
        opts.interrupt = interrupt.clone();
        let start = match start {
            Some(s) => Some(s),
            None => self.equilibrium_start_async(ctx).await?,
        };
        let refs: Option<Vec<&[f32]>> = start
            .as_ref()
            .map(|s| s.iter().map(|v| v.as_slice()).collect());
        let mut progress = EquilibriumProgress::new(opts.tol, quiet).watched(interrupt.watch());
        let result = self
            .problem
            .equilibrium_from_async(ctx, &opts, refs.as_deref(), &mut |i, r| {
                progress.update(i, r)
            })
            .await;
        progress.finish();
        result
    }

    /// The stable-step estimate about the stationary state `eq` and, when
    /// given, the start (each one density per species): the game's rule when
    /// its kernel is sampled in z, the species system's otherwise.
    /// With the Fisher-Rao term, the step is also held to `2 / (alpha
    /// max_s eta_s 2 sup|Phi|)`: the reaction's rate is at most `alpha
    /// eta_s` times the spread of the potential, and the explicit part of
    /// either scheme is stable on the negative real axis to about 2.
    pub fn estimate_step(&self, eq: &[Vec<f32>], start: Option<&[Vec<f32>]>) -> StepEstimate {
        let mut estimate = self.transport_step(eq, start);
        let params = &self.problem.params;
        if params.fisher_rao > 0.0 {
            let system = self.problem.system();
            let rate = system.species.iter().map(|s| s.rate).fold(0.0, f64::max);
            let spread = 2.0 * system.potential_bound(params.cell());
            let limit = 2.0 / (params.fisher_rao * rate * spread);
            if limit < estimate.dt_max {
                estimate.dt_max = limit;
                estimate.wavenumber = 0.0;
            }
        }
        estimate
    }

    fn transport_step(&self, eq: &[Vec<f32>], start: Option<&[Vec<f32>]>) -> StepEstimate {
        let states: Vec<&[Vec<f32>]> = std::iter::once(eq).chain(start).collect();
        match &self.problem.payoff {
            Some(payoff) if payoff.kernel_spectrum.is_none() => {
                let pairs: Vec<(&[f32], &[f32])> =
                    states.iter().map(|s| (&s[0][..], &s[1][..])).collect();
                step_estimate(&self.problem.params, payoff, &pairs)
            }
            _ => {
                let refs: Vec<Vec<&[f32]>> = states
                    .iter()
                    .map(|s| s.iter().map(|v| v.as_slice()).collect())
                    .collect();
                system_step_estimate(&self.problem.params, self.problem.system(), &refs)
            }
        }
    }

    /// The stepper `time.perturbation` asks for: in the perturbation form
    /// about the stationary densities `eq` (one grid per species), or in the
    /// absolute form.
    pub fn stepper(&self, ctx: &GpuContext, eq: &[&[f32]]) -> Result<Stepper> {
        let p = &self.problem;
        if self.resolved.time.perturbation {
            Stepper::new_perturbation(ctx, &p.params, p.ops.clone(), eq)
        } else {
            Stepper::new(ctx, &p.params, p.ops.clone())
        }
    }

    /// The metrics of a run: [`Metrics`] against the stationary log-densities
    /// (`eq_field` on the GPU, S real fields; `eq_logs` the same values on
    /// the host), with the linearised W2 distances when `output.w2lin` asks
    /// for them (two species only) and the Wasserstein distances when
    /// `output.w2` does.
    pub fn metrics(
        &self,
        ctx: &GpuContext,
        stepper: &Stepper,
        eq_field: &GpuField,
        eq_logs: &[f32],
    ) -> Result<Metrics> {
        let mut metrics = Metrics::new(ctx, stepper, &self.problem.ops, eq_field)?;
        if self.resolved.output.w2 {
            let params = &stepper.params;
            let n = params.shape.len();
            let stars = eq_logs
                .chunks(n)
                .map(|l| l.iter().map(|&v| f64::from(v).exp()).collect())
                .collect();
            metrics = metrics.with_w2(W2Metric::new(ctx, params.shape, params.length, stars)?);
        }
        if !self.resolved.output.w2lin {
            return Ok(metrics);
        }
        if self.species.len() != 2 {
            return Err(Error::config(
                "output.w2lin",
                "the linearised W2 distances are measured for systems of two species; set \
                 output.w2lin = false",
            ));
        }
        metrics.with_w2lin(ctx, stepper, eq_logs, W2linOptions::default())
    }
}
