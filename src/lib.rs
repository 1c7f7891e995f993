//! mflda: a GPU solver for mean-field Langevin descent-ascent (MFL-DA) on 1D and 2D
//! torus grids, written with wgpu compute shaders.
//!
//! The pieces, in the order data flows through them:
//! - [`gpu`]: adapter and device selection, typed GPU fields, shader modules, timers;
//! - [`fft`]: batched complex FFTs on the GPU (Stockham, workgroup memory) with a
//!   CPU f64 reference and real-input helpers;
//! - [`bench`](mod@bench): the memory-bandwidth floor (a copy kernel) and the FFT,
//!   step and equilibrium benchmarks with per-kernel breakdowns.
//!
//! Conventions (grid layout, DFT normalisation) follow `MFLDA.md` section 2: a grid
//! is stored row-major with shape `(n2, n1)`, element `[j2, j1]` at the point
//! `(j1 h, j2 h)`; the forward DFT is unnormalised and the inverse divides by the
//! number of points, as in numpy.

pub mod analysis;
pub mod bench;
pub mod config;
pub mod dynamics;
pub mod equilibrium;
pub mod error;
pub mod fft;
pub mod game;
pub mod gpu;
pub mod metrics;
pub mod output;
pub mod peer;
pub mod problem;
pub mod render;
pub mod run;
pub mod sweep;

pub use error::{Error, Result};
pub use problem::Problem;
