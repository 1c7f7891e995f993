//! `mflda peer-export`.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::output::RunDir;

use super::config_args::ConfigArgs;

/// Arguments of `mflda peer-export`.
#[derive(Debug, Args)]
pub struct PeerExportArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output directory for the .npy files and params.json.
    #[arg(long, short)]
    out: PathBuf,
    /// Grid side N (the same as `--set grid.n=N`).
    #[arg(long)]
    n: Option<u32>,
    /// Overwrite an existing output directory written by mflda.
    #[arg(long)]
    force: bool,
}

impl PeerExportArgs {
    /// The configuration with `--n` and the overrides applied, validated.
    pub fn load(&self) -> mflda::Result<Config> {
        let n: Vec<String> = self.n.iter().map(|n| format!("grid.n={n}")).collect();
        self.config.load(&n)
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
