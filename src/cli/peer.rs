//! `mflda peer-export`.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::output::RunDir;

/// Arguments of `mflda peer-export`.
#[derive(Debug, Args)]
pub struct PeerExportArgs {
    /// TOML configuration; without it, the embedded default (assets/default.toml).
    config: Option<PathBuf>,
    /// Output directory for the .npy files and params.json.
    #[arg(long, short)]
    out: PathBuf,
    /// Grid side N (the same as `--set grid.n=N`).
    #[arg(long)]
    n: Option<u32>,
    /// Override a config key, e.g. `--set grid.dim=1` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Overwrite an existing output directory written by mflda.
    #[arg(long)]
    force: bool,
}

impl PeerExportArgs {
    /// The configuration with `--n` and the overrides applied, validated.
    pub fn config(&self) -> mflda::Result<Config> {
        let mut sets = self.sets.clone();
        if let Some(n) = self.n {
            sets.push(format!("grid.n={n}"));
        }
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

/// Runs `mflda peer-export`.
pub fn run(ctx: &GpuContext, config: &Config, args: &PeerExportArgs) -> anyhow::Result<()> {
    let dir = RunDir::create(&args.out, args.force)?;
    let export = match mflda::peer::export(ctx, config, &dir) {
        Ok(e) => e,
        Err(e) => {
            dir.discard();
            return Err(e.into());
        }
    };
    let [n2, n1] = export.params.shape;
    println!(
        "one ETDRK4 step on a {n2} x {n1} grid written to {}; check it with\n    \
         python3 benches/peer/jax_step.py --check {}",
        dir.path().display(),
        dir.path().display()
    );
    Ok(())
}
