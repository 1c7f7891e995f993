//! Particle systems of the species flows (docs/MATHEMATICS.md section 9).
//! So far the noise: a counter-based generator shared bit for bit by the
//! GPU kernels and their CPU references.

pub mod noise;
pub mod rng;
