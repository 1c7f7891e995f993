//! Batched FFTs on the GPU with numpy's conventions, a CPU f64 reference, and
//! helpers that pack two real fields into one complex transform.
//!
//! A transform is one global pass per axis: a radix-8/4/2 Stockham FFT that keeps
//! each line in registers and workgroup memory (`shaders/fft/stockham.wgsl`).

pub mod cpu;
pub mod plan;
pub mod real;
pub mod spectral;
pub mod stockham;
pub mod stockham_gen;

pub use plan::{Direction, FftBinding, FftPlan};
pub use real::{PairOp, RealPair};
