//! A problem: the grid, the parameters and the payoff on the GPU, built once
//! from a [`Config`]; it hands out the equilibrium solver and the time stepper.
//! This is the library API the `mflda` binary uses.

use std::sync::Arc;

use crate::config::{anderson_depth, Config, EquilibriumConfig, GameConfig, MAX_INTERACTION_MODES};
use crate::dynamics::{Params, PayoffGrids, Stepper};
use crate::equilibrium::{EquilibriumOptions, EquilibriumReport, EquilibriumSolver};
use crate::fft::stockham::max_fft_len;
use crate::game::band::suggest_modes;
use crate::game::periodicity::boundary_jump;
use crate::game::{Payoff, PayoffSpec};
use crate::gpu::{GpuContext, Shape};
use crate::interrupt::Interrupt;
use crate::system::sample::sample_system_async;
use crate::system::{System, SystemOperators};
use crate::{Error, Result};

/// Bytes a point of the largest field a run binds whole in one storage
/// binding: two complex f32 fields (the state `[mu^, nu^]`, the stages, the
/// gradients, the packed payoff spectra).
pub const LARGEST_BINDING_PER_POINT: u64 = 16;

/// A band-limited interaction truncated with a larger relative error gets a
/// warning ([`Problem::payoff_warnings`]).
pub const TRUNCATION_WARN: f64 = 1e-3;

/// The truncation error the warning's suggested bandwidth reaches.
pub const TRUNCATION_TARGET: f64 = 1e-4;

/// The grid, parameters and sampled payoff of a run, with its GPU operators
/// (shared: a clone shares them).
#[derive(Debug, Clone)]
pub struct Problem {
    /// Discretisation and model parameters.
    pub params: Params,
    /// The game's sampled payoff (host copies, kept for references and
    /// reports); `None` for a species system.
    pub payoff: Option<Payoff>,
    /// The game as a species system on the GPU ([`System::game`]).
    pub ops: Arc<SystemOperators>,
    /// Each band-limited interaction kept: its config key, modes per axis and
    /// truncation error (relative sup norm).
    pub truncations: Vec<(String, u32, f64)>,
}

impl Problem {
    /// Parameters of `config` (already validated). A species system has no
    /// one temperature and rate: `tau` and `eta` are NaN there (each
    /// species' own are in the [`System`]).
    pub fn params(config: &Config) -> Params {
        let shape = if config.grid.dim == 1 {
            Shape::line(config.grid.n)
        } else {
            Shape::square(config.grid.n)
        };
        Params {
            shape,
            length: config.grid.length,
            tau: config.game.as_ref().map_or(f64::NAN, |g| g.tau),
            eta: config.game.as_ref().map_or(f64::NAN, |g| g.eta),
            dt: config.time.step(),
            dealias: config.time.dealias,
            scheme: config.time.scheme,
            fisher_rao: config.time.fisher_rao,
        }
    }

