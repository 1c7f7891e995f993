//! The `predicted_rate` column of `sweep.csv`: the local decay rate that the
//! linearised MFL-DA spectrum at the equilibrium predicts (docs/MATHEMATICS.md section
//! 6: minus the real part of the rightmost eigenvalue of the Jacobian on
//! mass-zero perturbations). `mflda sweep` runs `mflda analyze` for every
//! completed run into `run_dir/analysis/`; this reads it back.

use std::path::Path;

/// The predicted decay rate of the run in `run_dir`, from
/// `run_dir/analysis/analysis.json`; `None` (an empty cell) when there is none.
pub fn predicted_rate(run_dir: &Path) -> Option<f64> {
    analysis_number(run_dir, "predicted_rate")
}

/// The lower bound `tau min(lambda_1)` on the rate of the run in `run_dir`,
/// from the same file; `None` when there is none.
pub fn rate_bound(run_dir: &Path) -> Option<f64> {
    analysis_number(run_dir, "bound")
}

/// The finite number `key` of `run_dir/analysis/analysis.json`.
fn analysis_number(run_dir: &Path, key: &str) -> Option<f64> {
    let text = std::fs::read_to_string(run_dir.join("analysis").join("analysis.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value[key].as_f64().filter(|r| r.is_finite())
}
