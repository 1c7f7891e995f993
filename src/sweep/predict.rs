//! The `predicted_rate` column of `sweep.csv`: the local decay rate that the
//! linearised MFL-DA spectrum at the equilibrium predicts (docs/MATHEMATICS.md section
//! 6: minus the real part of the rightmost eigenvalue of the Jacobian on
//! mass-zero perturbations). `mflda sweep` runs `mflda analyze` for every
//! completed run into `run_dir/analysis/`; this reads it back.

use std::path::Path;

/// The predicted decay rate of the run in `run_dir`, from
/// `run_dir/analysis/analysis.json`; `None` (an empty cell) when there is none.
pub fn predicted_rate(run_dir: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(run_dir.join("analysis").join("analysis.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["predicted_rate"].as_f64().filter(|r| r.is_finite())
}
