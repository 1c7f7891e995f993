//! What the equilibrium iteration is asked (its options) and what it
//! answers (its report), plain or accelerated.

use crate::equilibrium::Stop;
use crate::interrupt::Interrupt;

/// Options of the iteration.
#[derive(Debug, Clone)]
pub struct EquilibriumOptions {
    /// Stop when the fixed-point residual is at most this.
    pub tol: f64,
    /// Give up after this many iterations.
    pub max_iter: u32,
    /// Step s; `None` for the safe `1 / (max_s tau_s + 2 sup|K|)`.
    pub step: Option<f64>,
    /// A bound on sup|K| (sum of the sup norms of the payoff terms; for a
    /// species system, [`crate::system::System::potential_bound`]).
    pub payoff_sup: f64,
    /// Iterations between residual checks of the plain iteration (each
    /// check reads back 32 bytes).
    pub check_every: u32,
    /// Depth m of the Anderson acceleration (`super::anderson`), 0 for the
    /// plain extragradient iteration.
    pub anderson: u32,
    /// Stops the iteration (an [`crate::Error::Interrupted`]) within about a
    /// second of a request.
    pub interrupt: Interrupt,
}

/// The result of the iteration.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EquilibriumReport {
    /// Iterations run.
    pub iterations: u32,
    /// Fixed-point residual at the end.
    pub residual: f64,
    /// Equilibrium gap at the end (the Nikaido-Isoda error for the game).
    pub ni: f64,
    /// Step s used.
    pub step: f64,
    /// Why it stopped.
    pub stop: Stop,
    /// The scale of the residual's f32 round-off floor, `eps_f32 sup|K| /
    /// min_s tau_s`:
    /// the potentials carry relative round-off `eps_f32`, divided by `tau` in
    /// the Gibbs densities. The floors seen lie between 0.7 and 2.2 times this
    /// (tau from 0.005 to 0.2, 1D and 2D), growing like `1 / tau`.
    pub round_off: f64,
    /// The tolerance the iteration was asked to reach.
    pub tol: f64,
    /// Depth m of the Anderson acceleration (0: the plain iteration).
    pub anderson: u32,
    /// Accelerated iterates the safeguard rejected (each restarts the
    /// history).
    pub restarts: u32,
    /// Residual at each check, `(iteration, residual)`.
    pub history: Vec<(u32, f64)>,
}
