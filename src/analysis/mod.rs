//! Analysis of runs after the fact: decay-rate fits of distance series.
//!
//! (MFLDA.md section 6 also lists Poincare constants and Arnoldi estimates
//! of the linearised spectrum; those belong here too when they are written.)

pub mod fit;
pub mod spectrum;

pub use fit::{fit_rate, RateFit};
