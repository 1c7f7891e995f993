//! How the particles' drift is evaluated (docs/MATHEMATICS.md section 9),
//! resolved once from `particles.drift`: direct Fourier sums over the
//! payoff's modes ([`super::fourier`]), the spread drift through the grid
//! ([`super::spread_drift`]), or the convolutions over all pairs of
//! particles ([`super::pairs`], the exact reference, never chosen by
//! `auto`). `auto` takes the cheaper of the first two by a count of the
//! work per step, in evaluations of a trigonometric pair or a Gaussian:
//!
//! ```text
//! fourier: sum_s n_s (rows_s + moments_s)
//! spread:  sum_s [ n_s (2 w + 1)^d (1 + e) + (1 + e) M^d log2(M^d) ]
//! ```
//!
//! (`rows_s` the modes of species s's potential, `moments_s` those of its
//! moments the rows read, `e` the evaluations per particle, one for the
//! gradient and one more when the weights move, `M = 2 N` the oversampled
//! grid's side), and the spread drift alone when the payoff has more modes
//! than the direct sums serve.

use crate::config::{DriftMethod, ParticlesConfig};
use crate::dynamics::Params;
use crate::gpu::GpuContext;
use crate::particles::fourier::FourierTables;
use crate::particles::pairs::{pair_terms, PairDrift, PairTerm};
use crate::particles::spread::OVERSAMPLING;
use crate::particles::spread_drift::{check_grid, SpreadDrift, SPREAD_SPAN};
use crate::plan::Plan;
use crate::system::System;
use crate::{Error, Result};

/// Pair evaluations per step above which [`Drift::warning`] speaks.
pub const PAIRS_WARN_EVALUATIONS: u64 = 10_000_000_000;

/// One species' particles as the spread and all-pairs drifts read them.
#[derive(Debug, Clone, Copy)]
pub struct ParticleSource<'a> {
    /// `count` positions, `vec2<f32>` each, in [0, L).
    pub positions: &'a wgpu::Buffer,
    /// `count` weights, f32 each, positive (their sum need not be one).
    pub weights: &'a wgpu::Buffer,
    /// Number of particles, > 0.
    pub count: u32,
}

/// A resolved drift method.
#[derive(Debug, Clone)]
pub enum Drift {
    /// Direct Fourier sums with these tables.
    Fourier(FourierTables),
    /// The spread drift of `system` on the grid of `params`.
    Spread {
        /// The grid the particles' densities go onto.
        params: Params,
        /// The species system whose potentials are evaluated there.
        system: System,
    },
    /// The convolutions over all pairs, the rest by direct sums.
    Pairs {
        /// The direct sums' tables without the convolutions
        /// ([`FourierTables::without_convolutions`]).
        tables: FourierTables,
        /// The convolution terms.
        terms: Vec<PairTerm>,
    },
}

impl From<FourierTables> for Drift {
    fn from(tables: FourierTables) -> Self {
        Drift::Fourier(tables)
    }
}

impl Drift {
    /// The method, `Fourier` or `Spread`.
    pub fn method(&self) -> DriftMethod {
        match self {
            Drift::Fourier(_) => DriftMethod::Fourier,
            Drift::Spread { .. } => DriftMethod::Spread,
            Drift::Pairs { .. } => DriftMethod::Pairs,
        }
    }

    /// Kernel evaluations per step of the all-pairs drift for `counts`
    /// particles per species: `sum_terms n_target n_source`, zero for the
    /// other methods.
    pub fn pair_evaluations(&self, counts: &[u32]) -> u64 {
        match self {
            Drift::Pairs { terms, .. } => terms
                .iter()
                .map(|t| u64::from(counts[t.target]) * u64::from(counts[t.source]))
                .sum(),
            _ => 0,
        }
    }

    /// A warning when the all-pairs drift's quadratic cost would dominate a
    /// run: above [`PAIRS_WARN_EVALUATIONS`] kernel evaluations per step
    /// (about a second per step on a large GPU, hours on the software
    /// adapter).
    pub fn warning(&self, counts: &[u32]) -> Option<String> {
        let evaluations = self.pair_evaluations(counts);
        (evaluations > PAIRS_WARN_EVALUATIONS).then(|| {
            let evaluations = evaluations as f64;
            format!(
                "warning: particles.drift = \"pairs\" evaluates the kernel {evaluations:.3e} \
                 times per step (n^2 per coupling); it is the exact reference for small n: \
                 for this n use \"auto\" (the Fourier sums or the spread drift)"
            )
        })
    }

