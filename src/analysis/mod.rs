//! Analysis of runs after the fact: decay-rate fits of distance series, and
//! Poincare constants of Gibbs densities (docs/MATHEMATICS.md section 6).
//!
//! (Arnoldi estimates of the linearised spectrum belong here too when they
//! are written.)

pub mod analyze;
pub mod dense;
pub mod fit;
pub mod lobpcg;
pub mod poincare;
pub mod ritz;
pub mod schrodinger;
pub mod spectrum;

pub use dense::poincare_dense;
pub use fit::{fit_rate, RateFit};
pub use poincare::{poincare_constant, PoincareOptions, PoincareReport};
