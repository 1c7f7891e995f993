//! The run configuration's data types, their serde mapping and defaults (the
//! key list the loader checks a parsed TOML table against is
//! [`super::keys::SCHEMA`]).
//!
//! The key names are a public interface (config files, `--set`, the resolved
//! `config.toml` written into each run directory): rename nothing lightly.

use serde::{Deserialize, Serialize};

/// A whole run configuration: one struct per TOML table.
///
/// `[grid]` is required, and the system: either the two-player `[game]` or
/// one `[[species]]` table per species with the `[[coupling]]` tables of
/// their potentials (exclusive). `[init]`, `[time]`, `[equilibrium]` and
/// `[output]` may be left out. Build one with
/// [`Config::from_toml_str`](crate::config::Config::from_toml_str) or
/// [`Config::load`](crate::config::Config::load), which also validate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The torus grid.
    pub grid: GridConfig,
    /// The two-player game: the payoff and the temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game: Option<GameConfig>,
    /// The species of a general system (docs/MATHEMATICS.md section 8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub species: Vec<SpeciesConfig>,
    /// The terms of the species' potentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupling: Vec<CouplingConfig>,
    /// Initial densities.
    #[serde(default)]
    pub init: InitConfig,
    /// Time stepping.
    #[serde(default)]
    pub time: TimeConfig,
    /// The equilibrium (MNE) solver.
    #[serde(default)]
    pub equilibrium: EquilibriumConfig,
    /// What is written during a run, and how often.
    #[serde(default)]
    pub output: OutputConfig,
    /// The particle systems of `mflda particles` (left out: their defaults,
    /// [`Config::particles_or_default`](crate::config::Config::particles_or_default)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub particles: Option<super::particles::ParticlesConfig>,
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
/// temperature, as in docs/MATHEMATICS.md section 1. Expressions are WGSL over
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
    /// Instead of `kernel`, its multiplier `M(kappa) = ∫ k(z) exp(-i kappa . z)
    /// dz`, a WGSL expression in `kappa` (an f32, or a vec2<f32> (re, im));
    /// its value at kappa = 0 is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_spectrum: Option<String>,
    /// The gradient `grad k(z)` of `kernel`, a WGSL `vec2<f32>` expression
    /// in `z`: read by the all-pairs particle drift only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_gradient: Option<String>,
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

/// `[[species]]`: one species of a system (docs/MATHEMATICS.md section 8),
/// `d/dt rho = eta [div(rho grad Phi) + tau Lap rho]` with
/// `Phi = a + (its couplings)`. A species with no coupling and no potential
/// follows the heat equation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeciesConfig {
    /// Name, used in file names and metrics columns: letters, digits and
    /// `_`, starting with a letter; unique.
    pub name: String,
    /// Temperature tau > 0.
    pub tau: f64,
    /// Rate eta > 0 (default 1).
    #[serde(default = "default_eta")]
    pub rate: f64,
    /// Potential a(x), a WGSL expression in `x` (default 0).
    #[serde(default = "default_zero_expr")]
    pub potential: String,
    /// Initial density, a WGSL expression in `x` that may use `eq` (the
    /// stationary density) and `rand(x)`; normalised to mass 1.
    #[serde(default = "default_eq_expr")]
    pub init: String,
}

/// `[[coupling]]`: one term of `Phi_target`, integrated against
/// `rho_source`: a convolution kernel `k(z)` (`z = x - y`), its multiplier
/// `M(kappa)`, or a band-limited interaction `G(x, y)`; exactly one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouplingConfig {
    /// The species that feels the term.
    pub target: String,
    /// The species it is integrated against.
    pub source: String,
    /// Convolution kernel k(z), a WGSL expression in `z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// The kernel's multiplier `M(kappa) = ∫ k(z) exp(-i kappa . z) dz`, a
    /// WGSL expression in `kappa: vec2<f32>`: an `f32` (a real multiplier:
    /// an even kernel) or a `vec2<f32>` (re, im). Its value at kappa = 0 is
    /// ignored (a constant potential has no gradient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_spectrum: Option<String>,
    /// The gradient `grad k(z)` of `kernel`, a WGSL `vec2<f32>` expression
    /// in `z`: read by the all-pairs particle drift only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_gradient: Option<String>,
    /// Band-limited interaction G(x, y), a WGSL expression in `x` (the
    /// target's variable) and `y` (the source's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// Largest |wave number| per axis kept of `interaction` (at most 16).
    #[serde(default = "default_interaction_modes")]
    pub interaction_modes: u32,
}

