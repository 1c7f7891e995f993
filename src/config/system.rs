//! The system a configuration describes: the two-player `[game]` or a species
//! system (`[[species]]` and `[[coupling]]` tables), exclusive; their checks
//! (names, references between tables, ranges) and their expressions.

use super::schema::{Config, CouplingConfig, GameConfig};
use super::validate::{is_zero_expr, positive, MAX_INTERACTION_MODES};
use crate::game::{check_expr, check_spectrum, ExprKind};
use crate::{Error, Result};

/// Longest species name.
pub const MAX_NAME_LEN: usize = 32;

/// Names a species may not take: the members of a metrics row beside the
/// species (`t`, the gap as `ni` or `gap`, `free_energy`).
pub const RESERVED_NAMES: [&str; 4] = ["t", "ni", "gap", "free_energy"];

/// The Anderson depth of the game's equilibrium iteration when
/// `equilibrium.anderson` is left out.
pub const DEFAULT_ANDERSON: u32 = 8;

/// The Anderson depth in use: `set` (`equilibrium.anderson`), or when left
/// out [`DEFAULT_ANDERSON`] for the game (`game`), whose equilibrium is
/// unique, and 0 (the plain iteration) for a species system, which may have
/// several stationary states: the accelerated iteration converges to
/// unstable ones as readily as to stable ones.
pub fn anderson_depth(set: Option<u32>, game: bool) -> u32 {
    set.unwrap_or(if game { DEFAULT_ANDERSON } else { 0 })
}

impl Config {
    /// True when the config is the two-player `[game]`.
    pub fn is_game(&self) -> bool {
        self.game.is_some()
    }

    /// The Anderson depth of the equilibrium iteration ([`anderson_depth`]).
    pub fn anderson(&self) -> u32 {
        anderson_depth(self.equilibrium.anderson, self.is_game())
    }

    /// The `[game]` table, or an error saying that this config is a species
    /// system, for `what` (the feature that needs the game).
    pub fn game_table(&self, what: &str) -> Result<&GameConfig> {
        self.game.as_ref().ok_or_else(|| {
            Error::config(
                "game",
                format!(
                    "{what} needs the two-player [game]; this config is a species system \
                     ([[species]] {})",
                    self.species_names().join(", ")
                ),
            )
        })
    }

    /// The species names in state order: `mu`, `nu` for the game.
    pub fn species_names(&self) -> Vec<String> {
        if self.game.is_some() {
            vec!["mu".into(), "nu".into()]
        } else {
            self.species.iter().map(|s| s.name.clone()).collect()
        }
    }

    /// A species config's operator fields besides its state: the distinct
    /// nonzero convolution kernels (one multiplier each) and the nonzero
    /// potentials (one spectrum each), as `(kernels, potentials)`. The
    /// largest-grid check and the memory estimate count them.
    pub fn operator_counts(&self) -> (usize, usize) {
        let mut kernels: Vec<String> = self
            .coupling
            .iter()
            .filter_map(|c| c.kernel_key())
            .filter(|k| {
                !k.split_once(':')
                    .is_some_and(|(_, e)| crate::game::is_zero(e))
            })
            .collect();
        kernels.sort();
        kernels.dedup();
        let potentials = self
            .species
            .iter()
            .filter(|s| !crate::game::is_zero(&s.potential))
            .count();
        (kernels.len(), potentials)
    }

