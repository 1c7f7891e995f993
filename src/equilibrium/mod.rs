//! The mixed Nash equilibrium (docs/MATHEMATICS.md section 4): the entropy-regularised
//! extragradient iteration on the GPU, plain or Anderson-accelerated, stopped
//! on the fixed-point residual, and CPU f64 references.

pub mod anderson;
mod anderson_gpu;
pub mod cpu;
pub mod gibbs;
pub mod options;
pub mod solver;
pub mod stop;

pub use options::{EquilibriumOptions, EquilibriumReport};
pub use solver::{densities_from_logs, species_from_logs, EquilibriumSolver};
pub use stop::Stop;
