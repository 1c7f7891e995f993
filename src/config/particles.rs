//! `[particles]`: the particle systems of `mflda particles`
//! (docs/MATHEMATICS.md section 9), their serde mapping and range checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::schema::Config;
use super::validate::positive;
use crate::{Error, Result};

/// Particles per species when `particles.n` is left out.
pub const DEFAULT_PARTICLES: u32 = 100_000;

/// `[particles]`: how many particles, which dynamics, scheme and drift
/// evaluation, the seed, and whether the grid flow runs alongside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticlesConfig {
    /// Particles per species: one count for all, or a table by species name.
    #[serde(default)]
    pub n: ParticleCount,
    /// The particle dynamics.
    #[serde(default)]
    pub dynamics: Dynamics,
    /// Fisher-Rao rate alpha > 0 of the weights (`wfr` and `mirror`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// The time-stepping scheme of the positions.
    #[serde(default)]
    pub scheme: ParticleScheme,
    /// How the drift `grad Phi_s[m]` is evaluated.
    #[serde(default)]
    pub drift: DriftMethod,
    /// Seed of the initial draws and the noise.
    #[serde(default)]
    pub seed: u64,
    /// Run the grid flow alongside from the same initial densities and
    /// compare (metrics.csv columns `mmd_*`, `mmddeb_*`, `gridm10re_*`, ...).
    #[serde(default = "default_true")]
    pub compare: bool,
}

fn default_true() -> bool {
    true
}

impl Default for ParticlesConfig {
    fn default() -> Self {
        ParticlesConfig {
            n: ParticleCount::default(),
            dynamics: Dynamics::default(),
            alpha: None,
            scheme: ParticleScheme::default(),
            drift: DriftMethod::default(),
            seed: 0,
            compare: true,
        }
    }
}

/// `particles.n`: one count for every species, or one per species name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParticleCount {
    /// The same count for every species.
    All(u32),
    /// A count per species name (every species listed).
    Each(BTreeMap<String, u32>),
}

impl Default for ParticleCount {
    fn default() -> Self {
        ParticleCount::All(DEFAULT_PARTICLES)
    }
}

impl ParticleCount {
    /// The count of species `name` (0 when a table leaves it out: refused
    /// by [`Config::validate_particles`]).
    pub fn of(&self, name: &str) -> u32 {
        match self {
            ParticleCount::All(n) => *n,
            ParticleCount::Each(t) => t.get(name).copied().unwrap_or(0),
        }
    }
}

/// `particles.dynamics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dynamics {
    /// Langevin descent-ascent: positions move, weights stay 1/n.
    #[default]
    Langevin,
    /// Wasserstein-Fisher-Rao: positions and weights move.
    Wfr,
    /// Mirror descent: weights move, positions stay.
    Mirror,
}

/// `particles.scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticleScheme {
    /// `X += -dt eta grad Phi + sqrt(2 eta tau dt) xi_k` (weak order 1).
    #[default]
    EulerMaruyama,
    /// `X += -dt eta grad Phi + sqrt(2 eta tau dt) (xi_k + xi_{k+1}) / 2`:
    /// a second-order invariant measure.
    LeimkuhlerMatthews,
}

impl Dynamics {
    /// The name used in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Dynamics::Langevin => "langevin",
            Dynamics::Wfr => "wfr",
            Dynamics::Mirror => "mirror",
        }
    }
}

impl ParticleScheme {
    /// The name used in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticleScheme::EulerMaruyama => "euler-maruyama",
            ParticleScheme::LeimkuhlerMatthews => "leimkuhler-matthews",
        }
    }
}

/// `particles.drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftMethod {
    /// The cheapest method that serves the payoff.
    #[default]
    Auto,
    /// Direct Fourier sums over the payoff's modes.
    Fourier,
    /// Spreading to a grid, FFT and interpolation (a non-uniform FFT).
    Spread,
    /// All pairs, tiled in workgroup memory.
    Pairs,
}

impl DriftMethod {
    /// The name used in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftMethod::Auto => "auto",
            DriftMethod::Fourier => "fourier",
            DriftMethod::Spread => "spread",
            DriftMethod::Pairs => "pairs",
        }
    }
}

