//! The arguments every configured subcommand shares: a config file (or the
//! embedded default) and `--set` overrides.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;

/// `[CONFIG.toml] [--set KEY=VALUE ...]`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML configuration; without it, the embedded default (assets/default.toml).
    pub config: Option<PathBuf>,
    /// Override a config key, e.g. `--set game.tau=0.05` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

impl ConfigArgs {
    /// The configuration with the overrides and then `extra` (more
    /// `key=value` overrides, from other flags) applied, validated.
    pub fn load(&self, extra: &[String]) -> mflda::Result<Config> {
        self.load_with_defaults(&[], extra)
    }

    /// [`Self::load`], with `defaults` (`key=value` overrides) applied to the
    /// embedded default before the user's: a subcommand's own default run.
    /// A config file given is used as it is.
    pub fn load_with_defaults(&self, defaults: &[&str], extra: &[String]) -> mflda::Result<Config> {
        let own = defaults.iter().map(|s| s.to_string());
        let own: Vec<String> = if self.config.is_none() {
            own.collect()
        } else {
            Vec::new()
        };
        let sets: Vec<String> = own.iter().chain(&self.sets).chain(extra).cloned().collect();
        match &self.config {
            Some(path) => Config::load_with_sets(path, &sets),
            None => Config::from_toml_str_with_sets(
                mflda::config::DEFAULT_TOML,
                "the embedded default (assets/default.toml)",
                &sets,
            ),
        }
    }

    /// For a command that can also resume: `None` when `resuming` (the run
    /// directory's config.toml is used), else [`Self::load_with_defaults`]
    /// with `--t-end T` applied as `time.t_end=T`.
    pub fn load_unless_resuming(
        &self,
        resuming: bool,
        defaults: &[&str],
        t_end: Option<f64>,
    ) -> mflda::Result<Option<Config>> {
        if resuming {
            return Ok(None);
        }
        let t_end: Vec<String> = t_end.iter().map(|t| format!("time.t_end={t}")).collect();
        self.load_with_defaults(defaults, &t_end).map(Some)
    }
}
