//! Particle systems of the species flows (docs/MATHEMATICS.md section 9):
//! their noise (a counter-based generator shared bit for bit by the GPU
//! kernels and their CPU references), initial particles drawn exactly from a
//! grid density, their Fourier moments on the GPU, the debiased Fourier MMD
//! that compares them with a grid density, the drift by direct Fourier sums
//! or through the grid by non-uniform FFTs (spreading, interpolation) or
//! over all pairs, and the stepper of the Langevin and weighted (Wasserstein-Fisher-Rao,
//! mirror) dynamics with its f64 reference, and the whole run: its metrics
//! against the grid flow (moments gathered from the grid's spectral state,
//! the weights' sums), frames, checkpoints and resumption.

pub mod direct_sums;
pub mod drift;
pub mod fourier;
pub mod frames;
pub mod grid_moments;
pub mod init;
pub mod interpolate;
pub mod langevin;
pub mod mmd;
pub mod moments;
pub mod noise;
pub mod pairs;
pub mod reference;
pub mod resume;
pub mod rng;
pub mod run;
pub mod spread;
pub mod spread_drift;
pub mod summary;
pub mod weight_sums;
