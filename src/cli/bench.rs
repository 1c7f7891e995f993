//! `mflda bench ...`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use mflda::bench::sizes::BenchOptions;
use mflda::bench::timing::Timing;
use mflda::bench::{all, equilibrium, fft, memory, particles, step, w2};
use mflda::dynamics::rhs::RhsPath;
use mflda::gpu::{GpuContext, Shape};
use mflda::w2::bfm_cpu::BfmOptions;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Forward and inverse N x N complex FFTs against the copy-bandwidth floor.
    Fft(BenchArgs),
    /// One ETDRK2 and one ETDRK4 step of the default coupled game per size, with
    /// a per-kernel breakdown.
    Step(BenchArgs),
    /// One extragradient iteration of the equilibrium solver per size, with a
    /// per-kernel breakdown.
    Equilibrium(BenchArgs),
    /// fft, step and equilibrium in one run: one report with a section each.
    All(BenchArgs),
    /// Langevin steps of the default game's particles per particle count and
    /// scheme, against the copy floor of the bytes a step moves.
    Particles(ParticleBenchArgs),
    /// One W2 evaluation (back-and-forth method) per grid size on a pair
    /// with an exact answer: time, iterations, the gap reached and the error.
    W2(W2BenchArgs),
}

/// Sizes, stopping rule and output of `mflda bench w2`.
#[derive(Debug, Args)]
pub struct W2BenchArgs {
    /// Grid sides N, comma-separated (N x N grids).
    #[arg(long, value_delimiter = ',', default_value = "256,512,1024")]
    sizes: Vec<u32>,
    /// Stop when the relative primal-dual gap falls to this.
    #[arg(long, default_value_t = BfmOptions::default().tol)]
    tol: f64,
    /// Stop after this many iterations.
    #[arg(long, default_value_t = BfmOptions::default().max_iter)]
    max_iter: u32,
    /// Repetitions of the copy that measures the bandwidth floor, and of the
    /// iteration timed alone on the device.
    #[arg(long, default_value_t = 20)]
    reps: u32,
    /// Run the f64 host method (the reference) instead of the device solver.
    #[arg(long)]
    host: bool,
    /// Write the report as JSON to this file, or to stdout when no file is given.
    #[arg(long, num_args = 0..=1, default_missing_value = "-", value_name = "FILE")]
    json: Option<PathBuf>,
}

/// Particle counts, repetitions and output of `mflda bench particles`.
#[derive(Debug, Args)]
pub struct ParticleBenchArgs {
    /// Particles per species, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,100000,1000000,10000000"
    )]
    counts: Vec<u32>,
    /// Timed steps per measurement.
    #[arg(long, default_value_t = 20)]
    reps: u32,
    /// Untimed steps before timing.
    #[arg(long, default_value_t = 3)]
    warmup: u32,
    /// Write the report as JSON to this file, or to stdout when no file is given.
    #[arg(long, num_args = 0..=1, default_missing_value = "-", value_name = "FILE")]
    json: Option<PathBuf>,
}

/// Sizes, repetitions and output of a benchmark.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Grid sides N, comma-separated powers of two.
    #[arg(long, value_delimiter = ',', default_value = "512,1024,2048,4096,8192")]
    sizes: Vec<u32>,
    /// Timed repetitions per measurement.
    #[arg(long, default_value_t = 20)]
    reps: u32,
    /// Untimed calls before timing.
    #[arg(long, default_value_t = 3)]
    warmup: u32,
    /// Time with the host wall clock even where the GPU has timestamps.
    #[arg(long)]
    wall_clock: bool,
    /// step and all: time the unfused right-hand side (every kernel and FFT
    /// pass its own dispatch), the reference the default fused one is
    /// measured against.
    #[arg(long)]
    unfused: bool,
    /// Write the report as JSON to this file, or to stdout when no file is given
    /// (the table is then not printed).
    #[arg(long, num_args = 0..=1, default_missing_value = "-", value_name = "FILE")]
    json: Option<PathBuf>,
}