impl CouplingConfig {
    /// The kernel's expression as a key naming its table (`z:<k(z)>` or
    /// `kappa:<M(kappa)>`), so that identical kernels share one multiplier;
    /// `None` for an interaction.
    pub fn kernel_key(&self) -> Option<String> {
        self.kernel
            .as_ref()
            .map(|k| format!("z:{}", k.trim()))
            .or_else(|| {
                self.kernel_spectrum
                    .as_ref()
                    .map(|m| format!("kappa:{}", m.trim()))
            })
    }
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

/// The exponential time-differencing scheme (docs/MATHEMATICS.md section 3).
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

/// `[time]`: the integrator, its step and the simulated time span. The whole
/// table may be left out (`mflda equilibrium` and `mflda analyze` need none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeConfig {
    /// Time-stepping scheme.
    #[serde(default)]
    pub scheme: Scheme,
    /// Step dt > 0 (simulated time); `None` (the key left out, or `"auto"`)
    /// for the estimated stable step, which a run records in its
    /// config.toml. Read it with [`TimeConfig::step`] once it is resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dt: Option<f64>,
    /// End time t_end > 0 (simulated time, the run starts at 0).
    #[serde(default = "default_t_end")]
    pub t_end: f64,
    /// Apply 2/3-rule de-aliasing to the nonlinear products.
    #[serde(default)]
    pub dealias: bool,
    /// Evolve the deviation from the equilibrium (the perturbation form),
    /// which keeps its relative precision as it decays.
    #[serde(default)]
    pub perturbation: bool,
    /// End the run early once the joint L2 distance to the equilibrium,
    /// `sqrt(L2_mu^2 + L2_nu^2)`, falls below this (> 0); `None` runs to
    /// `t_end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_below: Option<f64>,
    /// Fisher-Rao rate alpha >= 0: adds `-alpha eta_s (Phi_s - <Phi_s>_rho_s)
    /// rho_s` to every species' right-hand side (docs/MATHEMATICS.md section
    /// 9, the mean-field limit of Wasserstein-Fisher-Rao particles); 0 (the
    /// default) leaves it out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fisher_rao: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl TimeConfig {
    /// The step `dt` of a resolved configuration (a run's, whose automatic
    /// step has been chosen); NaN while it is still automatic, so that a
    /// step taken with it blows up loudly rather than quietly.
    pub fn step(&self) -> f64 {
        self.dt.unwrap_or(f64::NAN)
    }
}

impl Default for TimeConfig {
    fn default() -> Self {
        TimeConfig {
            scheme: Scheme::default(),
            dt: None,
            t_end: default_t_end(),
            dealias: false,
            perturbation: false,
            stop_below: None,
            fisher_rao: 0.0,
        }
    }
}

/// `[equilibrium]`: the extragradient fixed-point solver (docs/MATHEMATICS.md section 4).
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
    /// Where the iteration starts: the uniform densities, or the initial
    /// densities (to find the stationary state reached from them when there
    /// are several).
    #[serde(default)]
    pub start: EquilibriumStart,
    /// Depth m of the Anderson acceleration of the iteration (0 = the plain
    /// extragradient iteration); costs 2m + 2 real fields per species.
    /// `None`: [`super::DEFAULT_ANDERSON`] for the game, whose equilibrium
    /// is unique, 0 for a species system (see [`Config::anderson`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anderson: Option<u32>,
}