    /// Checks the system's tables: exactly one of `[game]` and `[[species]]`,
    /// the game's ranges, or each species' name, temperature and rate and each
    /// coupling's species and term.
    pub(crate) fn validate_system(&self) -> Result<()> {
        match (&self.game, self.species.is_empty()) {
            (Some(_), false) => {
                return Err(Error::config(
                    "species",
                    "`[game]` and `[[species]]` are exclusive: a config describes either the \
                     two-player game ([game]) or a species system ([[species]] and \
                     [[coupling]] tables); remove one",
                ))
            }
            (None, true) => {
                return Err(Error::config(
                    "game",
                    "missing the system: add a `[game]` table (at least `tau = 0.2`) for the \
                     two-player game, or one `[[species]]` table per species (at least \
                     `name = \"rho\"` and `tau = 0.3`)",
                ))
            }
            (Some(game), true) => {
                if !self.coupling.is_empty() {
                    return Err(Error::config(
                        "coupling",
                        "`[[coupling]]` tables belong to a species system; the game's terms \
                         are the keys of [game] (kernel, potential_mu, potential_nu, \
                         interaction)",
                    ));
                }
                return self.validate_game(game);
            }
            (None, false) => {}
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, s) in self.species.iter().enumerate() {
            let at = format!("species[{i}]");
            check_name(&format!("{at}.name"), &s.name)?;
            if seen.contains(&s.name.as_str()) {
                return Err(Error::config(
                    format!("{at}.name"),
                    format!(
                        "the name `{}` is used by two species; species names must be unique \
                         (they name files and metrics columns)",
                        s.name
                    ),
                ));
            }
            seen.push(&s.name);
            positive(&format!("{at}.tau"), s.tau, "e.g. tau = 0.3")?;
            positive(&format!("{at}.rate"), s.rate, "e.g. rate = 1.0")?;
            for (key, text) in [("potential", &s.potential), ("init", &s.init)] {
                if text.trim().is_empty() {
                    return Err(Error::config(
                        format!("{at}.{key}"),
                        "is empty; give a WGSL expression, e.g. \"0.0\" (or \"eq\" for init)",
                    ));
                }
            }
        }
        for (key, text) in [("init.mu", &self.init.mu), ("init.nu", &self.init.nu)] {
            if text.trim() != "eq" {
                return Err(Error::config(
                    key,
                    format!(
                        "`{key}` is the game's; in a species system give each species its \
                         initial density as `init` in its [[species]] table"
                    ),
                ));
            }
        }
        for (i, c) in self.coupling.iter().enumerate() {
            self.validate_coupling(i, c, &seen)?;
        }
        if self.output.w2lin && self.species.len() != 2 {
            return Err(Error::config(
                "output.w2lin",
                format!(
                    "the linearised W2 distances are measured for systems of two species \
                     (this one has {}); set output.w2lin = false",
                    self.species.len()
                ),
            ));
        }
        Ok(())
    }

    fn validate_game(&self, g: &GameConfig) -> Result<()> {
        positive("game.tau", g.tau, "e.g. tau = 0.2")?;
        positive("game.eta", g.eta, "use 1.0 for a single timescale")?;
        for (field, expr) in [
            ("game.kernel", &g.kernel),
            ("game.potential_mu", &g.potential_mu),
            ("game.potential_nu", &g.potential_nu),
            ("game.interaction", &g.interaction),
            ("init.mu", &self.init.mu),
            ("init.nu", &self.init.nu),
        ] {
            if expr.trim().is_empty() {
                return Err(Error::config(
                    field,
                    "is empty; give a WGSL expression, e.g. \"0.0\" (or \"eq\" for init)",
                ));
            }
        }
        if let Some(m) = &g.kernel_spectrum {
            if !is_zero_expr(&g.kernel) {
                return Err(Error::config(
                    "game.kernel_spectrum",
                    "`kernel` and `kernel_spectrum` are two forms of one kernel: give one of \
                     them (kernel_spectrum = M(kappa), the kernel's multiplier)",
                ));
            }
            if m.trim().is_empty() {
                return Err(Error::config(
                    "game.kernel_spectrum",
                    "is empty; give a WGSL expression",
                ));
            }
        }
        if g.kernel_gradient.is_some() && g.kernel_spectrum.is_some() {
            return Err(Error::config(
                "game.kernel_gradient",
                "is the gradient of `kernel` in space; a kernel given by `kernel_spectrum` has \
                 none: give the kernel as `kernel` with its gradient, or leave kernel_gradient out",
            ));
        }
        check_modes(
            "game.interaction_modes",
            g.interaction_modes,
            &g.interaction,
            self.grid.n,
        )
    }

