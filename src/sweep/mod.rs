//! Parameter sweeps (`mflda sweep`): the Cartesian product of `--param
//! key=v1,v2,...` lists over a base config, each configuration run with
//! [`crate::run::execute`] into its own run directory inside the sweep
//! directory, and a `sweep.csv` table of the outcomes.
//!
//! - [`param`]: one swept key and its values;
//! - [`definition`]: the sweep's definition, its configurations and their run
//!   directories (`run_<index>_<key>=<value>_...`);
//! - [`runner`]: running the configurations one after another on one GPU
//!   context, or collecting runs made elsewhere;
//! - [`jobs`]: the configurations as independent `mflda run && mflda analyze`
//!   commands (`--emit-jobs`, for GNU parallel or a Slurm array);
//! - [`record`], [`csv`], [`table`]: a configuration's row, `sweep.csv`, and
//!   the printed summary table;
//! - [`rate`]: the measured asymptotic decay rate of a run;
//! - [`predict`]: the predicted decay rate, from each run's analysis;
//! - [`figure`]: `sweep.png`, the rates against the first parameter;
//! - [`chaos`]: a propagation-of-chaos study (`--particles`): `mflda
//!   particles` per configuration, the MMD to the grid against n in
//!   `chaos.csv` with fitted slopes, and `chaos.png`;
//! - [`branch`]: following a branch of stationary states along one
//!   parameter (`--continue`), its table and bifurcation plot.

pub mod branch;
pub mod chaos;
pub mod csv;
pub mod definition;
pub mod figure;
pub mod jobs;
pub mod param;
pub mod predict;
pub mod rate;
pub mod record;
pub mod runner;
pub mod table;

pub use branch::{follow_branch, BranchPoint, BRANCH_CSV};
pub use chaos::{chaos_table, collect_chaos, run_chaos, write_chaos_plot, ChaosRecord, CHAOS_CSV};
pub use csv::{FIXED_COLUMNS, SWEEP_CSV};
pub use definition::{Point, Sweep};
pub use figure::write_sweep_plot;
pub use jobs::{job_lines, JobOptions};
pub use param::Param;
pub use record::{Record, Status, DEFAULT_CONVERGED_RATIO};
pub use runner::{collect, run_sweep, SweepOptions};
pub use table::format_table;