/// The start of the equilibrium iteration (`equilibrium.start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EquilibriumStart {
    /// The uniform densities.
    #[default]
    Uniform,
    /// The initial densities of `[init]` (or each species' `init`), with
    /// `eq` the uniform density there.
    Init,
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
    /// Add the Wasserstein distances `w2_<species>` to the equilibrium to
    /// metrics.csv (docs/MATHEMATICS.md section 10; a transport solve per
    /// row and species, so off by default).
    #[serde(default)]
    pub w2: bool,
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
            start: EquilibriumStart::Uniform,
            anderson: None,
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
    2
}
fn default_t_end() -> f64 {
    20.0
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
    256
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
            w2: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::SCHEMA;
    use super::*;

    /// The serde structs and [`SCHEMA`] name the same tables and keys.
    #[test]
    fn schema_matches_structs() {
        let mut cfg = crate::config::Config::embedded_default().resolved();
        // The Options that resolved() leaves unset.
        cfg.equilibrium.step = Some(0.5);
        cfg.time.dt = Some(0.01);
        cfg.time.stop_below = Some(1e-12);
        // Left out of the TOML at its default of 0.
        cfg.time.fisher_rao = 1.0;
        cfg.output.color_min = Some(0.0);
        cfg.output.color_max = Some(1.0);
        cfg.game.as_mut().unwrap().kernel_spectrum = Some("0.0".into());
        cfg.game.as_mut().unwrap().kernel_gradient = Some("vec2<f32>(0.0)".into());
        cfg.particles.as_mut().unwrap().alpha = Some(1.0);
        // Every table at once: the game and a species system's tables.
        cfg.species.push(SpeciesConfig {
            name: "rho".into(),
            tau: 0.3,
            rate: 1.0,
            potential: "0.0".into(),
            init: "eq".into(),
        });
        cfg.coupling.push(CouplingConfig {
            target: "rho".into(),
            source: "rho".into(),
            kernel: Some("0.0".into()),
            kernel_spectrum: Some("0.0".into()),
            kernel_gradient: Some("vec2<f32>(0.0)".into()),
            interaction: Some("0.0".into()),
            interaction_modes: 2,
        });
        let value = toml::Table::try_from(&cfg).expect("serialize");
        let tables: Vec<&str> = value.keys().map(String::as_str).collect();
        let mut schema_tables: Vec<&str> = SCHEMA.iter().map(|t| t.name).collect();
        let mut sorted = tables.clone();
        sorted.sort_unstable();
        schema_tables.sort_unstable();
        assert_eq!(sorted, schema_tables);
        for spec in SCHEMA {
            let table = if spec.array {
                value[spec.name].as_array().expect("array")[0]
                    .as_table()
                    .expect("table")
            } else {
                value[spec.name].as_table().expect("table")
            };
            let mut got: Vec<&str> = table.keys().map(String::as_str).collect();
            let mut want: Vec<&str> = spec.keys.iter().map(|k| k.name).collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "keys of [{}]", spec.name);
        }
    }

    /// The value (as TOML) and the comment of `key`'s line in `[table]` of
    /// assets/default.toml; `commented` when the line itself is a comment
    /// (`# key = value`, an example of an optional key).
    fn documented(table: &str, key: &str) -> Option<(toml::Value, String, bool)> {
        let text = crate::config::DEFAULT_TOML;
        let mut current = "";
        for line in text.lines() {
            let t = line.trim();
            if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                current = name;
                continue;
            }
            if current != table {
                continue;
            }
            let (commented, body) = match t.strip_prefix('#') {
                Some(rest) => (true, rest.trim_start()),
                None => (false, t),
            };
            let Some((k, rest)) = body.split_once('=') else {
                continue;
            };
            if k.trim() != key {
                continue;
            }
            // The value ends at a `#` outside a string.
            let mut in_string = false;
            let cut = rest
                .char_indices()
                .find(|&(_, c)| {
                    in_string ^= c == '"';
                    c == '#' && !in_string
                })
                .map_or(rest.len(), |(i, _)| i);
            let value: toml::Value =
                toml::from_str::<toml::Table>(&format!("v = {}", &rest[..cut]))
                    .ok()?
                    .remove("v")?;
            return Some((value, rest[cut..].to_string(), commented));
        }
        None
    }

    /// Every optional key is documented in assets/default.toml, and a key
    /// left out takes the value shown there, or the one its comment gives as
    /// `(left out: VALUE)` (after [`Config::resolved`] fills the schedules);
    /// a rule in words there (`t_end / 10`) means the value is computed
    /// later, so the key stays unset when left out.
    #[test]
    fn default_toml_states_the_value_of_every_key_left_out() {
        let minimal = "[grid]\ndim = 2\nn = 256\n[game]\ntau = 0.2\n";
        let left_out = crate::config::Config::from_toml_str(minimal, "minimal").unwrap();
        let unresolved = toml::Table::try_from(&left_out).unwrap();
        let mut resolved = toml::Table::try_from(left_out.resolved()).unwrap();
        // `[particles]` left out means its defaults (read where used).
        resolved.insert(
            "particles".into(),
            toml::Value::try_from(left_out.particles_or_default()).unwrap(),
        );
        let get = |t: &toml::Table, table: &str, key: &str| -> Option<toml::Value> {
            t.get(table).and_then(|t| t.get(key)).cloned()
        };
        // Numbers compare as numbers (`0` and `0.0` alike).
        let same = |a: &Option<toml::Value>, b: &toml::Value| match (a, b) {
            (Some(x), y) => match (
                x.as_float().or(x.as_integer().map(|i| i as f64)),
                y.as_float().or(y.as_integer().map(|i| i as f64)),
            ) {
                (Some(p), Some(q)) => p == q,
                _ => x == y,
            },
            (None, _) => false,
        };
        // The species form's tables are documented by assets/examples and
        // the README, and checked by tests/species_config.rs.
        for spec in SCHEMA.iter().filter(|s| !s.array) {
            for key in spec.keys.iter().filter(|k| k.required.is_none()) {
                let dotted = format!("{}.{}", spec.name, key.name);
                let (shown, comment, commented) = documented(spec.name, key.name)
                    .unwrap_or_else(|| panic!("{dotted} is not in assets/default.toml"));
                let before = get(&unresolved, spec.name, key.name);
                let after = get(&resolved, spec.name, key.name);
                let claim = comment
                    .split_once("(left out: ")
                    .and_then(|(_, r)| r.rsplit_once(')'))
                    .map(|(c, _)| c.to_string());
                match claim {
                    Some(c) => match toml::from_str::<toml::Table>(&format!("v = {c}")) {
                        Ok(t) => assert!(same(&after, &t["v"]), "{dotted}: {c} vs {after:?}"),
                        Err(_) => assert_eq!(before, None, "{dotted}: the rule `{c}`"),
                    },
                    None if commented => assert_eq!(before, None, "{dotted}: an example only"),
                    None => assert!(same(&after, &shown), "{dotted}: {shown} vs {after:?}"),
                }
            }
        }
    }
}
