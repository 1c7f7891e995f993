//! The export behind the peer comparison (`benches/peer/`): everything an
//! outside implementation of one ETDRK4 step of the coupled game needs, and
//! mflda's own result of that step, so that the two can be compared on the
//! same input.
//!
//! An outside code cannot evaluate the WGSL payoff expressions, so the payoff
//! is exported as the samples the GPU operators are built from (docs/MATHEMATICS.md
//! sections 1 and 2), all `.npy` files of shape `(n2, n1)` (`(1, n)` in 1D),
//! float32, row-major:
//!
//! - `kernel.npy`: k(z) at `z = (j1 h, j2 h)`; the convolution operator is
//!   `kconv^ = h^d FFT(kernel)`, `V1^ = kconv^ nu^`, `U1^ = conj(kconv^) mu^`;
//! - `potential_mu.npy`, `potential_nu.npy`: a(x), b(y) at the grid points;
//!   `V2^ = FFT(a)`, `U2^ = FFT(b)`;
//! - `band_coeffs.npy`, shape `(box, box, 2)` (real, imaginary): the
//!   band-limited coefficients `C[box(m)][box(n)]` as the GPU holds them,
//!   `V3^[m] = L^d sum_n C[m][n] nu^[-n]`, `U3^[n] = L^d sum_m C[m][n] mu^[-m]`
//!   on the box of wave vectors with every `|m_i| <= band_modes`,
//!   `box(m) = (m2 + B)(2B + 1) + (m1 + B)` (`m1 + B` in 1D); shape `(0, 0, 2)`
//!   without the term;
//! - `mu0.npy`, `nu0.npy`: the initial densities of `[init]`;
//! - `mu1.npy`, `nu1.npy`: mflda's densities after one ETDRK4 step from them
//!   (absolute form, read back from the GPU);
//! - `params.json`: [`PeerParams`].
//!
//! With these, `N_mu = div(mu grad V)`, `N_nu = -div(nu grad U)` and the step of
//! docs/MATHEMATICS.md section 3 are determined.

use serde::Serialize;

use crate::config::{Config, Scheme};
use crate::output::{write_npy_f32, RunDir};
use crate::{Plan, Result};

/// `params.json` of an export: the parameters of the step.
#[derive(Debug, Clone, Serialize)]
pub struct PeerParams {
    /// Space dimension, 1 or 2.
    pub dim: u32,
    /// Array shape `[n2, n1]` of every grid file (`n2 = 1` in 1D).
    pub shape: [u32; 2],
    /// Side length L of the torus.
    pub length: f64,
    /// Temperature tau.
    pub tau: f64,
    /// Timescale ratio eta of the max player.
    pub eta: f64,
    /// The step dt.
    pub dt: f64,
    /// Always "etdrk4": the export steps with ETDRK4 whatever `time.scheme` says.
    pub scheme: &'static str,
    /// 2/3-rule de-aliasing of the nonlinear terms: keep the modes with every
    /// `|m_i| <= n_i / 3` (integer division), zero the others.
    pub dealias: bool,
    /// Band-limited modes per axis B (0: no band-limited term).
    pub band_modes: u32,
    /// Cell measure h^d.
    pub cell: f64,
    /// The adapter that computed `mu1`, `nu1`.
    pub adapter: String,
}

/// The arrays of an export, each row-major `(n2, n1)` unless stated.
#[derive(Debug, Clone)]
pub struct PeerExport {
    /// The parameters (`params.json`).
    pub params: PeerParams,
    /// Initial densities `(mu0, nu0)`.
    pub start: (Vec<f32>, Vec<f32>),
    /// mflda's densities `(mu1, nu1)` one ETDRK4 step later.
    pub stepped: (Vec<f32>, Vec<f32>),
}

/// Builds `config`'s problem with the ETDRK4 scheme, computes its equilibrium
/// (the `eq` of `[init]`, with its progress on stderr), the initial densities
/// of `[init]` and one ETDRK4 step from them on the GPU, and writes the files
/// of the module docs into `dir`.
pub fn export(ctx: &crate::gpu::GpuContext, config: &Config, dir: &RunDir) -> Result<PeerExport> {
    let config = config.resolved();
    if config.time.dt.is_none() {
        return Err(crate::Error::config(
            "time.dt",
            "peer-export compares one step of a given size: set it, e.g. `--set time.dt=0.01`",
        ));
    }
    if config
        .game_table("the peer export")?
        .kernel_spectrum
        .is_some()
    {
        return Err(crate::Error::config(
            "game.kernel_spectrum",
            "the peer export writes the kernel's samples in z: give it as game.kernel",
        ));
    }
    let mut plan = Plan::new(ctx, &config)?;
    plan.problem.params.scheme = Scheme::Etdrk4;
    let never = crate::interrupt::Interrupt::never();
    let (solver, _) = plan.solve_equilibrium(ctx, None, false, &never)?;
    let eq = solver.densities(ctx)?;
    let start = plan.initial_species(ctx, &[&eq.0, &eq.1])?;
    let start = (start[0].clone(), start[1].clone());
    let problem = &plan.problem;
    let stepper = problem.stepper(ctx)?;
    stepper.set_densities(ctx, &start.0, &start.1)?;
    stepper.advance(ctx, 1);
    let stepped = stepper.densities(ctx)?;
    ctx.take_errors()?;

    let p = &problem.params;
    let grid = [p.shape.n2 as usize, p.shape.n1 as usize];
    let pay = problem.game_payoff("the peer export")?;
    for (name, data) in [
        ("kernel.npy", &pay.kernel),
        ("potential_mu.npy", &pay.potential_mu),
        ("potential_nu.npy", &pay.potential_nu),
        ("mu0.npy", &start.0),
        ("nu0.npy", &start.1),
        ("mu1.npy", &stepped.0),
        ("nu1.npy", &stepped.1),
    ] {
        write_npy_f32(&dir.file(name), &grid, data)?;
    }
    let (band_modes, coeffs, side) = match &pay.band {
        Some(b) if b.modes > 0 => {
            let c: Vec<f32> = b
                .coeffs
                .iter()
                .flat_map(|z| [z.re as f32, z.im as f32])
                .collect();
            (b.modes, c, b.box_len())
        }
        _ => (0, Vec::new(), 0),
    };
    write_npy_f32(&dir.file("band_coeffs.npy"), &[side, side, 2], &coeffs)?;
    let params = PeerParams {
        dim: p.shape.dim(),
        shape: [p.shape.n2, p.shape.n1],
        length: p.length,
        tau: p.tau,
        eta: p.eta,
        dt: p.dt,
        scheme: Scheme::Etdrk4.as_str(),
        dealias: p.dealias,
        band_modes,
        cell: p.cell(),
        adapter: ctx.info.name.clone(),
    };
    dir.write_json("params.json", &params)?;
    Ok(PeerExport {
        params,
        start,
        stepped,
    })
}
