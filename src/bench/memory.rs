//! The GPU memory each benchmark needs for an N x N grid: the most it holds at
//! once, including the copy-bandwidth measurement that precedes it (whose two
//! buffers are freed before the benchmark builds its own), so that a user sees
//! it before a size runs. Counted per grid point from the buffers the code
//! allocates, part by part (the parts a run shares with the benchmarks are
//! reused by [`crate::run::memory`]), plus [`tables`] for the small ones.
//! `tests/bench.rs` checks these against the device's own allocation counters.

use crate::gpu::Shape;

/// An allowance for the small buffers: twiddle tables, band coefficients,
/// uniforms (1 MiB) and reduction partials (well under 1 byte per point).
pub fn tables(shape: Shape) -> u64 {
    (1 << 20) + points(shape)
}

/// The copy measurement: a source and a destination of one complex field each
/// (16 bytes per point).
pub fn copy(shape: Shape) -> u64 {
    16 * points(shape)
}

/// The payoff operators a problem keeps: `kconv^` (one complex field) and
/// `[a^, b^]` (two), 24 bytes per point.
pub fn operators(shape: Shape) -> u64 {
    24 * points(shape)
}

/// A stepper in the absolute form: its state, two stage buffers and three
/// nonlinear terms (six pairs of complex fields, 96 bytes per point) and the
/// right-hand side's work fields (gradients and packed densities, 24).
pub fn stepper(shape: Shape) -> u64 {
    (96 + 24) * points(shape)
}

/// The transient fields of setting a stepper's densities: two real inputs and
/// the staging copies of their uploads, a packed complex field and two split
/// spectra (40 bytes per point).
pub fn set_densities(shape: Shape) -> u64 {
    40 * points(shape)
}

/// An equilibrium solver: its two log buffers and `l_bar` (three pairs of real
/// fields, 24 bytes per point), packed densities (8), `[mu^, nu^]` (16),
/// `V + i U` (8) and the Gibbs pair (8); with Anderson depth `anderson > 0`
/// also its ring of `dF`, `dG` and the previous `f`, `G` (`2m + 2` pairs of
/// real fields, 8 bytes per point each).
pub fn equilibrium_solver(shape: Shape, anderson: u32) -> u64 {
    let ring = match u64::from(anderson) {
        0 => 0,
        m => 8 * (2 * m + 2),
    };
    (24 + 8 + 16 + 8 + 8 + ring) * points(shape)
}

/// The uniform start being written into an equilibrium solver: the staging
/// copy of two real fields (8 bytes per point).
pub fn uniform_start(shape: Shape) -> u64 {
    8 * points(shape)
}

/// `mflda bench fft`: one complex field (8 bytes per point), or the copy
/// measurement before it when that is larger.
pub fn fft(shape: Shape) -> u64 {
    copy(shape).max(8 * points(shape)) + tables(shape)
}

/// `mflda bench step`: the operators, the stepper and the transient fields of
/// setting its densities.
pub fn step(shape: Shape) -> u64 {
    copy(shape).max(operators(shape) + stepper(shape) + set_densities(shape)) + tables(shape)
}

/// `mflda bench equilibrium`: the operators and the plain solver (the
/// iteration it times), plus the uniform start being written.
pub fn equilibrium(shape: Shape) -> u64 {
    equilibrium_with(shape, 0)
}

/// [`equilibrium`] with a solver of Anderson depth `anderson`.
pub fn equilibrium_with(shape: Shape, anderson: u32) -> u64 {
    copy(shape).max(operators(shape) + equilibrium_solver(shape, anderson) + uniform_start(shape))
        + tables(shape)
}

/// `mflda bench w2` (and a W2 metric's solver, [`crate::w2::bfm_gpu::BfmGpu`]):
/// `mu`, `nu`, `phi`, `psi` and the pushed density (20 bytes per point),
/// per half-step a push accumulator and an `H^1` work field (32), the two
/// c-transforms' shared scratch (24), the staging copy of the final
/// potentials (8); or the copy measurement before it when that is larger.
pub fn w2(shape: Shape) -> u64 {
    copy(shape).max((20 + 32 + 24 + 8) * points(shape)) + tables(shape)
}

/// Bytes in KiB below 1 MiB, MiB below 1 GiB, GiB above.
pub fn human(bytes: u64) -> String {
    let mib = bytes as f64 / (1u64 << 20) as f64;
    if mib < 1.0 {
        format!("{:.1} KiB", mib * 1024.0)
    } else if mib < 1024.0 {
        format!("{mib:.1} MiB")
    } else {
        format!("{:.2} GiB", mib / 1024.0)
    }
}

fn points(shape: Shape) -> u64 {
    shape.len() as u64
}
