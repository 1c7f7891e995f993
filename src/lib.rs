//! mflda: a GPU solver for mean-field Langevin descent-ascent (MFL-DA) on 1D and 2D
//! torus grids, written with wgpu compute shaders.
//!
//! The modules, in the order data flows through a run:
//! - [`config`]: the TOML configuration, `--set` overrides, validation and
//!   the resolved form written into run directories;
//! - [`game`]: the user's WGSL expressions (payoff terms, initial densities),
//!   checked by naga and sampled on the GPU; the band-limited interaction;
//! - [`system`]: the species system, the core object (the game is one
//!   instance): its sampled terms, their GPU operators, the WGSL it
//!   compiles to and the f64 reference;
//! - [`problem`]: a [`Problem`], the grid, parameters and payoff operators
//!   built once from a config, handing out the solvers below;
//! - [`plan`]: a [`Plan`], a config resolved once into its problem, species,
//!   initial densities, equilibrium options, step and schedules, which run,
//!   resume, analyze and sweep share;
//! - [`gpu`]: adapter and device, typed GPU fields, shader modules, timers;
//! - [`fft`]: batched complex FFTs on the GPU (Stockham, workgroup memory)
//!   with a CPU f64 reference and real-input helpers;
//! - [`equilibrium`]: the mixed Nash equilibrium by extragradient iteration;
//! - [`dynamics`]: the right-hand side, the ETD schemes, the time stepper and
//!   the stable-step estimate;
//! - [`metrics`]: distances to the equilibrium and the Nikaido-Isoda error,
//!   reduced on the GPU;
//! - [`run`]: a whole run (equilibrium, stepping, outputs, checkpoints,
//!   resumption), its schedule, time step, progress and memory estimate;
//! - [`output`]: run directories, atomic writes, `.npy`, CSV, checkpoints;
//! - [`render`]: colour maps, frames, animations and plots;
//! - [`analysis`]: Poincare constants, the linearised spectrum, rate fits
//!   and `mflda analyze`;
//! - [`sweep`]: parameter sweeps, their jobs and their table;
//! - [`bench`](mod@bench): the memory-bandwidth floor (a copy kernel) and the
//!   FFT, step and equilibrium benchmarks with per-kernel breakdowns;
//! - [`particles`]: the particle systems (so far their noise: a
//!   counter-based generator with its CPU twin);
//! - [`peer`]: the export for the comparison with an outside implementation;
//! - [`interrupt`]: the stop flag every long loop checks;
//! - [`watch`]: a job's progress and messages, published for a caller on
//!   another thread (the Python package);
//! - [`error`]: the one error type.
//!
//! Conventions (grid layout, DFT normalisation) follow docs/MATHEMATICS.md section 2: a grid
//! is stored row-major with shape `(n2, n1)`, element `[j2, j1]` at the point
//! `(j1 h, j2 h)`; the forward DFT is unnormalised and the inverse divides by the
//! number of points, as in numpy.

// wgpu's types are Send and Sync on native backends, not in a browser
// (WebGPU objects live on the page's thread), where the Arcs shared with
// native threads are merely shared.
#![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]

pub mod analysis;
pub mod bench;
pub mod config;
pub mod dynamics;
pub mod equilibrium;
pub mod error;
pub mod fft;
pub mod game;
pub mod gpu;
pub mod interrupt;
pub mod metrics;
pub mod output;
pub mod particles;
pub mod peer;
pub mod plan;
pub mod problem;
pub mod render;
pub mod run;
pub mod sweep;
pub mod system;
pub mod w2;
pub mod watch;

pub use error::{Error, Result};
pub use plan::Plan;
pub use problem::Problem;
