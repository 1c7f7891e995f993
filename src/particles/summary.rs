//! What a particle run writes besides its snapshots: summary.json
//! ([`ParticleSummary`]) and the columns of metrics.csv ([`columns`]), and
//! the weight sums its metrics use.

use std::collections::BTreeMap;

use serde::Serialize;

/// What a particle run did, written to summary.json.
#[derive(Debug, Clone, Serialize)]
pub struct ParticleSummary {
    /// Steps taken.
    pub steps: u64,
    /// The time step.
    pub dt: f64,
    /// Simulated time reached.
    pub t: f64,
    /// Particles per species.
    pub particles: BTreeMap<String, u32>,
    /// `langevin`, `wfr` or `mirror`.
    pub dynamics: String,
    /// The Fisher-Rao rate of the weights (`wfr`, `mirror`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Effective sample size `(sum w)^2 / sum w^2` per species at the end.
    pub effective_n: BTreeMap<String, f64>,
    /// `euler-maruyama` or `leimkuhler-matthews`.
    pub scheme: String,
    /// The drift method used (`fourier` or `spread`).
    pub drift: String,
    /// Modes of each species' potential in the direct sums (0 for `spread`).
    pub drift_modes: BTreeMap<String, usize>,
    /// Bound on the drift change from the coefficients dropped, per species.
    pub drift_dropped: BTreeMap<String, f64>,
    /// Device memory moved per particle step, bytes.
    pub bytes_per_step: u64,
    /// Kernel dispatches per particle step.
    pub dispatches_per_step: u32,
    /// The last debiased squared MMD to the grid, per species (compare only).
    pub final_mmd: BTreeMap<String, f64>,
    /// The last debiased squared MMD to the stationary state, per species.
    pub final_mmd_eq: BTreeMap<String, f64>,
    /// The step this session started from: 0, or the checkpoint's of a
    /// resumed run.
    pub resumed_from_step: u64,
    /// Wall-clock seconds of this session's time loop: the steps (with the
    /// grid's, when compared), metrics rows, snapshots and checkpoints.
    pub wall_time_s: f64,
    /// Steps of the whole system per second of `wall_time_s` (the particle
    /// steps per second are this times the total particle count).
    pub steps_per_s: f64,
}

/// The total `sum w` of weights (in f64) and Kish's effective sample size
/// `(sum w)^2 / sum w^2`.
pub fn weight_sums(w: &[f32]) -> (f64, f64) {
    let (s, s2) = w.iter().fold((0.0f64, 0.0f64), |(s, s2), &w| {
        let w = f64::from(w);
        (s + w, s2 + w * w)
    });
    (s, s * s / s2)
}

/// The metrics.csv columns of a particle run of species `names`: `t`, then
/// per species `s` the squared MMD to the grid (`mmd_s` raw, `mmdnoise_s`
/// the noise of exact samples, `mmddeb_s` their difference; with `compare`
/// only, else `mmdnoise_s` alone), to the stationary state (`mmdeq_s`,
/// `mmdeqdeb_s`), and the first Fourier moments `m10re_s`, `m10im_s` (and
/// `m01*` in 2D) of the particles and, with `compare`, of the grid
/// (`gridm10re_s`, ...).
pub fn columns(names: &[String], dim: u32, compare: bool) -> Vec<String> {
    let mut out = vec!["t".to_string()];
    let firsts: &[&str] = if dim == 2 { &["m10", "m01"] } else { &["m10"] };
    for s in names {
        if compare {
            out.extend([
                format!("mmd_{s}"),
                format!("mmdnoise_{s}"),
                format!("mmddeb_{s}"),
            ]);
        } else {
            out.push(format!("mmdnoise_{s}"));
        }
        out.extend([format!("mmdeq_{s}"), format!("mmdeqdeb_{s}")]);
        for f in firsts {
            out.extend([format!("{f}re_{s}"), format!("{f}im_{s}")]);
            if compare {
                out.extend([format!("grid{f}re_{s}"), format!("grid{f}im_{s}")]);
            }
        }
    }
    out
}
