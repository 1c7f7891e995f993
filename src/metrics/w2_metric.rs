//! The Wasserstein distance of each species to its stationary density, a
//! metrics.csv column (`output.w2`, docs/MATHEMATICS.md section 10): exact
//! on the circle (on the host, in f64), by the back-and-forth method on the
//! 2D torus (on the device, [`BfmGpu`], its buffers made once), from one
//! readback of the densities per metrics row.

use std::cell::Cell;
use web_time::Instant;

use crate::gpu::{GpuContext, Shape};
use crate::w2::bfm_cpu::{w2_bfm, BfmOptions, BfmStop};
use crate::w2::bfm_gpu::{fits, BfmGpu};
use crate::w2::circle::w2_circle;
use crate::{Error, Result};

/// `W2(rho_s, rho_s*)` for every species `s` against fixed stationary
/// densities.
#[derive(Debug)]
pub struct W2Metric {
    shape: Shape,
    length: f64,
    stars: Vec<Vec<f64>>,
    options: BfmOptions,
    /// The device solver of 2D grids it takes (else the host method runs).
    solver: Option<BfmGpu>,
    /// Wall time of the last evaluation (all species), seconds.
    seconds: Cell<f64>,
    /// Set once an evaluation stops short of its tolerance (warned once).
    limited: Cell<bool>,
}

impl W2Metric {
    /// The distances to `stars` (one row-major `(n2, n1)` density per
    /// species on the grid `shape` of side `length`; 1D grids have `n2 = 1`,
    /// 2D grids must be square).
    pub fn new(ctx: &GpuContext, shape: Shape, length: f64, stars: Vec<Vec<f64>>) -> Result<Self> {
        if shape.n2 > 1 && shape.n1 != shape.n2 {
            return Err(Error::config(
                "output.w2",
                format!("W2 is measured on square 2D grids; this one is {shape}"),
            ));
        }
        if let Some(bad) = stars.iter().find(|s| s.len() != shape.len()) {
            return Err(Error::Usage(format!(
                "W2 metric: a stationary density of {} values for {shape}",
                bad.len()
            )));
        }
        let solver = if shape.n2 > 1 && fits(shape) {
            Some(BfmGpu::new(ctx, shape, length)?)
        } else {
            None
        };
        Ok(W2Metric {
            shape,
            length,
            stars,
            options: BfmOptions::default(),
            solver,
            seconds: Cell::new(0.0),
            limited: Cell::new(false),
        })
    }

    /// `W2(rho_s, rho_s*)` for the densities `rho` (one row-major grid per
    /// species, as [`crate::dynamics::Stepper::species_densities`] gives;
    /// `ctx` the context given to [`Self::new`]).
    pub fn distances(&self, ctx: &GpuContext, rho: &[Vec<f32>]) -> Result<Vec<f64>> {
        let start = Instant::now();
        let mut out = Vec::with_capacity(rho.len());
        for (r, star) in rho.iter().zip(&self.stars) {
            // Round-off may leave tiny negative values; W2 takes densities
            // (a NaN stays, for the check to name it).
            let r: Vec<f64> = r
                .iter()
                .map(|&v| if v < 0.0 { 0.0 } else { f64::from(v) })
                .collect();
            let d = if self.shape.n2 == 1 {
                w2_circle(&r, star, self.length)?.w2
            } else {
                let b = match &self.solver {
                    Some(solver) => solver.solve(ctx, &r, star, self.options)?,
                    None => w2_bfm(&r, star, self.shape, self.length, self.options)?,
                };
                if b.stop != BfmStop::Converged && !self.limited.replace(true) {
                    eprintln!(
                        "warning: output.w2: a transport solve stopped ({}) at relative gap \
                         {:.2e}, error bound {:.2e} of W2^2: the w2 column is uncertain to \
                         about that (said once; a finer grid lowers it)",
                        b.stop.as_str(),
                        b.gap,
                        b.bound
                    );
                }
                b.w2()
            };
            out.push(d);
        }
        self.seconds.set(start.elapsed().as_secs_f64());
        Ok(out)
    }

    /// Wall time of the last [`Self::distances`], seconds.
    pub fn last_seconds(&self) -> f64 {
        self.seconds.get()
    }
}
