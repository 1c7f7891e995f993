//! The TOML run configuration: schema and defaults, loading with `--set`
//! overrides and "did you mean" suggestions, range validation, the resolved form
//! written into run directories, and a stable hash for checkpoints.
//!
//! ```toml
//! [grid]   dim, n, length                    (dim and n required)
//! [game]   tau, eta, kernel, potential_mu, potential_nu, interaction,
//!          interaction_modes                 (tau required)
//!   or, exclusive with [game], a species system:
//! [[species]]  name, tau, rate, potential, init   (name, tau required)
//! [[coupling]] target, source, kernel | kernel_spectrum | interaction,
//!              interaction_modes              (target, source required)
//! [init]   mu, nu, seed                      (optional table)
//! [time]   scheme, dt (a number or "auto"), t_end, dealias, perturbation,
//!          stop_below, fisher_rao            (optional table)
//! [equilibrium] tol, max_iter, step, start, anderson   (optional table)
//! [output] metrics_every, snapshots_every, frames_every, checkpoint_every,
//!          checkpoint_wall, colormap, scale, frame_size, color_min,
//!          color_max, frame_deviation, w2lin, w2 (optional table)
//! [particles] n (a count or a table by species), dynamics, alpha, scheme,
//!          drift, seed, compare              (optional table)
//! ```
//!
//! `assets/default.toml` documents every key and the value it takes when
//! left out (a unit test checks it against the code).

mod check;
mod keys;
mod load;
mod particles;
mod resolve;
mod schema;
mod suggest;
mod system;
mod validate;

pub use load::{apply_sets, DEFAULT_TOML};
pub use particles::{
    DriftMethod, Dynamics, ParticleCount, ParticleScheme, ParticlesConfig, DEFAULT_PARTICLES,
};
pub use resolve::fnv1a64;
pub use schema::{
    Config, CouplingConfig, EquilibriumConfig, EquilibriumStart, GameConfig, GridConfig,
    InitConfig, OutputConfig, Scheme, SpeciesConfig, TimeConfig,
};
pub use system::{anderson_depth, DEFAULT_ANDERSON, MAX_NAME_LEN};
pub use validate::{MAX_INTERACTION_MODES, MAX_N};
