//! A species configuration (`[[species]]`, `[[coupling]]`) sampled into a
//! [`System`]: each potential and kernel on the grid, each `kernel_spectrum`
//! at the grid's wave vectors, each interaction as its band-limited
//! coefficients. Identical kernel expressions share one multiplier, and
//! identical interactions one coefficient matrix.

use std::sync::Arc;

use crate::config::Config;
use crate::game::band::BandLimited;
use crate::game::{is_zero, sample_grid_async, sample_spectrum_async, ExprKind};
use crate::gpu::{GpuContext, Shape};
use crate::system::{BandMatrix, BandTerm, Convolution, Multiplier, Signed, Species, System};
use crate::Result;

/// What sampling reports besides the system: the band-limited terms'
/// truncation errors, by coupling index.
#[derive(Debug, Clone, Default)]
pub struct SampleReport {
    /// `(coupling index, modes, relative sup-norm truncation error)`.
    pub truncations: Vec<(usize, u32, f64)>,
}

/// Samples the species system of `config` (validated) on `shape`.
pub fn sample_system(
    ctx: &GpuContext,
    config: &Config,
    shape: Shape,
    length: f64,
) -> Result<(System, SampleReport)> {
    crate::gpu::block(sample_system_async(ctx, config, shape, length))
}

/// [`sample_system`] as a future: what a browser awaits.
pub async fn sample_system_async(
    ctx: &GpuContext,
    config: &Config,
    shape: Shape,
    length: f64,
) -> Result<(System, SampleReport)> {
    let index = |name: &str| config.species.iter().position(|s| s.name == name);
    let mut species = Vec::new();
    for (i, s) in config.species.iter().enumerate() {
        let potential = if is_zero(&s.potential) {
            None
        } else {
            let field = format!("species[{i}].potential");
            Some(Signed {
                value: sample_grid_async(
                    ctx,
                    &field,
                    &s.potential,
                    ExprKind::Potential,
                    shape,
                    length,
                    None,
                )
                .await?,
                sign: 1.0,
            })
        };
        species.push(Species {
            name: s.name.clone(),
            tau: s.tau,
            rate: s.rate,
            potential,
        });
    }
    let mut system = System {
        species,
        multipliers: Vec::new(),
        convolutions: Vec::new(),
        matrices: Vec::new(),
        bands: Vec::new(),
    };
    let mut report = SampleReport::default();
    // Expressions already sampled, to share their tables.
    let mut kernels: Vec<(String, usize)> = Vec::new();
    let mut interactions: Vec<(String, u32, usize)> = Vec::new();
    for (i, c) in config.coupling.iter().enumerate() {
        let (Some(target), Some(source)) = (index(&c.target), index(&c.source)) else {
            return Err(crate::Error::Internal(format!(
                "coupling[{i}] names a species the validated config does not have"
            )));
        };
        let at = format!("coupling[{i}]");
        if let Some(key) = c.kernel_key() {
            let text = c.kernel.as_ref().or(c.kernel_spectrum.as_ref());
            if text.is_some_and(|t| is_zero(t)) {
                continue;
            }
            let multiplier = match kernels.iter().find(|(k, _)| *k == key) {
                Some(&(_, j)) => j,
                None => {
                    let m = match (&c.kernel, &c.kernel_spectrum) {
                        (Some(k), _) => Multiplier::Kernel(
                            sample_grid_async(
                                ctx,
                                &format!("{at}.kernel"),
                                k,
                                ExprKind::Kernel,
                                shape,
                                length,
                                None,
                            )
                            .await?,
                        ),
                        (None, Some(m)) => Multiplier::Spectrum(
                            sample_spectrum_async(
                                ctx,
                                &format!("{at}.kernel_spectrum"),
                                m,
                                shape,
                                length,
                            )
                            .await?,
                        ),
                        (None, None) => continue,
                    };
                    system.multipliers.push(m);
                    kernels.push((key, system.multipliers.len() - 1));
                    system.multipliers.len() - 1
                }
            };
            system.convolutions.push(Convolution {
                target,
                source,
                multiplier,
                conjugate: false,
                sign: 1.0,
            });
        }
        if let Some(g) = &c.interaction {
            let key = g.trim().to_string();
            let modes = c.interaction_modes;
            let matrix = match interactions
                .iter()
                .find(|(k, m, _)| *k == key && *m == modes)
            {
                Some(&(_, _, j)) => Some(j),
                None => {
                    let band = BandLimited::from_expression_async(
                        ctx,
                        &format!("{at}.interaction"),
                        g,
                        shape.dim(),
                        modes,
                        length,
                    )
                    .await?;
                    band.map(|b| {
                        report.truncations.push((i, b.modes, b.truncation_error));
                        system.matrices.push(BandMatrix {
                            modes: b.modes,
                            coeffs: Arc::new(b.coeffs),
                        });
                        let j = system.matrices.len() - 1;
                        interactions.push((key, modes, j));
                        j
                    })
                }
            };
            if let Some(matrix) = matrix {
                system.bands.push(BandTerm {
                    target,
                    source,
                    matrix,
                    transpose: false,
                    sign: 1.0,
                });
            }
        }
    }
    Ok((system, report))
}
