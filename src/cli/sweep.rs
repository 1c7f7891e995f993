//! `mflda sweep`: run, emit as jobs, or collect a parameter sweep.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use mflda::gpu::AdapterRequest;
use mflda::sweep::{
    chaos_table, collect, collect_chaos, format_table, job_lines, run_chaos, run_sweep,
    write_sweep_plot, JobOptions, Param, Point, Record, Status, Sweep, SweepOptions, CHAOS_CSV,
    DEFAULT_CONVERGED_RATIO, SWEEP_CSV,
};

/// Exit status when some runs failed (or, with `--collect`, are missing).
const SOME_FAILED: i32 = 2;

/// Arguments of `mflda sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// TOML configuration every run starts from; without it, the embedded
    /// default (assets/default.toml).
    config: Option<PathBuf>,
    /// A swept key and its values, e.g. `--param game.tau=0.5,0.2,0.1`
    /// (repeatable: the sweep is the Cartesian product, the first varying
    /// slowest). Commas inside parentheses or quotes do not split values.
    #[arg(long = "param", value_name = "KEY=V1,V2,...", required = true)]
    params: Vec<String>,
    /// The sweep directory: sweep.csv and one run directory per configuration.
    #[arg(long, short)]
    out: PathBuf,
    /// Override a config key in every run, e.g. `--set time.t_end=50` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Write one `mflda run` command per configuration to FILE instead of
    /// running (for `parallel < FILE` or a Slurm array).
    #[arg(long, value_name = "FILE", conflicts_with = "collect")]
    emit_jobs: Option<PathBuf>,
    /// Only build sweep.csv from the run directories' summary.json.
    #[arg(long)]
    collect: bool,
    /// Follow a branch of stationary states along the one --param, each
    /// equilibrium started from the previous one, instead of running each
    /// configuration: writes branch.csv (parameter, distance from uniform,
    /// first Fourier amplitude, free energy, gap, rightmost eigenvalue,
    /// stable) and the bifurcation plot branch.png / .svg.
    #[arg(long = "continue", conflicts_with_all = ["emit_jobs", "collect"])]
    follow: bool,
    /// A propagation-of-chaos study: run `mflda particles` for every
    /// configuration (typically `--param particles.n=...` and `time.dt`)
    /// and write chaos.csv (the MMD between the particles and the grid
    /// averaged over the second half of each run, its noise floor, the
    /// debiased value, the slope of log MMD against log n) and chaos.png.
    #[arg(long, conflicts_with = "follow")]
    particles: bool,
    /// Overwrite an earlier sweep in the same directory.
    #[arg(long)]
    force: bool,
    /// No per-run progress output.
    #[arg(long, short)]
    quiet: bool,
    /// A run counts as converged when its joint L2 distance to the
    /// equilibrium fell by this factor.
    #[arg(long, value_name = "RATIO", default_value_t = DEFAULT_CONVERGED_RATIO)]
    converged_ratio: f64,
}

/// `mflda sweep`. Exits with status 2 when some runs failed (the rest of
/// the sweep completed); sweep-level errors are returned (status 1).
pub fn run(request: &AdapterRequest, args: SweepArgs) -> anyhow::Result<()> {
    if !(args.converged_ratio > 0.0 && args.converged_ratio < 1.0) {
        anyhow::bail!(
            "--converged-ratio must be in (0, 1), e.g. 1e-3 (got {})",
            args.converged_ratio
        );
    }
    let params = args
        .params
        .iter()
        .map(|p| Param::parse(p))
        .collect::<mflda::Result<Vec<_>>>()?;
    // A study without a config runs what `mflda particles` runs without
    // one: its defaults first, as --set, so that emitted jobs match.
    let sets: Vec<String> = if args.particles && args.config.is_none() {
        super::particles::PARTICLE_DEFAULTS
            .iter()
            .map(|s| s.to_string())
            .chain(args.sets.iter().cloned())
            .collect()
    } else {
        args.sets.clone()
    };
    let sweep = Sweep::new(args.config.as_deref(), sets, params, &args.out)?;
    if args.follow {
        return follow(request, &sweep, &args);
    }
    if let Some(file) = &args.emit_jobs {
        return emit(request, &sweep, &args, file);
    }
    if args.particles {
        return chaos(request, &sweep, &args);
    }
    let records = if args.collect {
        collect(&sweep, args.converged_ratio)?
    } else {
        let ctx = super::context(request, args.quiet)?;
        let total = sweep.points().len();
        let opts = SweepOptions {
            force: args.force,
            quiet: args.quiet,
            converged_ratio: args.converged_ratio,
            interrupt: super::run::interrupt_on_signal(
                "stopping the current run at a checkpoint (at once in its equilibrium), then the sweep",
            ),
        };
        run_sweep(&ctx, &sweep, &opts, &mut |point, record| {
            say_done(&sweep, total, point, &record.status, &record.error)
        })?
    };
    print!("{}", format_table(&sweep, &records));
    println!("table written to {}", sweep.out.join(SWEEP_CSV).display());
    match write_sweep_plot(&sweep, &records)? {
        Some(png) => println!("rates plotted in {}", png.display()),
        None => println!("no rate plot: the first --param's values are not numbers"),
    }
    report_failures(&records)
}