    /// The payoff expressions of a game `config`.
    pub fn spec(config: &Config) -> Result<PayoffSpec<'_>> {
        let g = config.game_table("the payoff")?;
        Ok(PayoffSpec {
            kernel: &g.kernel,
            potential_mu: &g.potential_mu,
            potential_nu: &g.potential_nu,
            interaction: &g.interaction,
            interaction_modes: g.interaction_modes,
        })
    }

    /// The largest side n (a power of two) of a `dim`-dimensional grid (n
    /// points, or n x n) that a run can bind on this device: one FFT line
    /// must fit in a workgroup, and the largest field bound whole,
    /// [`LARGEST_BINDING_PER_POINT`] bytes a point, in one storage binding
    /// (and one buffer). 0 when not even n = 2 fits. `mflda info` prints it,
    /// and [`Self::check_fits`] suggests it.
    pub fn largest_grid(ctx: &GpuContext, dim: u32) -> u32 {
        Self::largest_grid_for(ctx, dim, 2)
    }

    /// [`Self::largest_grid`] for a system whose widest buffer bound whole
    /// holds `species` complex fields (its state, or its multipliers or
    /// potential spectra when there are more): `8 max(that, 2)` bytes a point.
    pub fn largest_grid_for(ctx: &GpuContext, dim: u32, species: usize) -> u32 {
        let per_point = LARGEST_BINDING_PER_POINT.max(8 * species as u64);
        let points = ctx.max_binding_bytes() / per_point;
        let side = if dim == 2 {
            (points as f64).sqrt().floor() as u64
        } else {
            points
        };
        let by_memory = if side < 2 {
            0
        } else {
            1u64 << (63 - side.leading_zeros())
        };
        (max_fft_len(ctx) as u64).min(by_memory) as u32
    }

    /// Checks that the device can hold the grid ([`Self::largest_grid`]). The
    /// error names `grid.n` and the largest side this device holds.
    pub fn check_fits(ctx: &GpuContext, shape: Shape) -> Result<()> {
        Self::check_fits_for(ctx, shape, 2)
    }

    /// [`Self::check_fits`] for a system of `species` species.
    pub fn check_fits_for(ctx: &GpuContext, shape: Shape, species: usize) -> Result<()> {
        let per_point = LARGEST_BINDING_PER_POINT.max(8 * species as u64);
        let largest = Self::largest_grid_for(ctx, shape.dim(), species);
        if shape.n1 > largest || shape.n2 > largest {
            let fix = if largest >= 2 {
                format!("use `--set grid.n={largest}` or less, or another adapter")
            } else {
                "use another adapter".into()
            };
            return Err(Error::config(
                "grid.n",
                format!(
                    "a {shape} grid is more than {} can hold: a run binds {} bytes a point in \
                     one storage binding, at most {} MiB here, and one FFT line must fit its \
                     workgroup memory of {} KiB; that allows at most n = {largest} in {}D (see \
                     `mflda info`); {fix}",
                    ctx.info.name,
                    per_point,
                    ctx.max_binding_bytes() >> 20,
                    ctx.limits.max_compute_workgroup_storage_size >> 10,
                    shape.dim()
                ),
            ));
        }
        Ok(())
    }

    /// What the user should know about the payoff of `game` as sampled
    /// here, as `warning: ...` lines: a band-limited interaction whose
    /// truncation error is above [`TRUNCATION_WARN`], with the smallest
    /// `game.interaction_modes` (at most 16) that brings it below
    /// [`TRUNCATION_TARGET`] (or saying that none does); a kernel or
    /// potential that is not periodic (it jumps at the boundary of the torus,
    /// [`boundary_jump`]).
    pub fn payoff_warnings(&self, ctx: &GpuContext, game: &GameConfig) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let shape = self.params.shape;
        let Some(payoff) = self.payoff.as_ref() else {
            return Ok(out);
        };
        for (field, text, values) in [
            ("game.kernel", &game.kernel, &payoff.kernel),
            (
                "game.potential_mu",
                &game.potential_mu,
                &payoff.potential_mu,
            ),
            (
                "game.potential_nu",
                &game.potential_nu,
                &payoff.potential_nu,
            ),
        ] {
            if let Some(j) = boundary_jump(values, shape) {
                let var = match field {
                    "game.kernel" => "z",
                    "game.potential_mu" => "x",
                    _ => "y",
                };
                let axis = if j.axis == 0 { "x" } else { "y" };
                out.push(format!(
                    "warning: {field} = `{}` is not periodic: it jumps by {:.3} at the \
                     boundary {var}.{axis} = L (towards {:.4} there, {:.4} at 0); the torus \
                     makes it discontinuous, which the spectral solver resolves badly. \
                     Write a periodic expression (e.g. sin or cos of {var}.{axis} * 2 PI / L)",
                    text.trim(),
                    j.size(),
                    j.before,
                    j.after
                ));
            }
        }
        if let Some(b) = payoff.band.as_ref() {
            if b.truncation_error > TRUNCATION_WARN {
                let best = suggest_modes(
                    ctx,
                    "game.interaction",
                    &game.interaction,
                    shape.dim(),
                    self.params.length,
                    MAX_INTERACTION_MODES,
                    TRUNCATION_TARGET,
                )?;
                let fix = match best {
                    Some(m) if m > b.modes => format!(
                        "`--set game.interaction_modes={m}` brings it below {TRUNCATION_TARGET:.0e}"
                    ),
                    // A finer sampling finds the current bandwidth enough:
                    // the coarse one aliases.
                    Some(_) => format!(
                        "sampled finer, {} modes would do; try `--set game.interaction_modes={}`",
                        b.modes,
                        b.modes + 1
                    ),
                    None => format!(
                        "no game.interaction_modes up to {MAX_INTERACTION_MODES} brings it below \
                         {TRUNCATION_TARGET:.0e}: write the convolution and separable parts as \
                         game.kernel and the potentials"
                    ),
                };
                out.push(format!(
                    "warning: game.interaction is kept to {} modes per axis with a truncation \
                     error of {:.2e} (relative sup norm): the game solved is not the one \
                     written; {fix}",
                    b.modes, b.truncation_error
                ));
            }
        }
        Ok(out)
    }

    /// Checks the expressions, samples the payoff and builds its operators.
    pub fn new(ctx: &GpuContext, params: Params, spec: &PayoffSpec<'_>) -> Result<Self> {
        crate::gpu::block(Self::new_async(ctx, params, spec))
    }

    /// [`Self::new`] as a future: what a browser awaits.
    pub async fn new_async(
        ctx: &GpuContext,
        params: Params,
        spec: &PayoffSpec<'_>,
    ) -> Result<Self> {
        spec.check(params.shape.dim())?;
        Self::check_fits(ctx, params.shape)?;
        let payoff = Payoff::sample_async(ctx, spec, params.shape, params.length).await?;
        let system = System::game(params.tau, params.eta, &Self::grids(&payoff));
        let ops = SystemOperators::new(ctx, system, params.shape, params.cell())?;
        Ok(Problem {
            params,
            truncations: Self::game_truncations(&payoff),
            payoff: Some(payoff),
            ops: Arc::new(ops),
        })
    }

    fn game_truncations(payoff: &Payoff) -> Vec<(String, u32, f64)> {
        payoff
            .band
            .iter()
            .map(|b| ("game.interaction".to_string(), b.modes, b.truncation_error))
            .collect()
    }

    /// The problem of a configuration: the game, or a species system sampled
    /// by [`sample_system`](crate::system::sample::sample_system).
    pub fn from_config(ctx: &GpuContext, config: &Config) -> Result<Self> {
        crate::gpu::block(Self::from_config_async(ctx, config))
    }

    /// [`Self::from_config`] as a future: what a browser awaits.
    pub async fn from_config_async(ctx: &GpuContext, config: &Config) -> Result<Self> {
        let params = Self::params(config);
        if let Some(game) = &config.game {
            let Some(m) = &game.kernel_spectrum else {
                return Self::new_async(ctx, params, &Self::spec(config)?).await;
            };
            // The kernel as its multiplier: sampled at the wave vectors.
            let spec = Self::spec(config)?;
            spec.check(params.shape.dim())?;
            Self::check_fits(ctx, params.shape)?;
            let mut payoff = Payoff::sample_async(ctx, &spec, params.shape, params.length).await?;
            let values = crate::game::sample_spectrum_async(
                ctx,
                "game.kernel_spectrum",
                m,
                params.shape,
                params.length,
            )
            .await?;
            let volume = params.cell() * params.shape.len() as f64;
            payoff.sup_norm_bound += values
                .iter()
                .map(|c| (c[0] as f64).hypot(c[1] as f64))
                .sum::<f64>()
                / volume;
            payoff.kernel_spectrum = Some(values);
            let system = System::game(params.tau, params.eta, &Self::grids(&payoff));
            let ops = SystemOperators::new(ctx, system, params.shape, params.cell())?;
            return Ok(Problem {
                params,
                truncations: Self::game_truncations(&payoff),
                payoff: Some(payoff),
                ops: Arc::new(ops),
            });
        }
        config.check_system_expressions()?;
        // The widest buffer: the state, or the multipliers or the potential
        // spectra when a system has more of them than species.
        let (kernels, potentials) = config.operator_counts();
        let widest = config.species.len().max(kernels).max(potentials);
        Self::check_fits_for(ctx, params.shape, widest)?;
        let (system, report) =
            sample_system_async(ctx, config, params.shape, params.length).await?;
        let ops = SystemOperators::new(ctx, system, params.shape, params.cell())?;
        Ok(Problem {
            params,
            payoff: None,
            ops: Arc::new(ops),
            truncations: report
                .truncations
                .iter()
                .map(|&(i, modes, error)| (format!("coupling[{i}].interaction"), modes, error))
                .collect(),
        })
    }

    /// The system solved (the game's is [`System::game`]).
    pub fn system(&self) -> &System {
        &self.ops.system
    }

    /// The game's payoff, or an error for a species system naming `what`
    /// needs it.
    pub fn game_payoff(&self, what: &str) -> Result<&Payoff> {
        self.payoff.as_ref().ok_or_else(|| {
            Error::config(
                "game",
                format!("{what} needs the two-player [game]; this is a species system"),
            )
        })
    }

    /// The payoff samples in the form the operators take.
    pub fn grids(payoff: &Payoff) -> PayoffGrids<'_> {
        PayoffGrids {
            kernel: &payoff.kernel,
            potential_mu: &payoff.potential_mu,
            potential_nu: &payoff.potential_nu,
            band: payoff.band.as_ref().map(|b| (b.modes, b.coeffs.as_slice())),
            kernel_spectrum: payoff.kernel_spectrum.as_deref(),
        }
    }

    /// Equilibrium options from a config's `[equilibrium]` table and the
    /// payoff's bound.
    pub fn equilibrium_options(&self, eq: &EquilibriumConfig) -> EquilibriumOptions {
        EquilibriumOptions {
            tol: eq.tol,
            max_iter: eq.max_iter,
            step: eq.step,
            payoff_sup: self.payoff.as_ref().map_or_else(
                || self.ops.system.potential_bound(self.params.cell()),
                |p| p.sup_norm_bound,
            ),
            check_every: 20,
            anderson: anderson_depth(eq.anderson, self.payoff.is_some()),
            interrupt: Interrupt::never(),
        }
    }

    /// Computes the equilibrium from the uniform pair.
    pub fn equilibrium(
        &self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        self.equilibrium_with(ctx, opts, &mut |_, _| {})
    }

    /// [`equilibrium`](Self::equilibrium), calling `on_check(iterations,
    /// residual)` as [`EquilibriumSolver::solve_with`] does: `Some` at every
    /// check of the residual, `None` between checks.
    pub fn equilibrium_with(
        &self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        on_check: &mut dyn FnMut(u32, Option<f64>),
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        self.equilibrium_from(ctx, opts, None, on_check)
    }

    /// [`equilibrium_with`](Self::equilibrium_with) from the densities
    /// `start` (one grid per species), or from the uniform ones.
    pub fn equilibrium_from(
        &self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        start: Option<&[&[f32]]>,
        on_check: &mut dyn FnMut(u32, Option<f64>),
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        crate::gpu::block(self.equilibrium_from_async(ctx, opts, start, on_check))
    }

    /// [`Self::equilibrium_from`] as a future: what a browser awaits.
    pub async fn equilibrium_from_async(
        &self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        start: Option<&[&[f32]]>,
        on_check: &mut dyn FnMut(u32, Option<f64>),
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        let mut solver = EquilibriumSolver::new(ctx, &self.params, &self.ops, opts)?;
        match start {
            Some(rho) => solver.start_from_densities(ctx, rho)?,
            None => solver.start_uniform(ctx)?,
        }
        let report = solver.solve_with_async(ctx, opts, on_check).await?;
        Ok((solver, report))
    }

    /// A time stepper for this problem.
    pub fn stepper(&self, ctx: &GpuContext) -> Result<Stepper> {
        Stepper::new(ctx, &self.params, self.ops.clone())
    }

    /// A time stepper in the perturbation form about the equilibrium
    /// `(mu*, nu*)` (on the grid, row-major).
    pub fn stepper_perturbation(
        &self,
        ctx: &GpuContext,
        mu_star: &[f32],
        nu_star: &[f32],
    ) -> Result<Stepper> {
        Stepper::new_perturbation(ctx, &self.params, self.ops.clone(), &[mu_star, nu_star])
    }
}
