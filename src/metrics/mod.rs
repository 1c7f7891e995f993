//! Reductions over the grid and the diagnostics of MFLDA.md section 5.

pub mod reduce;

pub use reduce::{Op, Reducer};
