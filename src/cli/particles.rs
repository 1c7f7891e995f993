//! `mflda particles`: the particle systems of a flow, beside its grid solution.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::particles::run::execute;
use mflda::run::RunOptions;

use super::config_args::ConfigArgs;
use super::run::interrupt_on_signal;

/// Without a config file, `mflda particles` runs the embedded default game
/// on a coarser grid and a shorter span, so that the grid flow beside the
/// particles takes minutes on a CPU; `--set` overrides these too.
pub const PARTICLE_DEFAULTS: [&str; 5] = [
    "grid.n=128",
    "time.t_end=4",
    "output.metrics_every=0.2",
    "output.snapshots_every=1",
    "output.checkpoint_every=0",
];

/// Arguments of `mflda particles`. Without CONFIG: the embedded default
/// with `grid.n = 128`, `time.t_end = 4`, `output.metrics_every = 0.2`,
/// `output.snapshots_every = 1` ([`PARTICLE_DEFAULTS`]).
#[derive(Debug, Args)]
pub struct ParticlesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output directory (created; must be new, or an earlier one with --force).
    #[arg(long, short)]
    out: PathBuf,
    /// Overwrite an existing output directory.
    #[arg(long)]
    force: bool,
    /// No progress output and no adapter warning.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `mflda particles`.
pub fn run(ctx: &GpuContext, config: &Config, args: &ParticlesArgs) -> anyhow::Result<()> {
    let opts = RunOptions {
        out: args.out.clone(),
        force: args.force,
        quiet: args.quiet,
        interrupt: interrupt_on_signal(
            "stopping after the current steps (the metrics so far are kept)",
        ),
    };
    let s = execute(ctx, config, &opts)?;
    let mmd: Vec<String> = s
        .final_mmd
        .iter()
        .map(|(n, v)| format!("{n} {v:.3e}"))
        .collect();
    if !mmd.is_empty() {
        println!(
            "debiased squared MMD to the grid at t = {}: {}",
            s.t,
            mmd.join(", ")
        );
    }
    if s.interrupted {
        // As an interrupted `mflda run` does.
        std::process::exit(130);
    }
    Ok(())
}
