//! `mflda plot`: the metrics plot of a run again, with the metrics asked for.

use std::path::PathBuf;

use clap::Args;
use mflda::render::plot::{check_metrics, fit_all, metrics_plot, DEFAULT_METRICS};

/// Arguments of `mflda plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The run directory (its metrics.csv).
    dir: PathBuf,
    /// The metrics to draw, comma-separated, from l2, kl, chi2, ni (the gap),
    /// w2lin, w2 (default: l2,kl,ni, and w2 where the run measured it).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    metrics: Vec<String>,
}

/// Redraws DIR/metrics.png and DIR/metrics.svg.
pub fn run(args: &PlotArgs) -> anyhow::Result<()> {
    check_metrics(&args.metrics)?;
    let metrics: Vec<&str> = if args.metrics.is_empty() {
        DEFAULT_METRICS.to_vec()
    } else {
        args.metrics.iter().map(String::as_str).collect()
    };
    let csv = args.dir.join("metrics.csv");
    let fits = fit_all(&csv)?;
    let png = args.dir.join("metrics.png");
    metrics_plot(&csv, &png, &args.dir.join("metrics.svg"), &fits, &metrics)?;
    println!("{} written ({})", png.display(), metrics.join(", "));
    Ok(())
}
