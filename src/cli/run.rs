//! `mflda run` and `mflda equilibrium`.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::run::{self, RunOptions};

/// Arguments shared by `run` and `equilibrium`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// TOML configuration; without it, the embedded default (assets/default.toml).
    config: Option<PathBuf>,
    /// Output directory (created; must be new, or an earlier run with --force).
    #[arg(long, short)]
    out: PathBuf,
    /// Override a config key, e.g. `--set game.tau=0.05` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Overwrite an existing run directory.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

impl RunArgs {
    /// The configuration with overrides applied, validated.
    pub fn config(&self) -> mflda::Result<Config> {
        match &self.config {
            Some(path) => Config::load_with_sets(path, &self.sets),
            None => Config::from_toml_str_with_sets(
                mflda::config::DEFAULT_TOML,
                "the embedded default (assets/default.toml)",
                &self.sets,
            ),
        }
    }

    fn options(&self) -> RunOptions {
        RunOptions {
            out: self.out.clone(),
            force: self.force,
            quiet: self.quiet,
        }
    }
}

/// `mflda run`.
pub fn run(ctx: &GpuContext, config: &Config, args: &RunArgs) -> anyhow::Result<()> {
    run::execute(ctx, config, &args.options())?;
    Ok(())
}

/// `mflda equilibrium`.
pub fn equilibrium(ctx: &GpuContext, config: &Config, args: &RunArgs) -> anyhow::Result<()> {
    let s = run::equilibrium_only(ctx, config, &args.options())?;
    println!(
        "equilibrium: {} iterations, residual {:.3e}, NI {:.3e}, step {:.4} ({:?}); \
         written to {}",
        s.iterations,
        s.residual,
        s.ni,
        s.step,
        s.stop,
        args.out.display()
    );
    Ok(())
}
