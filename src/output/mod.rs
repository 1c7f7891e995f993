//! The run directory and the files in it: atomic writes, `.npy` arrays,
//! the metrics CSV, JSON and text files, checkpoints.
//!
//! Every file is written atomically (temporary file, fsync, rename) except the
//! metrics CSV, which is appended row by row and repaired on resume.

mod atomic;
mod checkpoint;
mod metrics_csv;
mod npy;
mod run_dir;

pub use atomic::{write_atomic, write_atomic_with};
pub use checkpoint::Checkpoint;
pub use metrics_csv::{format_value, MetricsCsv};
pub use npy::{read_npy_f32, read_npy_f64, write_npy_f32, write_npy_f64};
pub use run_dir::{RunDir, MARKER_FILE, SNAPSHOTS_DIR};
