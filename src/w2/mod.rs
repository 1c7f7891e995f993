//! The 2-Wasserstein distance on the torus itself (docs/MATHEMATICS.md
//! section 10), far from the equilibrium where the linearised W2 of
//! [`crate::metrics::w2lin`] no longer serves: on the circle exactly by the
//! quantile formula ([`circle`]), in 2D by the back-and-forth method on the
//! Kantorovich dual ([`bfm_gpu`] on the device, [`bfm_cpu`] its f64
//! reference), whose c-transforms are the lower envelopes of [`envelope`].

pub mod bfm_cpu;
pub mod bfm_gpu;
pub mod circle;
pub mod envelope;
pub mod envelope_gpu;
pub mod h1_step_gpu;
pub mod push_gpu;