/// The line on stderr for a finished configuration: `[i/total] values:
/// status` and the first line of its error.
fn say_done(sweep: &Sweep, total: usize, point: &Point, status: &Status, error: &str) {
    eprintln!(
        "[{}/{total}] {}: {status}{}",
        point.index,
        sweep.describe(point),
        error
            .lines()
            .next()
            .map_or(String::new(), |l| format!(": {l}"))
    );
}

/// `--particles`: the propagation-of-chaos study (or its collection).
fn chaos(request: &AdapterRequest, sweep: &Sweep, args: &SweepArgs) -> anyhow::Result<()> {
    let first = sweep.points().into_iter().next();
    let names = match first.map(|p| sweep.config_for(&p)) {
        Some(Ok(config)) => config.species_names(),
        Some(Err(e)) => return Err(e.into()),
        None => anyhow::bail!("the sweep has no configuration"),
    };
    let records = if args.collect {
        collect_chaos(sweep, &names)?
    } else {
        let ctx = super::context(request, args.quiet)?;
        let total = sweep.points().len();
        let opts = SweepOptions {
            force: args.force,
            quiet: args.quiet,
            converged_ratio: args.converged_ratio,
            interrupt: super::run::interrupt_on_signal("stopping the study after the current run"),
        };
        run_chaos(&ctx, sweep, &names, &opts, &mut |point, record| {
            say_done(sweep, total, point, &record.status, &record.error)
        })?
    };
    print!("{}", chaos_table(sweep, &names, &records));
    println!("table written to {}", sweep.out.join(CHAOS_CSV).display());
    if sweep.out.join("chaos.png").is_file() {
        println!(
            "MMD against n plotted in {}",
            sweep.out.join("chaos.png").display()
        );
    }
    let bad = records
        .iter()
        .filter(|r| matches!(r.status, Status::Failed | Status::Missing))
        .count();
    if bad > 0 {
        eprintln!("{bad} of {} runs did not complete:", records.len());
        for r in records.iter().filter(|r| r.status != Status::Ok) {
            eprintln!("  {} {}: {}", r.dir, r.status, r.error);
        }
        let _ = std::io::stdout().flush();
        std::process::exit(SOME_FAILED);
    }
    Ok(())
}

/// `--continue`: the branch, printed point by point, then its files.
fn follow(request: &AdapterRequest, sweep: &Sweep, args: &SweepArgs) -> anyhow::Result<()> {
    let ctx = super::context(request, args.quiet)?;
    let interrupt = super::run::interrupt_on_signal("stopping the branch after this point");
    let key = sweep
        .params
        .first()
        .map_or("", |p| p.key.as_str())
        .to_string();
    println!(
        "{key:>14} {:>12} {:>10} {:>13} {:>10} {:>11}  stable",
        "distance", "fourier_1", "free_energy", "gap", "rightmost"
    );
    let points = mflda::sweep::follow_branch(&ctx, sweep, args.quiet, &interrupt, &mut |p| {
        println!(
            "{:>14} {:>12.4e} {:>10.4} {:>13.6} {:>10.2e} {:>+11.5}  {}",
            p.value,
            p.distance_from_uniform,
            p.fourier_1,
            p.free_energy,
            p.gap,
            p.rightmost.0,
            if p.stable { "yes" } else { "no" }
        );
    })?;
    println!(
        "{} points: {} and the bifurcation plot branch.png in {}",
        points.len(),
        mflda::sweep::BRANCH_CSV,
        sweep.out.display()
    );
    Ok(())
}

/// Writes the job file and says how to run it.
fn emit(
    request: &AdapterRequest,
    sweep: &Sweep,
    args: &SweepArgs,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    for point in sweep.points() {
        if let Err(e) = sweep.config_for(&point) {
            eprintln!(
                "warning: {} ({}) will fail: {e}",
                sweep.dir_name(&point),
                sweep.describe(&point)
            );
        }
    }
    let program = std::env::current_exe()?;
    let opts = JobOptions {
        backend: request.backend.clone(),
        adapter: request.adapter.clone(),
        force: args.force,
        quiet: args.quiet,
        particles: args.particles,
    };
    let mut text = job_lines(sweep, &program, &opts).join("\n");
    text.push('\n');
    mflda::output::write_atomic(file, text.as_bytes())?;
    let n = sweep.points().len();
    println!(
        "{n} commands written to {}; run them with `parallel < {0}` or a Slurm array \
         (--array=1-{n}), then `mflda sweep ... --collect` to build {}",
        file.display(),
        sweep
            .out
            .join(if args.particles { CHAOS_CSV } else { SWEEP_CSV })
            .display()
    );
    Ok(())
}

/// Lists failed and missing runs on stderr and exits with status 2 if any.
fn report_failures(records: &[Record]) -> anyhow::Result<()> {
    let bad: Vec<&Record> = records
        .iter()
        .filter(|r| matches!(r.status, Status::Failed | Status::Missing))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    eprintln!("{} of {} runs did not complete:", bad.len(), records.len());
    for r in &bad {
        eprintln!("  {} {}: {}", r.dir, r.status, r.error);
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(SOME_FAILED);
}
