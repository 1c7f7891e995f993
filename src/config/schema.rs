//! The run configuration's data types, their serde mapping and defaults, and the
//! key list ([`SCHEMA`]) that the loader checks a parsed TOML table against.
//!
//! The key names are a public interface (config files, `--set`, the resolved
//! `config.toml` written into each run directory): rename nothing lightly.

use serde::{Deserialize, Serialize};

/// A whole run configuration: one struct per TOML table.
///
/// `[grid]`, `[game]` and `[time]` are required; `[init]`, `[equilibrium]` and
/// `[output]` may be left out. Build one with
/// [`Config::from_toml_str`](crate::config::Config::from_toml_str) or
/// [`Config::load`](crate::config::Config::load), which also validate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The torus grid.
    pub grid: GridConfig,
    /// The payoff and the temperature.
    pub game: GameConfig,
    /// Initial densities.
    #[serde(default)]
    pub init: InitConfig,
    /// Time stepping.
    pub time: TimeConfig,
    /// The equilibrium (MNE) solver.
    #[serde(default)]
    pub equilibrium: EquilibriumConfig,
    /// What is written during a run, and how often.
    #[serde(default)]
    pub output: OutputConfig,
}

/// `[grid]`: the torus `[0, length)^dim` sampled with `n` points per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridConfig {
    /// Space dimension, 1 or 2.
    pub dim: u32,
    /// Points per side: a power of two in `2..=8192`.
    pub n: u32,
    /// Side length L of the torus (default 2 pi).
    #[serde(default = "default_length")]
    pub length: f64,
}

/// `[game]`: the payoff K(x, y) = k(x - y) + a(x) + b(y) + K3(x, y) and the
/// temperature, as in `MFLDA.md` section 1. Expressions are WGSL over
/// `vec2<f32>` arguments (`z`, `x`, `y`; in 1D the second component is 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameConfig {
    /// Entropic temperature tau > 0.
    pub tau: f64,
    /// Timescale ratio eta > 0 of the max player (1 = single timescale).
    #[serde(default = "default_eta")]
    pub eta: f64,
    /// Convolution kernel k(z), a WGSL expression in `z` (displacement x - y).
    #[serde(default = "default_zero_expr")]
    pub kernel: String,
    /// Potential a(x) felt by the min player, a WGSL expression in `x`.
    #[serde(default = "default_zero_expr")]
    pub potential_mu: String,
    /// Potential b(y) felt by the max player, a WGSL expression in `y`.
    #[serde(default = "default_zero_expr")]
    pub potential_nu: String,
    /// Band-limited interaction K3(x, y), a WGSL expression in `x` and `y`.
    #[serde(default = "default_zero_expr")]
    pub interaction: String,
    /// Largest |wave number| per axis kept of `interaction` (at most 16).
    #[serde(default = "default_interaction_modes")]
    pub interaction_modes: u32,
}

/// `[init]`: the initial densities as WGSL expressions in `x` (the point), where
/// `eq` is the equilibrium density at that point. They are normalised to mass 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitConfig {
    /// Initial density of the min player.
    #[serde(default = "default_eq_expr")]
    pub mu: String,
    /// Initial density of the max player.
    #[serde(default = "default_eq_expr")]
    pub nu: String,
    /// Seed for anything random in the initial data.
    #[serde(default)]
    pub seed: u64,
}

/// The exponential time-differencing scheme (`MFLDA.md` section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Second-order Cox-Matthews ETDRK2.
    Etdrk2,
    /// Fourth-order Cox-Matthews ETDRK4 (Kassam-Trefethen coefficients).
    #[default]
    Etdrk4,
}

impl Scheme {
    /// The name used in config files: `"etdrk2"` or `"etdrk4"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Etdrk2 => "etdrk2",
            Scheme::Etdrk4 => "etdrk4",
        }
    }
}

/// `[time]`: the integrator, its step and the simulated time span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeConfig {
    /// Time-stepping scheme.
    #[serde(default)]
    pub scheme: Scheme,
    /// Step dt > 0 (simulated time).
    pub dt: f64,
    /// End time t_end > 0 (simulated time, the run starts at 0).
    pub t_end: f64,
    /// Apply 2/3-rule de-aliasing to the nonlinear products.
    #[serde(default)]
    pub dealias: bool,
    /// Evolve the deviation from the equilibrium (the perturbation form),
    /// which keeps its relative precision as it decays.
    #[serde(default)]
    pub perturbation: bool,
}

