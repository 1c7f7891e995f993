//! Command-line arguments (clap) and the dispatch to each subcommand.

mod analyze;
mod bench;
mod config_args;
mod info;
mod particles;
mod peer;
mod plot;
mod render;
mod run;
mod sweep;
mod w2;

use clap::{Parser, Subcommand};
use mflda::gpu::{AdapterRequest, GpuContext};

/// mflda: mean-field Langevin descent-ascent on torus grids, on the GPU.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Backends to consider, comma-separated: vulkan, gl, metal, dx12
    /// (default: all; also read from WGPU_BACKEND).
    #[arg(long, global = true)]
    backend: Option<String>,
    /// Pick the adapter whose name contains this text, case-insensitive
    /// (also read from WGPU_ADAPTER_NAME).
    #[arg(long, global = true)]
    adapter: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the chosen adapter, the limits that bound the grid size, and the
    /// largest square grid this device can hold.
    Info,
    /// Simulate MFL-DA: equilibrium, time stepping, metrics and snapshots.
    Run(run::RunArgs),
    /// Simulate the particle systems of the flow (Langevin descent-ascent),
    /// beside the grid flow from the same densities: [particles] table.
    Particles(particles::ParticlesArgs),
    /// Compute and write only the equilibrium (mu_star.npy, nu_star.npy).
    Equilibrium(run::EquilibriumArgs),
    /// Equilibrium, Poincare constants, linearised spectrum and the rate bound
    /// (docs/MATHEMATICS.md section 6), written to analysis.json.
    Analyze(analyze::AnalyzeArgs),
    /// Animate a run (GIF or APNG), re-rendering its snapshots or assembling its frames.
    Render(render::RenderArgs),
    /// Redraw a run's metrics.png with the metrics asked for (e.g. chi2, w2lin).
    Plot(plot::PlotArgs),
    /// Time kernels against the memory-bandwidth floor measured in the same run.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Run a parameter sweep (the product of --param lists) and tabulate it in sweep.csv.
    Sweep(sweep::SweepArgs),
    /// Write one ETDRK4 step's input, payoff samples and mflda's output as .npy
    /// files, for the comparison with an outside implementation (benches/peer/).
    PeerExport(peer::PeerExportArgs),
    /// The 2-Wasserstein distance between two saved densities (.npy), with
    /// the primal-dual gap and the cost of the evaluation.
    W2(w2::W2Args),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let request = AdapterRequest {
        backend: cli.backend,
        adapter: cli.adapter,
    };
    match cli.command {
        Command::Info => info::run(&context(&request, false)?),
        // The config is read and checked before the (slow) device start.
        Command::Run(args) => {
            let config = args.load()?;
            run::run(&context(&request, args.quiet)?, config.as_ref(), &args)
        }
        Command::Particles(args) => {
            let config = args.load()?;
            particles::run(&context(&request, args.quiet)?, config.as_ref(), &args)
        }
        Command::Equilibrium(args) => {
            let config = args.config.load(&[])?;
            run::equilibrium(&context(&request, args.quiet)?, &config, &args)
        }
        Command::Analyze(args) => {
            let config = args.config.load(&[])?;
            analyze::run(&context(&request, args.quiet)?, &config, &args)
        }
        Command::Render(args) => render::run(&context(&request, false)?, args),
        Command::Plot(args) => plot::run(&args),
        Command::Bench(cmd) => bench::run(&context(&request, false)?, cmd),
        Command::Sweep(args) => sweep::run(&request, args),
        Command::W2(args) => w2::run(&request, &args),
        Command::PeerExport(args) => {
            let config = args.load()?;
            peer::run(&context(&request, false)?, &config, &args)
        }
    }
}

/// Creates the GPU context, warning once on stderr when it is a software
/// adapter, unless `quiet`.
fn context(request: &AdapterRequest, quiet: bool) -> anyhow::Result<GpuContext> {
    let ctx = GpuContext::new(request)?;
    // The OpenGL software path costs minutes before any work: said even
    // when quiet.
    if let Some(advice) = ctx.advice() {
        eprintln!("{advice}");
    } else if ctx.is_software() && !quiet {
        eprintln!(
            "warning: running on the software adapter `{}`; this will be slow \
             (choose a GPU with --adapter or --backend)",
            ctx.info.name
        );
    }
    Ok(ctx)
}