impl BenchArgs {
    fn options(&self) -> anyhow::Result<BenchOptions> {
        for &n in &self.sizes {
            anyhow::ensure!(
                n >= 2 && n.is_power_of_two(),
                "--sizes: {n} is not a power of two >= 2 (e.g. --sizes 256,1024)"
            );
        }
        Ok(BenchOptions {
            sizes: self.sizes.clone(),
            timing: Timing {
                warmup: self.warmup,
                reps: self.reps,
                wall_clock: self.wall_clock,
            },
            rhs: if self.unfused {
                RhsPath::Unfused
            } else {
                RhsPath::Fused
            },
        })
    }
}

pub fn run(ctx: &GpuContext, cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Fft(args) => {
            let opts = args.options()?;
            say_memory(&opts.sizes, &[("fft", memory::fft)]);
            let report = fft::run(ctx, &opts)?;
            emit(&report, &fft::table(&report), args.json.as_deref())
        }
        BenchCommand::Step(args) => {
            let opts = args.options()?;
            say_memory(&opts.sizes, &[("step", memory::step)]);
            let report = step::run(ctx, &opts)?;
            emit(&report, &step::table(&report), args.json.as_deref())
        }
        BenchCommand::Equilibrium(args) => {
            let opts = args.options()?;
            say_memory(&opts.sizes, &[("equilibrium", memory::equilibrium)]);
            let report = equilibrium::run(ctx, &opts)?;
            emit(&report, &equilibrium::table(&report), args.json.as_deref())
        }
        BenchCommand::All(args) => {
            let opts = args.options()?;
            say_memory(
                &opts.sizes,
                &[
                    ("fft", memory::fft),
                    ("step", memory::step),
                    ("equilibrium", memory::equilibrium),
                ],
            );
            let report = all::run(ctx, &opts)?;
            emit(&report, &all::table(&report), args.json.as_deref())
        }
        BenchCommand::Particles(args) => {
            anyhow::ensure!(
                args.counts.iter().all(|&n| n > 0),
                "--counts: every count must be positive (e.g. --counts 10000,100000)"
            );
            let timing = Timing {
                warmup: args.warmup,
                reps: args.reps,
                wall_clock: true,
            };
            let report = particles::run(ctx, &args.counts, &timing)?;
            emit(&report, &particles::table(&report), args.json.as_deref())
        }
        BenchCommand::W2(args) => {
            anyhow::ensure!(
                args.sizes.iter().all(|&n| n >= 4),
                "--sizes: every side must be at least 4 (e.g. --sizes 256,512)"
            );
            anyhow::ensure!(
                args.tol > 0.0 && args.max_iter > 0,
                "--tol must be positive and --max-iter at least 1 (e.g. --tol 1e-4)"
            );
            let options = BfmOptions {
                tol: args.tol,
                max_iter: args.max_iter,
            };
            let solver = if args.host {
                w2::Solver::Host
            } else {
                say_memory(&args.sizes, &[("w2", memory::w2)]);
                w2::Solver::Device
            };
            let timing = Timing {
                warmup: 2,
                reps: args.reps.max(1),
                wall_clock: false,
            };
            let report = w2::run(ctx, &args.sizes, options, solver, &timing)?;
            emit(&report, &w2::table(&report), args.json.as_deref())
        }
    }
}

/// A benchmark's GPU memory at a grid shape, bytes.
type MemoryOf = fn(Shape) -> u64;

/// Prints, on stderr before anything runs, the GPU memory each benchmark
/// holds at each size.
fn say_memory(sizes: &[u32], benches: &[(&str, MemoryOf)]) {
    eprintln!("GPU memory needed:");
    for &n in sizes {
        let each: Vec<String> = benches
            .iter()
            .map(|(name, f)| format!("{name} {}", memory::human(f(Shape::square(n)))))
            .collect();
        eprintln!("  {n:>5} x {n:<5} {}", each.join(", "));
    }
}

/// Prints the table, or writes JSON to `json` ("-" for stdout).
fn emit<T: serde::Serialize>(
    report: &T,
    table: &str,
    json: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    match json {
        None => print!("{table}"),
        Some(p) if p.as_os_str() == "-" => println!("{}", serde_json::to_string_pretty(report)?),
        Some(p) => {
            print!("{table}");
            let text = serde_json::to_string_pretty(report)?;
            std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
        }
    }
    Ok(())
}