/// `[equilibrium]`: the extragradient fixed-point solver (`MFLDA.md` section 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquilibriumConfig {
    /// Stop when the fixed-point residual r falls below this (> 0).
    #[serde(default = "default_tol")]
    pub tol: f64,
    /// Give up after this many iterations (> 0).
    #[serde(default = "default_max_iter")]
    pub max_iter: u32,
    /// Extragradient step s > 0; `None` lets the solver choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
}

/// `[output]`: output schedules in simulated time. `None` means "the default",
/// which [`Config::resolved`](crate::config::Config::resolved) fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Interval between metric rows (> 0, >= dt); default t_end / 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_every: Option<f64>,
    /// Interval between density snapshots (>= 0, 0 = never); default t_end / 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots_every: Option<f64>,
    /// Interval between rendered frames (>= 0, 0 = never); default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames_every: Option<f64>,
    /// Simulated time between checkpoints (>= 0, 0 = never); default t_end / 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<f64>,
    /// Wall-clock seconds between checkpoints (>= 0, 0 = never); default 600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_wall: Option<f64>,
    /// Colour map of frames: viridis, magma, cividis, or diverging.
    #[serde(default = "default_colormap")]
    pub colormap: String,
    /// Colour scale of frames: linear or log.
    #[serde(default = "default_scale")]
    pub scale: String,
    /// Largest side of a frame panel in pixels (a power of two; the grid is
    /// downsampled by area averages to at most this).
    #[serde(default = "default_frame_size")]
    pub frame_size: u32,
    /// Lower colour limit; default from the equilibrium and the initial state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_min: Option<f64>,
    /// Upper colour limit; default from the equilibrium and the initial state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_max: Option<f64>,
    /// Frames show the deviation from the equilibrium (diverging colours) as well.
    #[serde(default)]
    pub frame_deviation: bool,
    /// Add the linearised W2 distances `w2lin_mu`, `w2lin_nu` to metrics.csv
    /// (a conjugate-gradient solve per row, so off by default).
    #[serde(default)]
    pub w2lin: bool,
}

impl Default for InitConfig {
    fn default() -> Self {
        InitConfig {
            mu: default_eq_expr(),
            nu: default_eq_expr(),
            seed: 0,
        }
    }
}

impl Default for EquilibriumConfig {
    fn default() -> Self {
        EquilibriumConfig {
            tol: default_tol(),
            max_iter: default_max_iter(),
            step: None,
        }
    }
}

fn default_length() -> f64 {
    std::f64::consts::TAU
}
fn default_eta() -> f64 {
    1.0
}
fn default_zero_expr() -> String {
    "0.0".to_string()
}
fn default_eq_expr() -> String {
    "eq".to_string()
}
fn default_interaction_modes() -> u32 {
    4
}
fn default_tol() -> f64 {
    1e-6
}
fn default_max_iter() -> u32 {
    100_000
}
fn default_colormap() -> String {
    "viridis".to_string()
}
fn default_scale() -> String {
    "linear".to_string()
}
fn default_frame_size() -> u32 {
    512
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            metrics_every: None,
            snapshots_every: None,
            frames_every: None,
            checkpoint_every: None,
            checkpoint_wall: None,
            colormap: default_colormap(),
            scale: default_scale(),
            frame_size: default_frame_size(),
            color_min: None,
            color_max: None,
            frame_deviation: false,
            w2lin: false,
        }
    }
}

/// The TOML type a key must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An integer in `0..=u32::MAX`.
    U32,
    /// An integer in `0..=i64::MAX` (TOML integers are i64).
    U64,
    /// A float; an integer is accepted and converted.
    F64,
    /// A boolean.
    Bool,
    /// Any string.
    Str,
    /// One of the listed strings.
    OneOf(&'static [&'static str]),
}

/// One key of a table: its name, type, and for a required key an example line
/// to quote in the "missing key" message (`None` for optional keys).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeySpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: Option<&'static str>,
}

/// One table: its name, whether it must be present, and its keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableSpec {
    pub name: &'static str,
    pub required: bool,
    pub keys: &'static [KeySpec],
}