    fn validate_coupling(&self, i: usize, c: &CouplingConfig, names: &[&str]) -> Result<()> {
        let at = format!("coupling[{i}]");
        for (key, name) in [("target", &c.target), ("source", &c.source)] {
            if !names.contains(&name.as_str()) {
                return Err(Error::config(
                    format!("{at}.{key}"),
                    format!(
                        "unknown species `{name}`; the species are {}",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        let terms = [
            c.kernel.is_some(),
            c.kernel_spectrum.is_some(),
            c.interaction.is_some(),
        ];
        let given = terms.iter().filter(|&&t| t).count();
        if given != 1 {
            return Err(Error::config(
                &at,
                format!(
                    "a [[coupling]] has exactly one of `kernel`, `kernel_spectrum` and \
                     `interaction` ({given} given); give each term its own [[coupling]] table"
                ),
            ));
        }
        for (key, text) in [
            ("kernel", &c.kernel),
            ("kernel_spectrum", &c.kernel_spectrum),
            ("interaction", &c.interaction),
        ] {
            if text.as_ref().is_some_and(|t| t.trim().is_empty()) {
                return Err(Error::config(
                    format!("{at}.{key}"),
                    "is empty; give a WGSL expression",
                ));
            }
        }
        if c.kernel_gradient.is_some() && c.kernel.is_none() {
            return Err(Error::config(
                format!("{at}.kernel_gradient"),
                "is the gradient of the coupling's `kernel` in space, and this coupling has no \
                 `kernel`: give the kernel as `kernel` with its gradient, or leave \
                 kernel_gradient out",
            ));
        }
        if let Some(g) = &c.interaction {
            if c.interaction_modes == 0 && !is_zero_expr(g) {
                return Err(Error::config(
                    format!("{at}.interaction_modes"),
                    "must be at least 1 for an interaction (0 keeps no mode of it); e.g. \
                     interaction_modes = 2",
                ));
            }
            check_modes(
                &format!("{at}.interaction_modes"),
                c.interaction_modes,
                g,
                self.grid.n,
            )?;
        }
        Ok(())
    }

    /// Checks every expression of the system with naga (on the CPU).
    pub(crate) fn check_system_expressions(&self) -> Result<()> {
        if let Some(g) = &self.game {
            crate::game::PayoffSpec {
                kernel: &g.kernel,
                potential_mu: &g.potential_mu,
                potential_nu: &g.potential_nu,
                interaction: &g.interaction,
                interaction_modes: g.interaction_modes,
            }
            .check(self.grid.dim)?;
            if let Some(m) = &g.kernel_spectrum {
                check_spectrum("game.kernel_spectrum", m)?;
            }
            if let Some(d) = &g.kernel_gradient {
                check_expr("game.kernel_gradient", d, ExprKind::KernelGradient)?;
            }
            crate::game::check_init("init.mu", &self.init.mu)?;
            crate::game::check_init("init.nu", &self.init.nu)?;
            return Ok(());
        }
        for (i, s) in self.species.iter().enumerate() {
            check_expr(
                &format!("species[{i}].potential"),
                &s.potential,
                ExprKind::Potential,
            )?;
            crate::game::check_init(&format!("species[{i}].init"), &s.init)?;
        }
        for (i, c) in self.coupling.iter().enumerate() {
            let at = format!("coupling[{i}]");
            if let Some(k) = &c.kernel {
                check_expr(&format!("{at}.kernel"), k, ExprKind::Kernel)?;
            }
            if let Some(d) = &c.kernel_gradient {
                check_expr(
                    &format!("{at}.kernel_gradient"),
                    d,
                    ExprKind::KernelGradient,
                )?;
            }
            if let Some(m) = &c.kernel_spectrum {
                check_spectrum(&format!("{at}.kernel_spectrum"), m)?;
            }
            if let Some(g) = &c.interaction {
                check_expr(&format!("{at}.interaction"), g, ExprKind::Interaction)?;
            }
        }
        Ok(())
    }
}

/// A species name: 1 to [`MAX_NAME_LEN`] ASCII letters, digits and `_`,
/// starting with a letter, so that it is usable in file names and metrics
/// columns.
fn check_name(field: &str, name: &str) -> Result<()> {
    if RESERVED_NAMES.contains(&name) {
        return Err(Error::config(
            field,
            format!(
                "`{name}` names a metrics column of its own ({}); choose another species name",
                RESERVED_NAMES.join(", ")
            ),
        ));
    }
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        return Ok(());
    }
    Err(Error::config(
        field,
        format!(
            "`{name}` is not a usable species name: it names files (`{name}_star.npy`) and \
             metrics columns, so use 1 to {MAX_NAME_LEN} letters, digits and `_`, starting with \
             a letter, e.g. `rho` or `prey_1`"
        ),
    ))
}

/// `modes` is at most [`MAX_INTERACTION_MODES`] and, when the interaction is
/// not identically zero, below `n / 2`.
fn check_modes(field: &str, modes: u32, interaction: &str, n: u32) -> Result<()> {
    if modes > MAX_INTERACTION_MODES {
        return Err(Error::config(
            field,
            format!("must be at most {MAX_INTERACTION_MODES} (got {modes})"),
        ));
    }
    if !is_zero_expr(interaction) && modes >= n / 2 {
        return Err(Error::config(
            field,
            format!(
                "must be < grid.n / 2 = {} so that the band-limited modes exist on the grid (got \
                 {modes}); lower it or raise grid.n",
                n / 2
            ),
        ));
    }
    Ok(())
}
