//! `mflda particles`: the particle systems of a flow, beside its grid solution.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::particles::resume::resume;
use mflda::particles::run::execute;
use mflda::run::RunOptions;

use super::config_args::ConfigArgs;
use super::run::interrupt_on_signal;

/// Without a config file, `mflda particles` runs the embedded default game
/// on a coarser grid and a shorter span, so that the grid flow beside the
/// particles takes minutes on a CPU; `--set` overrides these too.
pub const PARTICLE_DEFAULTS: [&str; 4] = [
    "grid.n=128",
    "time.t_end=4",
    "output.metrics_every=0.2",
    "output.snapshots_every=1",
];

/// Arguments of `mflda particles`. Without CONFIG: the embedded default
/// with `grid.n = 128`, `time.t_end = 4`, `output.metrics_every = 0.2`,
/// `output.snapshots_every = 1` ([`PARTICLE_DEFAULTS`]).
#[derive(Debug, Args)]
pub struct ParticlesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output directory, required unless --resume (created; must be new, or
    /// an earlier one with --force).
    #[arg(long, short, required_unless_present = "resume")]
    out: Option<PathBuf>,
    /// Overwrite an existing output directory.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// No progress output and no adapter warning.
    #[arg(long, short)]
    pub quiet: bool,
    /// Continue the particle run in DIR from its newest checkpoint (its
    /// config.toml is used).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "out", "sets"])]
    resume: Option<PathBuf>,
    /// The end time: for a new run the same as `--set time.t_end=T`; with
    /// --resume, a later end time to run on to (also past the end of a
    /// complete run), recorded in DIR/config.toml.
    #[arg(long, value_name = "T")]
    t_end: Option<f64>,
}

impl ParticlesArgs {
    /// The configuration with the defaults and overrides applied,
    /// validated; `None` when resuming.
    pub fn load(&self) -> mflda::Result<Option<Config>> {
        self.config
            .load_unless_resuming(self.resume.is_some(), &PARTICLE_DEFAULTS, self.t_end)
    }
}

/// Runs `mflda particles` (fresh or `--resume`).
pub fn run(ctx: &GpuContext, config: Option<&Config>, args: &ParticlesArgs) -> anyhow::Result<()> {
    let opts = RunOptions {
        out: args
            .resume
            .clone()
            .or_else(|| args.out.clone())
            .unwrap_or_default(),
        force: args.force,
        quiet: args.quiet,
        interrupt: interrupt_on_signal(
            "stopping: a checkpoint is written after the current steps, and a run still \
             computing its equilibrium stops at once",
        ),
        equilibrium_from: None,
    };
    let s = match (config, &args.resume) {
        (_, Some(dir)) => resume(ctx, dir, args.t_end, &opts)?,
        (Some(config), None) => execute(ctx, config, &opts)?,
        (None, None) => anyhow::bail!("nothing to run: give a config or --resume DIR"),
    };
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
    Ok(())
}
