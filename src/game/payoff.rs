//! The payoff `K(x, y) = k(x - y) + a(x) + b(y) + K3(x, y)` from the user's
//! expressions: every term checked, then sampled once at setup.

use crate::game::band::{check_modes, BandLimited};
use crate::game::expr::{check_expr, is_zero, ExprKind};
use crate::game::sample::sample_grid_async;
use crate::gpu::{GpuContext, Shape};
use crate::Result;

/// The payoff as the user wrote it (config section `game`).
#[derive(Debug, Clone, Copy)]
pub struct PayoffSpec<'a> {
    /// k(z), the convolution term k(x - y) (`game.kernel`).
    pub kernel: &'a str,
    /// a(x), felt by mu (`game.potential_mu`).
    pub potential_mu: &'a str,
    /// b(y), felt by nu (`game.potential_nu`).
    pub potential_nu: &'a str,
    /// K(x, y), kept up to bandwidth `interaction_modes` (`game.interaction`);
    /// a literal zero leaves the term out.
    pub interaction: &'a str,
    /// B, the bandwidth of the interaction (`game.interaction_modes`).
    pub interaction_modes: u32,
}

impl PayoffSpec<'_> {
    /// Checks every expression and the bandwidth for a `dim`-dimensional grid,
    /// without touching the GPU. Errors name the config key.
    pub fn check(&self, dim: u32) -> Result<()> {
        check_expr("game.kernel", self.kernel, ExprKind::Kernel)?;
        check_expr(
            "game.potential_mu",
            self.potential_mu,
            ExprKind::PotentialMu,
        )?;
        check_expr(
            "game.potential_nu",
            self.potential_nu,
            ExprKind::PotentialNu,
        )?;
        check_expr("game.interaction", self.interaction, ExprKind::Interaction)?;
        if !is_zero(self.interaction) {
            check_modes(dim, self.interaction_modes)?;
        }
        Ok(())
    }
}

/// The payoff sampled on the grid (host data, row-major (n2, n1)), as
/// [`crate::system::System::game`] takes it.
#[derive(Debug, Clone, Copy)]
pub struct PayoffGrids<'a> {
    /// k(z) at z = (j1 h, j2 h).
    pub kernel: &'a [f32],
    /// a(x) at the grid points.
    pub potential_mu: &'a [f32],
    /// b(y) at the grid points.
    pub potential_nu: &'a [f32],
    /// Band-limited term: modes per axis B and coefficients C, row-major
    /// `[box(m)][box(n)]` over the (2B+1)^d box (see `game::band`).
    pub band: Option<(u32, &'a [num_complex::Complex64])>,
    /// The kernel given by its multiplier `M(kappa)` at the grid's wave
    /// vectors (`game.kernel_spectrum`), in place of `kernel`.
    pub kernel_spectrum: Option<&'a [[f32; 2]]>,
}

/// The sampled payoff terms on an `(n2, n1)` grid.
#[derive(Debug, Clone)]
pub struct Payoff {
    /// k at `z_l = (l1 h1, l2 h2)`, shape `(n2, n1)` (the `k_grid` of docs/MATHEMATICS.md
    /// section 2: `V1 = h^d IFFT(FFT(k_grid) FFT(nu))`).
    pub kernel: Vec<f32>,
    /// a at the grid points, shape `(n2, n1)`.
    pub potential_mu: Vec<f32>,
    /// b at the grid points, shape `(n2, n1)`.
    pub potential_nu: Vec<f32>,
    /// The band-limited term, `None` when the interaction is a literal zero.
    pub band: Option<BandLimited>,
    /// `max|k| + max|a| + max|b| + band.sup_norm (1 + band.truncation_error)`,
    /// maxima over the samples: a bound on `||K||_inf` (up to what lies between
    /// samples) for step-size rules such as `s <= 1 / (tau + 2 ||K||_inf)`.
    pub sup_norm_bound: f64,
    /// `game.kernel_spectrum`: the kernel's multiplier at the grid's wave
    /// vectors, `(re, im)`, in place of `kernel` (whose samples are zeros).
    pub kernel_spectrum: Option<Vec<[f32; 2]>>,
    /// The kernel was a literal zero (its samples are zeros; the term can be skipped).
    pub kernel_is_zero: bool,
    /// a was a literal zero.
    pub potential_mu_is_zero: bool,
    /// b was a literal zero.
    pub potential_nu_is_zero: bool,
}

fn sup(values: &[f32]) -> f64 {
    values.iter().fold(0.0f64, |m, v| m.max(v.abs() as f64))
}

impl Payoff {
    /// Checks all of `spec` (before any GPU work), then samples k, a and b on
    /// `shape` (domain `[0, length)^d`) and the interaction on its product grid.
    pub fn sample(ctx: &GpuContext, spec: &PayoffSpec, shape: Shape, length: f64) -> Result<Self> {
        crate::gpu::block(Self::sample_async(ctx, spec, shape, length))
    }

    /// [`Self::sample`] as a future: what a browser awaits.
    pub async fn sample_async(
        ctx: &GpuContext,
        spec: &PayoffSpec<'_>,
        shape: Shape,
        length: f64,
    ) -> Result<Self> {
        spec.check(shape.dim())?;
        let grid = async |field: &str, text: &str, kind: ExprKind| -> Result<Vec<f32>> {
            if is_zero(text) {
                Ok(vec![0.0; shape.len()])
            } else {
                sample_grid_async(ctx, field, text, kind, shape, length, None).await
            }
        };
        let kernel = grid("game.kernel", spec.kernel, ExprKind::Kernel).await?;
        let potential_mu = grid(
            "game.potential_mu",
            spec.potential_mu,
            ExprKind::PotentialMu,
        )
        .await?;
        let potential_nu = grid(
            "game.potential_nu",
            spec.potential_nu,
            ExprKind::PotentialNu,
        )
        .await?;
        let band = BandLimited::from_expression_async(
            ctx,
            "game.interaction",
            spec.interaction,
            shape.dim(),
            spec.interaction_modes,
            length,
        )
        .await?;
        let band_sup = band
            .as_ref()
            .map_or(0.0, |b| b.sup_norm * (1.0 + b.truncation_error));
        let sup_norm_bound = sup(&kernel) + sup(&potential_mu) + sup(&potential_nu) + band_sup;
        Ok(Payoff {
            kernel,
            potential_mu,
            potential_nu,
            band,
            sup_norm_bound,
            kernel_spectrum: None,
            kernel_is_zero: is_zero(spec.kernel),
            potential_mu_is_zero: is_zero(spec.potential_mu),
            potential_nu_is_zero: is_zero(spec.potential_nu),
        })
    }
}
