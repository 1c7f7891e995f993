//! The game: payoff terms and initial densities written by the user as WGSL
//! expressions (docs/MATHEMATICS.md sections 1-2), checked by naga, sampled on the GPU.
//!
//! - [`expr`]: expression kinds, the generated WGSL function, [`check_expr`];
//! - [`sample`]: evaluating an expression on a grid or a product grid;
//! - [`trig`]: accurate `sin`, `cos`, `tan` in sampled expressions, on every adapter;
//! - [`band`]: the band-limited interaction K3 from samples of K(x, y);
//! - [`payoff`]: [`PayoffSpec`] to the sampled [`Payoff`];
//! - [`periodicity`]: whether a sampled term jumps at the boundary;
//! - [`init`]: initial densities over `x` and `eq`, with seeded noise `rand(x)`.
//!
//! Expressions see their variables as `vec2<f32>` (second component 0 in 1D),
//! the constants `PI` and `L` (domain length) and the WGSL built-ins. Grid element
//! `[j2, j1]` of shape `(n2, n1)` is the point `(j1 h1, j2 h2)`, `h_i = L / n_i`.

pub mod band;
mod diagnostic;
pub mod expr;
pub mod init;
pub mod payoff;
pub mod periodicity;
pub mod sample;
pub mod trig;

pub use band::BandLimited;
pub use expr::{check_expr, is_zero, user_function, ExprKind, UserFunction};
pub use init::{check_init, rand_value, sample_init, sample_init_async};
pub use payoff::{Payoff, PayoffSpec};
pub use sample::{
    check_spectrum, sample_grid, sample_grid_async, sample_pair, sample_pair_async,
    sample_spectrum, sample_spectrum_async,
};
