//! Range checks on a parsed configuration. Each error names the dotted key, the
//! offending value and what to use instead.

use super::schema::Config;
use crate::{Error, Result};

/// Largest supported grid side.
pub const MAX_N: u32 = 8192;
/// Largest supported `game.interaction_modes`.
pub const MAX_INTERACTION_MODES: u32 = 16;
/// Largest Anderson history depth (`equilibrium.anderson`).
pub const MAX_ANDERSON: u32 = 32;

impl Config {
    /// Checks every value's range; the first problem found is returned as
    /// [`Error::Config`] with the dotted key, the value and the fix.
    ///
    /// Beyond per-key ranges (power-of-two `grid.n`, positive finite times,
    /// ...) it checks `time.dt <= time.t_end` and `output.metrics_every >=
    /// time.dt` (when dt is given rather than automatic)
    /// and, when `game.interaction` is not identically zero,
    /// `game.interaction_modes < grid.n / 2`. Options are checked after
    /// [`Config::resolved`] fills their defaults.
    pub fn validate(&self) -> Result<()> {
        let c = self;
        if c.grid.dim != 1 && c.grid.dim != 2 {
            return Err(Error::config(
                "grid.dim",
                format!("must be 1 or 2 (got {})", c.grid.dim),
            ));
        }
        check_n(c.grid.n)?;
        positive(
            "grid.length",
            c.grid.length,
            "e.g. 6.283185307179586 (2 pi)",
        )?;

        c.validate_system()?;

        positive("time.t_end", c.time.t_end, "e.g. t_end = 20.0")?;
        if let Some(dt) = c.time.dt {
            positive("time.dt", dt, "e.g. dt = 0.01, or \"auto\"")?;
            if dt > c.time.t_end {
                return Err(Error::config(
                    "time.dt",
                    format!(
                        "must be <= time.t_end (got dt = {dt} > t_end = {}); lower dt or raise \
                         t_end",
                        c.time.t_end
                    ),
                ));
            }
        }
        if let Some(stop) = c.time.stop_below {
            positive(
                "time.stop_below",
                stop,
                "e.g. stop_below = 1e-12, or leave it out to run to t_end",
            )?;
        }
        c.validate_fisher_rao()?;
        positive("equilibrium.tol", c.equilibrium.tol, "e.g. tol = 1e-6")?;
        if c.equilibrium.max_iter == 0 {
            return Err(Error::config(
                "equilibrium.max_iter",
                "must be > 0 (got 0); e.g. max_iter = 100000",
            ));
        }
        if let Some(m) = c.equilibrium.anderson.filter(|&m| m > MAX_ANDERSON) {
            return Err(Error::config(
                "equilibrium.anderson",
                format!(
                    "must be at most {MAX_ANDERSON} (got {m}); e.g. anderson = 8, or 0 for the \
                     plain iteration"
                ),
            ));
        }
        if let Some(step) = c.equilibrium.step {
            positive(
                "equilibrium.step",
                step,
                "or leave it out to choose automatically",
            )?;
        }

        let r = c.resolved();
        let dt = c.time.dt.unwrap_or(0.0);
        let every = r.output.metrics_every.unwrap_or(dt);
        positive("output.metrics_every", every, "e.g. metrics_every = 0.1")?;
        if every < dt {
            return Err(Error::config(
                "output.metrics_every",
                format!(
                    "must be >= time.dt (got {every} < dt = {dt}); metrics are taken between steps"
                ),
            ));
        }
        for (field, v) in [
            ("output.snapshots_every", r.output.snapshots_every),
            ("output.frames_every", r.output.frames_every),
            ("output.checkpoint_every", r.output.checkpoint_every),
            ("output.checkpoint_wall", r.output.checkpoint_wall),
        ] {
            non_negative(field, v.unwrap_or(0.0), "use 0 for never")?;
        }
        let o = &c.output;
        if let Some(f) = o.frames_every.filter(|&f| f > 0.0 && f < dt) {
            return Err(Error::config(
                "output.frames_every",
                format!(
                    "{f} is below one step (dt = {dt}), a frame cadence of zero steps; use 0 for \
                     no frames or a value >= dt"
                ),
            ));
        }
        if o.frame_size < 16 || !o.frame_size.is_power_of_two() {
            return Err(Error::config(
                "output.frame_size",
                format!(
                    "must be a power of two >= 16 (got {}); e.g. 512",
                    o.frame_size
                ),
            ));
        }
        if let (Some(lo), Some(hi)) = (o.color_min, o.color_max) {
            // Also refuses NaN limits.
            if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
                return Err(Error::config(
                    "output.color_min",
                    format!("must be below output.color_max (got {lo} >= {hi})"),
                ));
            }
        }
        if o.scale == "log" && o.color_min.is_some_and(|lo| lo <= 0.0) {
            return Err(Error::config(
                "output.color_min",
                "a log scale needs a positive lower colour limit",
            ));
        }
        // The expressions compile (naga, on the CPU): a typo costs milliseconds,
        // not an equilibrium computation.
        c.check_system_expressions()?;
        c.validate_particles()?;
        Ok(())
    }
}

/// `grid.n` is a power of two in `2..=MAX_N`.
fn check_n(n: u32) -> Result<()> {
    let field = "grid.n";
    if n < 2 {
        return Err(Error::config(
            field,
            format!("must be at least 2 (got {n})"),
        ));
    }
    if n > MAX_N {
        return Err(Error::config(
            field,
            format!("must be at most {MAX_N} (got {n})"),
        ));
    }
    if !n.is_power_of_two() {
        let above = n.next_power_of_two();
        let below = above / 2;
        let suggestion = if above <= MAX_N {
            format!("{below} or {above}")
        } else {
            below.to_string()
        };
        return Err(Error::config(
            field,
            format!("{n} is not a power of two; use e.g. {suggestion}"),
        ));
    }
    Ok(())
}

/// `v` is finite and > 0.
pub(crate) fn positive(field: &str, v: f64, hint: &str) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("must be > 0 and finite (got {v}); {hint}"),
        ))
    }
}

impl Config {
    /// `time.fisher_rao`: finite and >= 0, and not with the perturbation
    /// form (its reference state is the Wasserstein flow's fixed point, which
    /// the Fisher-Rao term does not keep).
    fn validate_fisher_rao(&self) -> Result<()> {
        let alpha = self.time.fisher_rao;
        non_negative(
            "time.fisher_rao",
            alpha,
            "e.g. fisher_rao = 1.0, or 0 to leave the term out",
        )?;
        if alpha > 0.0 && self.time.perturbation {
            return Err(Error::config(
                "time.fisher_rao",
                format!(
                    "fisher_rao = {alpha} cannot run in the perturbation form: the equilibrium it \
                     deviates from is not stationary under the Fisher-Rao term; set \
                     time.perturbation = false"
                ),
            ));
        }
        Ok(())
    }
}

/// `v` is finite and >= 0.
fn non_negative(field: &str, v: f64, hint: &str) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("must be >= 0 and finite (got {v}); {hint}"),
        ))
    }
}

/// Whether an expression is a literal zero (`0`, `0.0`, `-0.`), i.e. the term
/// is switched off.
pub(crate) fn is_zero_expr(expr: &str) -> bool {
    expr.trim().parse::<f64>().is_ok_and(|v| v == 0.0)
}
