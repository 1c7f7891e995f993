//! `mflda analyze`.

use std::path::PathBuf;

use clap::Args;
use mflda::analysis::analyze::{analyze, analyze_from, table};
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::output::RunDir;

use super::config_args::ConfigArgs;
use super::run::interrupt_on_signal;

/// Arguments of `mflda analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output directory (analysis.json, equilibrium, eigenvectors).
    #[arg(long, short)]
    out: PathBuf,
    /// Also run the perturbed trajectory of `[init]` and fit its decay rate.
    #[arg(long)]
    run: bool,
    /// Overwrite an existing directory.
    #[arg(long)]
    force: bool,
    /// Take the equilibrium a run (or analysis, or `mflda equilibrium`) of the
    /// same problem wrote into this directory (its summary and
    /// `<name>_star.npy`) rather than solving it again.
    #[arg(long, value_name = "RUN_DIR")]
    equilibrium_from: Option<PathBuf>,
    /// No progress output and no adapter warning.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `mflda analyze`.
pub fn run(ctx: &GpuContext, config: &Config, args: &AnalyzeArgs) -> anyhow::Result<()> {
    if let Some(from) = &args.equilibrium_from {
        let same = match (
            std::fs::canonicalize(from),
            std::fs::canonicalize(&args.out),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        anyhow::ensure!(
            !same,
            "--out and --equilibrium-from name the same directory ({}): the analysis would \
             replace the equilibrium it reads; choose another --out",
            args.out.display()
        );
    }
    let dir = RunDir::create(&args.out, args.force)?;
    let interrupt = interrupt_on_signal("stopping the analysis");
    let analysis = match &args.equilibrium_from {
        Some(from) => analyze_from(ctx, config, &dir, args.run, from, args.quiet, &interrupt),
        None => analyze(ctx, config, &dir, args.run, args.quiet, &interrupt),
    };
    let a = match analysis {
        Ok(a) => a,
        Err(e) => {
            dir.discard();
            return Err(e.into());
        }
    };
    print!("{}", table(&a));
    println!("written to {}", dir.file("analysis.json").display());
    if let Some(w) = a.equilibrium.warning(&config.equilibrium) {
        eprintln!("{w}");
    }
    Ok(())
}
