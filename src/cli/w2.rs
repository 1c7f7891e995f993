//! `mflda w2 A.npy B.npy`: the 2-Wasserstein distance between two saved
//! densities (docs/MATHEMATICS.md section 10), exact on the circle, by the
//! back-and-forth method on the 2D torus: on a GPU for power-of-two sides,
//! on the host in f64 for other sides, on a software adapter (where the
//! host is faster) or with `--host`; `--device` forces the device.

use std::path::{Path, PathBuf};
use web_time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use mflda::gpu::{AdapterRequest, Shape};
use mflda::output::{read_npy_f32, read_npy_f64, write_npy_f64};
use mflda::w2::bfm_cpu::{w2_bfm, BfmOptions, BfmStop};
use mflda::w2::bfm_gpu::{fits, w2_bfm_gpu};
use mflda::w2::circle::w2_circle;

/// Arguments of `mflda w2`.
#[derive(Debug, Args)]
pub struct W2Args {
    /// The first density: a 1D array (N,) on the circle or a 2D array
    /// (N, N) on the torus, float32 or float64, as a run writes them.
    a: PathBuf,
    /// The second density, of the same shape.
    b: PathBuf,
    /// Side length L of the torus (as `grid.length` of the run).
    #[arg(long, default_value_t = std::f64::consts::TAU)]
    length: f64,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
    /// Save the transport displacement T(x) - x of A's optimal map as a
    /// float64 .npy of shape (N, N, 2), components (d1, d2) (2D only).
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// Stop when the relative primal-dual gap falls to this (2D).
    #[arg(long, default_value_t = BfmOptions::default().tol)]
    tol: f64,
    /// Stop after this many iterations (2D).
    #[arg(long, default_value_t = BfmOptions::default().max_iter)]
    max_iter: u32,
    /// Solve on the host in f64 (the reference method, any side) (2D).
    #[arg(long, conflicts_with = "device")]
    host: bool,
    /// Solve on the device (f32, power-of-two sides) even on a software
    /// adapter, where the host method is the default (2D).
    #[arg(long)]
    device: bool,
}