    /// The drift `particles.drift` asks for, for `counts` particles per
    /// species of `plan`'s system (`auto` by the cost above). Fails, naming
    /// the field and the way out, when the method cannot serve the payoff
    /// or the grid.
    pub fn resolve(plan: &Plan, particles: &ParticlesConfig, counts: &[u32]) -> Result<Drift> {
        let params = &plan.problem.params;
        let system = plan.problem.system();
        let spread = || Drift::Spread {
            params: params.clone(),
            system: system.clone(),
        };
        match particles.drift {
            DriftMethod::Fourier => FourierTables::new(params, system).map(Drift::Fourier),
            DriftMethod::Spread => {
                check_grid(params)?;
                Ok(spread())
            }
            DriftMethod::Pairs => Ok(Drift::Pairs {
                terms: pair_terms(plan.config())?,
                tables: FourierTables::without_convolutions(params, system)?,
            }),
            DriftMethod::Auto => {
                let tables = FourierTables::new(params, system);
                let weighted = particles.dynamics != crate::config::Dynamics::Langevin;
                let fits = check_grid(params);
                match (tables, fits) {
                    (Ok(t), Ok(())) => {
                        let (direct, spreading) = costs(&t, params, counts, weighted);
                        Ok(if spreading < direct {
                            spread()
                        } else {
                            Drift::Fourier(t)
                        })
                    }
                    (Ok(t), Err(_)) => Ok(Drift::Fourier(t)),
                    (Err(_), Ok(())) => Ok(spread()),
                    (Err(e), Err(_)) => Err(Error::config(
                        "particles.drift",
                        format!(
                            "neither drift serves this system: the direct sums fail ({e}), and \
                             the spread drift takes grids of at most {} points per side; lower \
                             grid.n",
                            crate::particles::spread_drift::MAX_SPREAD_N
                        ),
                    )),
                }
            }
        }
    }
}

/// The work per step of the direct sums with `tables` and of the spread
/// drift on the grid of `params`, for `counts` particles per species (the
/// model in the module docs).
pub fn costs(
    tables: &FourierTables,
    params: &Params,
    counts: &[u32],
    weighted: bool,
) -> (f64, f64) {
    let evals = if weighted { 2.0 } else { 1.0 };
    let dim = params.shape.dim() as i32;
    let m = f64::from(OVERSAMPLING * params.shape.n1).powi(dim);
    let stencil = f64::from(2 * SPREAD_SPAN + 1).powi(dim);
    let mut direct = 0.0;
    let mut spreading = 0.0;
    for (s, &n) in counts.iter().enumerate() {
        let n = f64::from(n);
        let (first, end) = tables.rows[s];
        direct += n * ((end - first) + tables.moment_modes[s].len()) as f64;
        spreading += (1.0 + evals) * (n * stencil + m * m.log2());
    }
    (direct, spreading)
}

/// A drift evaluated at the particles before the updates read it.
#[derive(Debug)]
pub(crate) enum External {
    /// Through the grid: the whole drift.
    Spread(Box<SpreadDrift>),
    /// Over all pairs: the convolutions, added to the direct sums' rest.
    Pairs(PairDrift),
}

impl External {
    /// The drift `drift` evaluates before the updates, at the particles of
    /// `sources` (one per species): none under the direct sums alone.
    pub(crate) fn new(
        ctx: &GpuContext,
        drift: &Drift,
        tables: &FourierTables,
        sources: &[ParticleSource<'_>],
        weighted: bool,
    ) -> Result<Option<Self>> {
        Ok(match drift {
            Drift::Fourier(_) => None,
            Drift::Spread { params, system } => Some(External::Spread(Box::new(SpreadDrift::new(
                ctx, params, system, sources, weighted,
            )?))),
            Drift::Pairs { terms, .. } => Some(External::Pairs(PairDrift::new(
                ctx,
                terms,
                tables.length,
                tables.dim,
                sources,
            )?)),
        })
    }

    pub(crate) fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        match self {
            External::Spread(d) => d.record(pass),
            External::Pairs(d) => d.record(pass),
        }
    }

    pub(crate) fn dispatches(&self) -> u32 {
        match self {
            External::Spread(d) => d.dispatches(),
            External::Pairs(d) => d.dispatches(),
        }
    }

    pub(crate) fn bytes(&self) -> u64 {
        match self {
            External::Spread(d) => d.bytes(),
            External::Pairs(d) => d.bytes(),
        }
    }
}
