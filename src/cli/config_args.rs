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
        let sets: Vec<String> = self.sets.iter().chain(extra).cloned().collect();
        match &self.config {
            Some(path) => Config::load_with_sets(path, &sets),
            None => Config::from_toml_str_with_sets(
                mflda::config::DEFAULT_TOML,
                "the embedded default (assets/default.toml)",
                &sets,
            ),
        }
    }
}
