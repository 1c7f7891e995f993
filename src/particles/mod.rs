//! Particle systems of the species flows (docs/MATHEMATICS.md section 9).
//! So far: their noise (a counter-based generator shared bit for bit by the
//! GPU kernels and their CPU references), initial particles drawn exactly
//! from a grid density, their Fourier moments on the GPU, and the debiased
//! Fourier MMD that compares them with a grid density.

pub mod init;
pub mod mmd;
pub mod moments;
pub mod noise;
pub mod rng;
