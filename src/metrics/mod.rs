//! Reductions over the grid and the diagnostics of docs/MATHEMATICS.md section 5.

pub mod cpu;
pub mod reduce;
pub mod stats;
pub mod w2_metric;
pub mod w2lin;
pub mod w2lin_cpu;

pub use reduce::{Op, Reducer};
pub use stats::{columns, Metrics, MetricsRow, PlayerStats, COLUMNS};
pub use w2lin::{W2lin, W2linOptions, W2linResult};
