//! Reductions over the grid and the diagnostics of MFLDA.md section 5.

pub mod cpu;
pub mod reduce;
pub mod stats;

pub use reduce::{Op, Reducer};
pub use stats::{Metrics, MetricsRow, PlayerStats, COLUMNS};
