//! A problem: the grid, the parameters and the payoff on the GPU, built once
//! from a [`Config`]; it hands out the equilibrium solver and the time stepper.
//! This is the library API the `mflda` binary uses.

use std::sync::Arc;

use crate::config::Config;
use crate::dynamics::{Operators, Params, PayoffGrids, Stepper};
use crate::equilibrium::{EquilibriumOptions, EquilibriumReport, EquilibriumSolver};
use crate::fft::stockham::{largest_square_grid, max_fft_len};
use crate::fft::{FftPlan, RealPair};
use crate::game::{Payoff, PayoffSpec};
use crate::gpu::{GpuContext, Shape};
use crate::{Error, Result};

/// The grid, parameters and sampled payoff of a run, with its GPU operators.
#[derive(Debug)]
pub struct Problem {
    /// Discretisation and model parameters.
    pub params: Params,
    /// The sampled payoff (host copies, kept for references and reports).
    pub payoff: Payoff,
    /// The payoff operators on the GPU.
    pub ops: Arc<Operators>,
}

impl Problem {
    /// Parameters of `config` (already validated).
    pub fn params(config: &Config) -> Params {
        let shape = if config.grid.dim == 1 {
            Shape::line(config.grid.n)
        } else {
            Shape::square(config.grid.n)
        };
        Params {
            shape,
            length: config.grid.length,
            tau: config.game.tau,
            eta: config.game.eta,
            dt: config.time.dt,
            dealias: config.time.dealias,
            scheme: config.time.scheme,
        }
    }

    /// The payoff expressions of `config`.
    pub fn spec(config: &Config) -> PayoffSpec<'_> {
        let g = &config.game;
        PayoffSpec {
            kernel: &g.kernel,
            potential_mu: &g.potential_mu,
            potential_nu: &g.potential_nu,
            interaction: &g.interaction,
            interaction_modes: g.interaction_modes,
        }
    }

    /// Checks that the device can hold the grid: one complex field per storage
    /// binding and one FFT line per workgroup. The error names `grid.n` and the
    /// largest side this device holds.
    pub fn check_fits(ctx: &GpuContext, shape: Shape) -> Result<()> {
        let largest = if shape.dim() == 2 {
            largest_square_grid(ctx)
        } else {
            let by_memory = ctx.max_binding_bytes() / 8;
            let pow2 = |v: u64| {
                if v < 2 {
                    0
                } else {
                    1u64 << (63 - v.leading_zeros())
                }
            };
            (max_fft_len(ctx) as u64).min(pow2(by_memory)) as u32
        };
        if shape.n1 > largest || shape.n2 > largest {
            return Err(Error::config(
                "grid.n",
                format!(
                    "a {shape} grid is more than {} can hold: its largest storage binding is {} \
                     MiB and its workgroup memory {} KiB, which allow at most n = {largest} in \
                     {}D (see `mflda info`); use a smaller grid or another adapter",
                    ctx.info.name,
                    ctx.max_binding_bytes() >> 20,
                    ctx.limits.max_compute_workgroup_storage_size >> 10,
                    shape.dim()
                ),
            ));
        }
        Ok(())
    }

    /// Checks the expressions, samples the payoff and builds its operators.
    pub fn new(ctx: &GpuContext, params: Params, spec: &PayoffSpec<'_>) -> Result<Self> {
        spec.check(params.shape.dim())?;
        Self::check_fits(ctx, params.shape)?;
        let payoff = Payoff::sample(ctx, spec, params.shape, params.length)?;
        let pair = RealPair::new(ctx, params.shape, 2)?;
        let plan2 = FftPlan::new(ctx, params.shape, 2)?;
        let ops = Operators::new(ctx, &params, &Self::grids(&payoff), &pair, &plan2)?;
        Ok(Problem {
            params,
            payoff,
            ops: Arc::new(ops),
        })
    }

    /// The problem of a configuration.
    pub fn from_config(ctx: &GpuContext, config: &Config) -> Result<Self> {
        Self::new(ctx, Self::params(config), &Self::spec(config))
    }

    /// The payoff samples in the form the operators take.
    pub fn grids(payoff: &Payoff) -> PayoffGrids<'_> {
        PayoffGrids {
            kernel: &payoff.kernel,
            potential_mu: &payoff.potential_mu,
            potential_nu: &payoff.potential_nu,
            band: payoff.band.as_ref().map(|b| (b.modes, b.coeffs.as_slice())),
        }
    }

    /// Equilibrium options from the config's `[equilibrium]` table and the payoff.
    pub fn equilibrium_options(&self, config: &Config) -> EquilibriumOptions {
        EquilibriumOptions {
            tol: config.equilibrium.tol,
            max_iter: config.equilibrium.max_iter,
            step: config.equilibrium.step,
            payoff_sup: self.payoff.sup_norm_bound,
            check_every: 20,
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
    /// residual)` at every check of the residual.
    pub fn equilibrium_with(
        &self,
        ctx: &GpuContext,
        opts: &EquilibriumOptions,
        on_check: &mut dyn FnMut(u32, f64),
    ) -> Result<(EquilibriumSolver, EquilibriumReport)> {
        let mut solver = EquilibriumSolver::new(ctx, &self.params, &self.ops, opts)?;
        solver.start_uniform(ctx)?;
        let report = solver.solve_with(ctx, opts, on_check)?;
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
        Stepper::new_perturbation(ctx, &self.params, self.ops.clone(), mu_star, nu_star)
    }

    /// The stepper the config asks for (`time.perturbation`).
    pub fn stepper_for(
        &self,
        ctx: &GpuContext,
        config: &Config,
        eq: (&[f32], &[f32]),
    ) -> Result<Stepper> {
        if config.time.perturbation {
            self.stepper_perturbation(ctx, eq.0, eq.1)
        } else {
            self.stepper(ctx)
        }
    }
}
