//! `mflda run` and `mflda equilibrium`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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
    #[arg(long, short, required_unless_present = "resume")]
    out: Option<PathBuf>,
    /// Override a config key, e.g. `--set game.tau=0.05` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Overwrite an existing run directory.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    /// Continue the run in DIR from its newest checkpoint (its config.toml is used).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "out", "sets", "force"])]
    resume: Option<PathBuf>,
    /// With --resume: run on to this later end time (also past the end of a
    /// complete run), recorded in DIR/config.toml.
    #[arg(long, value_name = "T", requires = "resume")]
    t_end: Option<f64>,
}

impl RunArgs {
    /// The configuration with overrides applied, validated; `None` when resuming.
    pub fn config(&self) -> mflda::Result<Option<Config>> {
        if self.resume.is_some() {
            return Ok(None);
        }
        let config = match &self.config {
            Some(path) => Config::load_with_sets(path, &self.sets)?,
            None => Config::from_toml_str_with_sets(
                mflda::config::DEFAULT_TOML,
                "the embedded default (assets/default.toml)",
                &self.sets,
            )?,
        };
        Ok(Some(config))
    }

    fn options(&self, stop: Option<Arc<AtomicBool>>) -> RunOptions {
        RunOptions {
            out: self
                .resume
                .clone()
                .or_else(|| self.out.clone())
                .unwrap_or_default(),
            force: self.force,
            quiet: self.quiet,
            stop,
        }
    }
}

/// A flag set by the first Ctrl-C or SIGTERM (the run then stops after its
/// current chunk of steps and writes a checkpoint); a second signal exits at once.
fn stop_flag() -> Option<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if seen.swap(true, Ordering::SeqCst) {
            eprintln!("\nsecond interrupt: exiting now");
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: stopping after the current steps and writing a checkpoint (again to exit now)");
    });
    installed.ok().map(|()| flag)
}

/// `mflda run` (fresh or `--resume`).
pub fn run(ctx: &GpuContext, config: Option<&Config>, args: &RunArgs) -> anyhow::Result<()> {
    let opts = args.options(stop_flag());
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
    config: Option<&Config>,
    args: &RunArgs,
) -> anyhow::Result<()> {
    let Some(config) = config else {
        anyhow::bail!("--resume applies to `mflda run` only");
    };
    let opts = args.options(None);
    let s = run::equilibrium_only(ctx, config, &opts)?;
    println!(
        "equilibrium: {} iterations, residual {:.3e}, NI {:.3e}, step {:.4} ({:?}); \
         written to {}",
        s.iterations,
        s.residual,
        s.ni,
        s.step,
        s.stop,
        opts.out.display()
    );
    if let Some(w) = s.warning(&config.equilibrium) {
        eprintln!("{w}");
    }
    Ok(())
}
