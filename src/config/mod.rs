//! The TOML run configuration: schema and defaults, loading with `--set`
//! overrides and "did you mean" suggestions, range validation, the resolved form
//! written into run directories, and a stable hash for checkpoints.
//!
//! ```toml
//! [grid]   dim, n, length
//! [game]   tau, eta, kernel, potential_mu, potential_nu, interaction, interaction_modes
//! [init]   mu, nu, seed                      (optional table)
//! [time]   scheme, dt, t_end, dealias
//! [equilibrium] tol, max_iter, step          (optional table)
//! [output] metrics_every, snapshots_every, frames_every, checkpoint_every,
//!          checkpoint_wall                                 (optional table)
//! ```
//!
//! `assets/default.toml` documents every key.

mod check;
mod load;
mod resolve;
mod schema;
mod suggest;
mod validate;

pub use load::{apply_sets, DEFAULT_TOML};
pub use resolve::fnv1a64;
pub use schema::{
    Config, EquilibriumConfig, GameConfig, GridConfig, InitConfig, OutputConfig, Scheme, TimeConfig,
};
pub use validate::{MAX_INTERACTION_MODES, MAX_N};
