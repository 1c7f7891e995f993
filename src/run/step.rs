//! The time step a run takes: `time.dt` as given or, when automatic, from
//! the stability estimate; adjusted so that a whole number of steps ends
//! exactly at `t_end`; a warning when a given step is above the estimate
//! (never a refusal: a step that blows up is caught and reported by the run).

use crate::config::Config;
use crate::dynamics::stability::StepEstimate;

/// The automatic step is this fraction of the estimated stable step.
pub const AUTO_FRACTION: f64 = 0.9;

/// The automatic step is at most `t_end` over this many steps.
pub const MIN_AUTO_STEPS: f64 = 100.0;

/// A chosen step and what the user should be told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepChoice {
    /// The step: `t_end / steps`.
    pub dt: f64,
    /// Steps to `t_end`.
    pub steps: u64,
    /// An adjustment worth a note (the automatic choice, or a given step
    /// shortened to land on `t_end`).
    pub note: Option<String>,
    /// A given step above the estimated stable one.
    pub warning: Option<String>,
}

/// Whether `t` is a whole number of steps `dt`, to a relative 1e-9: then a
/// run of `round(t / dt)` steps of `dt` ends at `t` to round-off.
pub fn on_step_grid(t: f64, dt: f64) -> bool {
    let steps = (t / dt).round();
    steps >= 1.0 && (steps * dt - t).abs() <= 1e-9 * t
}

/// The simulated time after `k` steps of `dt`, as metrics rows, snapshots
/// and checkpoints record it: `k dt` rounded to 12 significant digits, so
/// that the round-off of the product (`3 x 0.1 = 0.30000000000000004`)
/// shows nowhere, and a run and its extension write the same text; exactly
/// `t_end` when that is where `k` steps land (to a relative 1e-9).
pub fn step_time(k: u64, dt: f64, t_end: f64) -> f64 {
    let t = k as f64 * dt;
    if on_step_grid(t_end, dt) && (t - t_end).abs() <= 1e-9 * t_end {
        return t_end;
    }
    format!("{t:.11e}").parse().unwrap_or(t)
}

/// `(dt', steps)`: `dt` itself when `t_end` is a whole number of steps,
/// else `t_end / ceil(t_end / dt)`, the largest step at most `dt` that
/// lands on `t_end`.
pub fn land(dt: f64, t_end: f64) -> (f64, u64) {
    if on_step_grid(t_end, dt) {
        (dt, (t_end / dt).round() as u64)
    } else {
        let steps = (t_end / dt).ceil().max(1.0);
        (t_end / steps, steps as u64)
    }
}

/// The step of `config` (whose `time.dt` may be automatic) given the
/// stability `estimate`. An automatic step is [`AUTO_FRACTION`] of the
/// estimate, at most `t_end / 100` and at most every output cadence the
/// config gives (so that each is at least one step).
pub fn choose_step(config: &Config, estimate: &StepEstimate) -> StepChoice {
    let t_end = config.time.t_end;
    let (wanted, auto) = match config.time.dt {
        Some(dt) => (dt, false),
        None => {
            let o = &config.output;
            let cadences = [o.metrics_every, o.frames_every, o.snapshots_every];
            let cap = cadences
                .iter()
                .flatten()
                .filter(|&&c| c > 0.0)
                .fold(t_end / MIN_AUTO_STEPS, |m, &c| m.min(c));
            ((AUTO_FRACTION * estimate.dt_max).min(cap), true)
        }
    };
    let (dt, steps) = land(wanted, t_end);
    let note = if auto {
        Some(format!(
            "time step: automatic, dt = {dt:.4e} ({steps} steps to t_end = {t_end}; the estimated \
             stable step is {:.3e}), recorded in config.toml",
            estimate.dt_max
        ))
    } else if dt != wanted {
        Some(format!(
            "note: time.dt = {wanted} shortened to {dt:.10e} so that {steps} steps end at \
             t_end = {t_end} (recorded in config.toml)"
        ))
    } else {
        None
    };
    let warning = (!auto && dt > estimate.dt_max).then(|| {
        // A finite limit at wave number 0 is the Fisher-Rao term's
        // (Plan::estimate_step): no transport mode limits there.
        let limit = if estimate.wavenumber == 0.0 {
            "the Fisher-Rao term's reaction rate, time.fisher_rao".to_string()
        } else {
            format!("the mode |kappa| = {:.3}", estimate.wavenumber)
        };
        format!(
            "warning: time.dt = {wanted} is above the estimated stable step {:.3e} (limited by \
             {limit}; drift speed {:.3}, coupling rate {:.3}); the run stops and says so if it \
             blows up, and `--set time.dt=auto` takes the estimate",
            estimate.dt_max, estimate.speed, estimate.coupling
        )
    });
    StepChoice {
        dt,
        steps,
        note,
        warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_lands_on_its_end_time() {
        // dt = 0.003 does not divide 20: 6667 slightly shorter steps do.
        let (dt, steps) = land(0.003, 20.0);
        assert_eq!(steps, 6667);
        assert!((dt * steps as f64 - 20.0).abs() < 1e-12 && dt < 0.003);
        // A step that divides t_end to round-off is kept bit for bit.
        assert_eq!(land(0.02, 0.6), (0.02, 30));
        assert_eq!(land(0.01, 20.0), (0.01, 2000));
        assert!(on_step_grid(1.0, 0.02) && !on_step_grid(1.01, 0.02));
    }

    #[test]
    fn step_times_show_no_round_off_and_land_on_t_end() {
        assert_eq!(step_time(3, 0.1, 0.7), 0.3);
        assert_eq!(step_time(7, 0.1, 0.7), 0.7);
        assert_eq!(step_time(17, 0.5 / 17.0, 0.5), 0.5);
        assert_eq!(step_time(0, 0.1, 0.7), 0.0);
        // A run's end and the same step inside a longer run agree.
        assert_eq!(step_time(3, 0.1, 0.3), step_time(3, 0.1, 0.7));
        // An old run whose step does not divide t_end keeps its real end.
        assert_eq!(step_time(6667, 0.003, 20.0), 20.001);
    }
}