/// Reads a density saved as float64 or float32.
fn read_density(path: &Path) -> anyhow::Result<(Vec<usize>, Vec<f64>)> {
    match read_npy_f64(path) {
        Ok(v) => Ok(v),
        Err(e) if e.to_string().contains("dtype") => {
            let (shape, data) = read_npy_f32(path)
                .map_err(|e32| anyhow::anyhow!("{e32} (float64 and float32 densities are read)"))?;
            Ok((shape, data.into_iter().map(f64::from).collect()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Drops unit axes: `(1, N)` and `(N, 1)` are 1D.
fn squeeze(shape: &[usize]) -> Vec<usize> {
    shape.iter().copied().filter(|&n| n != 1).collect()
}

/// Computes and prints W2 between the two densities.
pub fn run(request: &AdapterRequest, args: &W2Args) -> anyhow::Result<()> {
    if !(args.length.is_finite() && args.length > 0.0) {
        bail!(
            "--length {} must be a positive number (the side L of the torus)",
            args.length
        );
    }
    let (sa, a) = read_density(&args.a)?;
    let (sb, b) = read_density(&args.b)?;
    for (path, shape) in [(&args.a, &sa), (&args.b, &sb)] {
        if squeeze(shape).len() > 2 {
            bail!(
                "{} has shape {shape:?}: W2 takes 1D (N,) or 2D (N, N) densities",
                path.display()
            );
        }
    }
    if a.len() < 2 {
        bail!(
            "{} holds {} value(s): W2 takes densities on a grid of at least 2 points",
            args.a.display(),
            a.len()
        );
    }
    let dims = squeeze(&sa);
    if dims != squeeze(&sb) {
        bail!(
            "{} has shape {sa:?} and {} has {sb:?}: W2 needs the two densities on the same \
             grid (resample one first)",
            args.a.display(),
            args.b.display()
        );
    }
    let mass = |v: &[f64]| v.iter().sum::<f64>();
    let (ma, mb) = (mass(&a), mass(&b));
    let differ = ((ma - mb) / ma.abs().max(mb.abs())).abs() > 1e-6;
    let start = Instant::now();
    let report = match dims.as_slice() {
        [n] => {
            if args.map.is_some() {
                bail!("--map is for 2D densities: on the circle mflda gives the distance alone");
            }
            let r = w2_circle(&a, &b, args.length)?;
            let seconds = start.elapsed().as_secs_f64();
            Report {
                method: "circle",
                shape: vec![*n],
                w2: r.w2,
                w2_dual: r.w2,
                gap: 0.0,
                bound: 0.0,
                iterations: r.evaluations,
                stop: "exact",
                seconds,
            }
        }
        [n2, n1] => {
            if n1 != n2 {
                bail!(
                    "the densities are {n2}x{n1}: the 2D solver takes square grids (N, N), \
                     as runs write them"
                );
            }
            let options = BfmOptions {
                tol: args.tol,
                max_iter: args.max_iter,
            };
            let shape = Shape::square(*n1 as u32);
            if args.device && !fits(shape) {
                bail!(
                    "--device: the device method takes power-of-two sides, not {n1}; leave \
                     --device out for the host method"
                );
            }
            let ctx = if args.host || !fits(shape) {
                if !args.host {
                    eprintln!(
                        "note: a side of {n1} is not a power of two: the host method (f64) \
                         runs, not the device one"
                    );
                }
                None
            } else {
                let ctx = super::context(request, true)?;
                if ctx.is_software() && !args.device {
                    eprintln!(
                        "note: `{}` is a software adapter, where the host method (f64) is \
                         faster: it runs (--device runs the device one)",
                        ctx.info.name
                    );
                    None
                } else {
                    Some(ctx)
                }
            };
            let (r, method) = match &ctx {
                Some(ctx) => (
                    w2_bfm_gpu(ctx, &a, &b, shape, args.length, options)?,
                    "back-and-forth (device, f32)",
                ),
                None => (
                    w2_bfm(&a, &b, shape, args.length, options)?,
                    "back-and-forth (host, f64)",
                ),
            };
            let seconds = start.elapsed().as_secs_f64();
            if let Some(path) = &args.map {
                let flat: Vec<f64> = r.displacement.iter().flatten().copied().collect();
                write_npy_f64(path, &[*n2, *n1, 2], &flat)
                    .with_context(|| format!("writing the map to {}", path.display()))?;
            }
            if r.stop == BfmStop::IterationLimit {
                eprintln!(
                    "warning: the iteration limit ({}) came first, at relative gap {:.2e} \
                     (error bound {:.2e}); raise --max-iter for a tighter distance",
                    args.max_iter, r.gap, r.bound
                );
            }
            Report {
                method,
                shape: vec![*n2, *n1],
                w2: r.w2(),
                w2_dual: r.w2_dual(),
                gap: r.gap,
                bound: r.bound,
                iterations: r.iterations,
                stop: r.stop.as_str(),
                seconds,
            }
        }
        _ => bail!("{} holds no values", args.a.display()),
    };
    if differ {
        eprintln!(
            "note: the masses differ ({ma:.6e} and {mb:.6e} as sums); each density is \
             normalised to unit mass"
        );
    }
    if args.json {
        println!("{}", report.json(args.length));
    } else {
        report.print(args.map.as_deref());
    }
    Ok(())
}

/// What `mflda w2` prints.
struct Report {
    method: &'static str,
    shape: Vec<usize>,
    w2: f64,
    w2_dual: f64,
    gap: f64,
    bound: f64,
    iterations: u32,
    stop: &'static str,
    seconds: f64,
}

impl Report {
    fn json(&self, length: f64) -> String {
        serde_json::json!({
            "w2": self.w2,
            "w2_dual": self.w2_dual,
            "gap": self.gap,
            "error_bound": self.bound,
            "iterations": self.iterations,
            "stop": self.stop,
            "method": self.method,
            "shape": self.shape,
            "length": length,
            "seconds": self.seconds,
        })
        .to_string()
    }

    fn print(&self, map: Option<&Path>) {
        println!("W2 = {:.10e}", self.w2);
        if self.stop == "exact" {
            println!(
                "  exact (circle formula, {} evaluations of the rotation cost)",
                self.iterations
            );
        } else {
            println!(
                "  dual value's W2 {:.10e}, relative gap {:.2e}, error bound {:.2e} (of W2^2)",
                self.w2_dual, self.gap, self.bound
            );
            println!(
                "  stopped: {} after {} iterations",
                self.stop, self.iterations
            );
        }
        let per = self.seconds / f64::from(self.iterations.max(1));
        println!(
            "  cost: {:.3} s on a {:?} grid, {:.3} ms per iteration ({})",
            self.seconds,
            self.shape,
            1e3 * per,
            self.method
        );
        if let Some(path) = map {
            println!("  displacement written to {}", path.display());
        }
    }
}
