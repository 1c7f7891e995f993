//! `mflda analyze`.

use std::path::PathBuf;

use clap::Args;
use mflda::analysis::analyze::{analyze, table};
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::output::RunDir;

/// Arguments of `mflda analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// TOML configuration; without it, the embedded default.
    config: Option<PathBuf>,
    /// Output directory (analysis.json, equilibrium, eigenvectors).
    #[arg(long, short)]
    out: PathBuf,
    /// Override a config key (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Also run the perturbed trajectory of `[init]` and fit its decay rate.
    #[arg(long)]
    run: bool,
    /// Overwrite an existing directory.
    #[arg(long)]
    force: bool,
}

impl AnalyzeArgs {
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
}

/// Runs `mflda analyze`.
pub fn run(ctx: &GpuContext, config: &Config, args: &AnalyzeArgs) -> anyhow::Result<()> {
    let dir = RunDir::create(&args.out, args.force)?;
    let a = analyze(ctx, config, &dir, args.run, false)?;
    print!("{}", table(&a));
    println!("written to {}", dir.file("analysis.json").display());
    if let Some(w) = a.equilibrium.warning(&config.equilibrium) {
        eprintln!("{w}");
    }
    Ok(())
}
