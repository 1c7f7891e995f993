//! `mflda run` and `mflda equilibrium`.

use std::path::PathBuf;

use clap::Args;
use mflda::config::Config;
use mflda::gpu::GpuContext;
use mflda::interrupt::Interrupt;
use mflda::run::{self, RunOptions};

use super::config_args::ConfigArgs;

/// Arguments of `mflda run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output directory, required unless --resume (created; must be new, or
    /// an earlier run with --force).
    #[arg(long, short, required_unless_present = "resume")]
    out: Option<PathBuf>,
    /// Overwrite an existing run directory.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// No progress output and no adapter warning.
    #[arg(long, short)]
    pub quiet: bool,
    /// Continue the run in DIR from its newest checkpoint (its config.toml is used).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "out", "sets"])]
    resume: Option<PathBuf>,
    /// The end time: for a new run the same as `--set time.t_end=T`; with
    /// --resume, a later end time to run on to (also past the end of a
    /// complete run), recorded in DIR/config.toml.
    #[arg(long, value_name = "T")]
    t_end: Option<f64>,
    /// Take the equilibrium a run (or analysis, or `mflda equilibrium`) of the
    /// same problem wrote into this directory (its summary and
    /// `<name>_star.npy`) rather than solving it again; the time, output and
    /// init settings may differ.
    #[arg(long, value_name = "RUN_DIR", conflicts_with = "resume")]
    equilibrium_from: Option<PathBuf>,
}

impl RunArgs {
    /// The configuration with overrides applied, validated; `None` when resuming.
    pub fn load(&self) -> mflda::Result<Option<Config>> {
        self.config
            .load_unless_resuming(self.resume.is_some(), &[], self.t_end)
    }
}

/// Arguments of `mflda equilibrium`.
#[derive(Debug, Args)]
pub struct EquilibriumArgs {
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

/// An interrupt requested by the first Ctrl-C or SIGTERM: a run then stops
/// after its current steps and writes a checkpoint, an equilibrium or an
/// analysis stops at once. A second signal exits at once. `what` says what
/// the first signal does.
pub fn interrupt_on_signal(what: &'static str) -> Interrupt {
    let interrupt = Interrupt::new();
    let seen = interrupt.clone();
    let installed = ctrlc::set_handler(move || {
        if seen.request() {
            eprintln!("\nsecond interrupt: exiting now");
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: {what} (interrupt again to exit now)");
    });
    match installed {
        Ok(()) => interrupt,
        Err(_) => Interrupt::never(),
    }
}

/// `mflda run` (fresh or `--resume`).
pub fn run(ctx: &GpuContext, config: Option<&Config>, args: &RunArgs) -> anyhow::Result<()> {
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
        equilibrium_from: args.equilibrium_from.clone(),
    };
    match (config, &args.resume) {
        (_, Some(dir)) => match args.t_end {
            Some(t_end) => run::extend(ctx, dir, t_end, &opts)?,
            None => run::resume(ctx, dir, &opts)?,
        },
        (Some(config), None) => run::execute(ctx, config, &opts)?,
        (None, None) => anyhow::bail!("nothing to run: give a config or --resume DIR"),
    };
    Ok(())
}

/// `mflda equilibrium`.
pub fn equilibrium(
    ctx: &GpuContext,
    config: &Config,
    args: &EquilibriumArgs,
) -> anyhow::Result<()> {
    let opts = RunOptions {
        out: args.out.clone(),
        force: args.force,
        quiet: args.quiet,
        interrupt: interrupt_on_signal("stopping the equilibrium iteration"),
        equilibrium_from: None,
    };
    let s = run::equilibrium_only(ctx, config, &opts)?;
    println!("{}; written to {}", s.describe(), opts.out.display());
    if let Some(w) = s.warning(&config.equilibrium) {
        eprintln!("{w}");
    }
    Ok(())
}