impl Config {
    /// The `[particles]` table, or its defaults when left out.
    pub fn particles_or_default(&self) -> ParticlesConfig {
        self.particles.clone().unwrap_or_default()
    }

    /// Range checks of `[particles]` against the system: positive counts,
    /// a count for every species and none for an unknown one, and `alpha`
    /// (positive) for the weighted dynamics.
    pub fn validate_particles(&self) -> Result<()> {
        let p = self.particles_or_default();
        let names = self.species_names();
        match &p.n {
            ParticleCount::All(0) => {
                return Err(Error::config(
                    "particles.n",
                    "must be > 0 (got 0); e.g. n = 100000",
                ))
            }
            ParticleCount::All(_) => {}
            ParticleCount::Each(table) => {
                for (name, &count) in table {
                    if !names.contains(name) {
                        return Err(Error::config(
                            format!("particles.n.{name}"),
                            format!(
                                "there is no species `{name}`; the species are {}",
                                names.join(", ")
                            ),
                        ));
                    }
                    if count == 0 {
                        return Err(Error::config(
                            format!("particles.n.{name}"),
                            "must be > 0 (got 0); e.g. 100000",
                        ));
                    }
                }
                if let Some(missing) = names.iter().find(|n| !table.contains_key(*n)) {
                    return Err(Error::config(
                        format!("particles.n.{missing}"),
                        format!(
                            "species `{missing}` has no count; give every species one, e.g. \
                             n = {{ {} }}",
                            names
                                .iter()
                                .map(|n| format!("{n} = 100000"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(alpha) = p.alpha {
            positive("particles.alpha", alpha, "e.g. alpha = 1.0")?;
        }
        if matches!(p.dynamics, Dynamics::Wfr | Dynamics::Mirror) && p.alpha.is_none() {
            return Err(Error::config(
                "particles.alpha",
                format!(
                    "dynamics = \"{}\" moves the weights at the Fisher-Rao rate alpha; add \
                     e.g. `alpha = 1.0` under [particles]",
                    p.dynamics.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// Returns the configuration of the grid flow run beside
    /// the particles: their mean-field limit. For `wfr` that is the flow
    /// with the Fisher-Rao term at the particles' alpha (`time.fisher_rao`
    /// set to it when left at 0, refused when it differs); for `langevin`
    /// the flow without it; `mirror` moves no mass through space, which no
    /// grid flow here does, so it runs with `compare = false` only.
    pub fn particles_companion(&self) -> Result<Config> {
        let p = self.particles_or_default();
        let mut grid = self.clone();
        let fr = self.time.fisher_rao;
        match p.dynamics {
            Dynamics::Langevin if fr > 0.0 && p.compare => {
                return Err(Error::config(
                    "time.fisher_rao",
                    format!(
                        "fisher_rao = {fr} changes the grid flow, but Langevin particles have \
                         none: their mean-field limit is the flow without it; set \
                         time.fisher_rao = 0, or dynamics = \"wfr\" with alpha = {fr}"
                    ),
                ));
            }
            Dynamics::Wfr if p.compare => {
                let alpha = p.alpha.unwrap_or(f64::NAN);
                if fr > 0.0 && fr != alpha {
                    return Err(Error::config(
                        "time.fisher_rao",
                        format!(
                            "fisher_rao = {fr} differs from particles.alpha = {alpha}: the grid \
                             flow beside WFR particles is their mean-field limit, with the \
                             Fisher-Rao term at their alpha; leave time.fisher_rao out or set it \
                             to {alpha}"
                        ),
                    ));
                }
                if self.time.perturbation {
                    return Err(Error::config(
                        "time.perturbation",
                        "the grid flow beside WFR particles carries the Fisher-Rao term, which \
                         the perturbation form cannot (its equilibrium is not stationary under \
                         it); set time.perturbation = false, or particles.compare = false",
                    ));
                }
                grid.time.fisher_rao = alpha;
            }
            Dynamics::Mirror if p.compare => {
                return Err(Error::config(
                    "particles.compare",
                    "mirror descent moves the weights alone, whose mean-field limit (the \
                     Fisher-Rao flow without transport or diffusion) no grid flow here \
                     computes; set compare = false under [particles]",
                ));
            }
            _ => {}
        }
        Ok(grid)
    }
}
