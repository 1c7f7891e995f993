//! The GPU memory each benchmark needs for an N x N grid: the most it holds at
//! once, including the copy-bandwidth measurement that precedes it (whose two
//! buffers are freed before the benchmark builds its own), so that a user sees
//! it before a size runs. Counted per grid point from the buffers the code
//! allocates, plus [`tables`] for the small ones. `tests/bench.rs` checks
//! these against the device's own allocation counters.

use crate::gpu::Shape;

/// An allowance for the small buffers: twiddle tables, band coefficients,
/// uniforms (1 MiB) and reduction partials (well under 1 byte per point).
pub fn tables(shape: Shape) -> u64 {
    (1 << 20) + points(shape)
}

/// Bytes per point of the copy measurement: a source and a destination of one
/// complex field each.
const COPY: u64 = 16;

/// Bytes per point of the payoff operators a problem keeps: `kconv^` (one
/// complex field) and `[a^, b^]` (two).
const OPERATORS: u64 = 24;

/// `mflda bench fft`: one complex field (8 bytes per point), or the copy
/// measurement before it when that is larger.
pub fn fft(shape: Shape) -> u64 {
    points(shape) * COPY.max(8) + tables(shape)
}

/// `mflda bench step`: the operators, the stepper's state, two stage buffers
/// and three nonlinear terms (six pairs of complex fields, 96 bytes per point)
/// and the right-hand side's work fields (gradients and packed densities, 24),
/// plus the transient fields of setting the densities (two real inputs, a
/// packed complex field and two split spectra, 32).
pub fn step(shape: Shape) -> u64 {
    points(shape) * COPY.max(OPERATORS + 96 + 24 + 32) + tables(shape)
}

/// `mflda bench equilibrium`: the operators, the solver's two log buffers and
/// `l_bar` (three pairs of real fields, 24 bytes per point), packed densities
/// (8), `[mu^, nu^]` (16), `V + i U` (8) and the Gibbs pair (8), plus the
/// uniform start being written (8).
pub fn equilibrium(shape: Shape) -> u64 {
    points(shape) * COPY.max(OPERATORS + 24 + 8 + 16 + 8 + 8 + 8) + tables(shape)
}

fn points(shape: Shape) -> u64 {
    shape.len() as u64
}
