//! `mflda bench ...`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use mflda::bench::fft::{self, FftBenchOptions};
use mflda::bench::step;
use mflda::gpu::GpuContext;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Forward and inverse N x N complex FFTs against the copy-bandwidth floor.
    Fft(FftArgs),
    /// One ETDRK2 and one ETDRK4 step of the default coupled game per size.
    Step(FftArgs),
}

/// Sizes, repetitions and output of a benchmark.
#[derive(Debug, Args)]
pub struct FftArgs {
    /// Grid sides N, comma-separated powers of two.
    #[arg(long, value_delimiter = ',', default_value = "512,1024,2048,4096,8192")]
    sizes: Vec<u32>,
    /// Timed repetitions per measurement.
    #[arg(long, default_value_t = 20)]
    reps: u32,
    /// Untimed calls before timing.
    #[arg(long, default_value_t = 3)]
    warmup: u32,
    /// Write the report as JSON to this file, or to stdout when no file is given
    /// (the table is then not printed).
    #[arg(long, num_args = 0..=1, default_missing_value = "-", value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run(ctx: &GpuContext, cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Fft(args) => {
            check_sizes(&args.sizes)?;
            let opts = FftBenchOptions {
                sizes: args.sizes,
                warmup: args.warmup,
                reps: args.reps,
            };
            let report = fft::run(ctx, &opts)?;
            emit(&report, &fft::table(&report), args.json.as_deref())
        }
        BenchCommand::Step(args) => {
            check_sizes(&args.sizes)?;
            let report = step::run(ctx, &args.sizes, args.warmup, args.reps)?;
            emit(&report, &step::table(&report), args.json.as_deref())
        }
    }
}

fn check_sizes(sizes: &[u32]) -> anyhow::Result<()> {
    for &n in sizes {
        anyhow::ensure!(
            n >= 2 && n.is_power_of_two(),
            "--sizes: {n} is not a power of two >= 2 (e.g. --sizes 256,1024)"
        );
    }
    Ok(())
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
