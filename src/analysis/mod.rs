//! Stability analysis (docs/MATHEMATICS.md section 6): decay-rate fits of
//! distance series, Poincare constants of Gibbs densities (LOBPCG), the
//! linearised spectrum (Arnoldi on the time-T map), `mflda analyze` and its
//! figures.

pub mod analyze;
pub mod dense;
pub mod figures;
pub mod fit;
pub mod lobpcg;
pub mod poincare;
pub mod ritz;
pub mod schrodinger;
pub mod spectrum;

pub use dense::poincare_dense;
pub use fit::{fit_rate, RateFit};
pub use poincare::{poincare_constant, PoincareOptions, PoincareReport};