/// An optional key.
const fn opt(name: &'static str, kind: Kind) -> KeySpec {
    KeySpec {
        name,
        kind,
        required: None,
    }
}

/// A required key with an example line (`n = 256`).
const fn req(name: &'static str, kind: Kind, example: &'static str) -> KeySpec {
    KeySpec {
        name,
        kind,
        required: Some(example),
    }
}

/// Colour map names accepted in `output.colormap`.
pub(crate) const COLORMAP_NAMES: &[&str] = &["viridis", "magma", "cividis", "diverging"];
/// Scale names accepted in `output.scale`.
pub(crate) const SCALE_NAMES: &[&str] = &["linear", "log"];

/// Scheme names accepted in `time.scheme`.
pub(crate) const SCHEME_NAMES: &[&str] = &["etdrk2", "etdrk4"];

/// Every table and key of the config file, in file order. Keep in sync with the
/// structs above (a unit test checks that the two agree).
pub(crate) const SCHEMA: &[TableSpec] = &[
    TableSpec {
        name: "grid",
        required: true,
        keys: &[
            req("dim", Kind::U32, "dim = 2"),
            req("n", Kind::U32, "n = 256"),
            opt("length", Kind::F64),
        ],
    },
    TableSpec {
        name: "game",
        required: true,
        keys: &[
            req("tau", Kind::F64, "tau = 0.2"),
            opt("eta", Kind::F64),
            opt("kernel", Kind::Str),
            opt("potential_mu", Kind::Str),
            opt("potential_nu", Kind::Str),
            opt("interaction", Kind::Str),
            opt("interaction_modes", Kind::U32),
        ],
    },
    TableSpec {
        name: "init",
        required: false,
        keys: &[
            opt("mu", Kind::Str),
            opt("nu", Kind::Str),
            opt("seed", Kind::U64),
        ],
    },
    TableSpec {
        name: "time",
        required: true,
        keys: &[
            opt("scheme", Kind::OneOf(SCHEME_NAMES)),
            req("dt", Kind::F64, "dt = 0.01"),
            req("t_end", Kind::F64, "t_end = 20.0"),
            opt("dealias", Kind::Bool),
            opt("perturbation", Kind::Bool),
        ],
    },
    TableSpec {
        name: "equilibrium",
        required: false,
        keys: &[
            opt("tol", Kind::F64),
            opt("max_iter", Kind::U32),
            opt("step", Kind::F64),
        ],
    },
    TableSpec {
        name: "output",
        required: false,
        keys: &[
            opt("metrics_every", Kind::F64),
            opt("snapshots_every", Kind::F64),
            opt("frames_every", Kind::F64),
            opt("checkpoint_every", Kind::F64),
            opt("checkpoint_wall", Kind::F64),
            opt("colormap", Kind::OneOf(COLORMAP_NAMES)),
            opt("scale", Kind::OneOf(SCALE_NAMES)),
            opt("frame_size", Kind::U32),
            opt("color_min", Kind::F64),
            opt("color_max", Kind::F64),
            opt("frame_deviation", Kind::Bool),
            opt("w2lin", Kind::Bool),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The serde structs and [`SCHEMA`] name the same tables and keys.
    #[test]
    fn schema_matches_structs() {
        let mut cfg = crate::config::Config::embedded_default().resolved();
        // The Options that resolved() leaves unset.
        cfg.equilibrium.step = Some(0.5);
        cfg.output.color_min = Some(0.0);
        cfg.output.color_max = Some(1.0);
        let value = toml::Table::try_from(&cfg).expect("serialize");
        let tables: Vec<&str> = value.keys().map(String::as_str).collect();
        let mut schema_tables: Vec<&str> = SCHEMA.iter().map(|t| t.name).collect();
        let mut sorted = tables.clone();
        sorted.sort_unstable();
        schema_tables.sort_unstable();
        assert_eq!(sorted, schema_tables);
        for spec in SCHEMA {
            let table = value[spec.name].as_table().expect("table");
            let mut got: Vec<&str> = table.keys().map(String::as_str).collect();
            let mut want: Vec<&str> = spec.keys.iter().map(|k| k.name).collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "keys of [{}]", spec.name);
        }
    }
}
