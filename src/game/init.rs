//! Initial densities written as expressions over `x` and `eq` (the equilibrium
//! density at `x`) that may call `rand(x)`, seeded noise; sampled on the grid
//! and checked to be densities.

use crate::game::expr::{check_expr, ExprKind};
use crate::game::sample::sample_grid_seeded;
use crate::gpu::{GpuContext, Shape};
use crate::{Error, Result};

/// Values above `-ROUND_OFF * max` count as round-off of a zero and are set to 0.
pub const ROUND_OFF: f32 = 1e-6;

/// Checks an initial-density expression (variables `x: vec2<f32>`, `eq: f32`,
/// and the function `rand`).
pub fn check_init(field: &str, text: &str) -> Result<()> {
    check_expr(field, text, ExprKind::Init)
}

/// Samples the initial density `text` at every point of `shape` (layout of
/// [`sample_grid`](crate::game::sample_grid): element `[j2, j1]` at
/// `(j1 h1, j2 h2)`), `eq` being the equilibrium density on the same grid, shape
/// `(n2, n1)`, and `seed` (config `init.seed`) seeding `rand`: the value of
/// `rand(x)` at element `[j2, j1]` is [`rand_value`]`(seed, j1, j2)`. The values
/// are not normalised. Negative values within round-off (`>= -ROUND_OFF * max`)
/// become 0; an [`Error::Data`] naming `field` reports a density that is not
/// finite, negative somewhere (the minimum and where) or zero everywhere.
pub fn sample_init(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    shape: Shape,
    length: f64,
    eq: &[f32],
    seed: u64,
) -> Result<Vec<f32>> {
    crate::gpu::block(sample_init_async(ctx, field, text, shape, length, eq, seed))
}

/// [`sample_init`] as a future: what a browser awaits.
pub async fn sample_init_async(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    shape: Shape,
    length: f64,
    eq: &[f32],
    seed: u64,
) -> Result<Vec<f32>> {
    if eq.len() != shape.len() {
        return Err(Error::Usage(format!(
            "{field}: the equilibrium density has {} values for a {shape} grid",
            eq.len()
        )));
    }
    let mut values = sample_grid_seeded(
        ctx,
        field,
        text,
        ExprKind::Init,
        shape,
        length,
        Some(eq),
        seed,
    )
    .await?;
    let (imin, &min) = values
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap_or((0, &0.0));
    let max = values.iter().copied().fold(0.0f32, f32::max);
    if min < -ROUND_OFF * max {
        let (j1, j2) = (imin % shape.n1 as usize, imin / shape.n1 as usize);
        let x1 = j1 as f64 * length / shape.n1 as f64;
        let x2 = j2 as f64 * length / shape.n2 as f64;
        return Err(Error::Data {
            field: field.to_string(),
            message: format!(
                "the initial density `{}` is negative: its minimum is {min} at x = \
                 ({x1:.6}, {x2:.6}) (grid element [{j2}, {j1}]); a density must be >= 0 \
                 everywhere. Fix: add a constant, e.g. `1.0 + 0.5 * cos(x.x)`, or use \
                 exp(...)",
                text.trim()
            ),
        });
    }
    if max <= 0.0 {
        return Err(Error::Data {
            field: field.to_string(),
            message: format!(
                "the initial density `{}` is zero everywhere, so it cannot be normalised to \
                 mass 1. Fix: give a positive density, e.g. `eq` (start at the equilibrium) \
                 or `1.0` (uniform)",
                text.trim()
            ),
        });
    }
    values.iter_mut().for_each(|v| *v = v.max(0.0));
    Ok(values)
}

/// One round of the PCG output permutation used as a 32-bit hash (Jarzynski and
/// Olano 2020), the same as `mflda_rand_pcg` in `shaders/game/shared/rand.wgsl`.
fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// The value of `rand(x)` at grid element `[j2, j1]` (the point `(j1 h1, j2 h2)`)
/// for `seed`: the CPU twin of `rand` in `shaders/game/shared/rand.wgsl`, equal
/// to the GPU's value bit for bit. It hashes `j1`, then `j2`, then the low and
/// the high 32 bits of `seed`, and scales the top 24 bits of the hash into
/// [0, 1), so every value is a multiple of 2^-24 below 1. In 1D `j2` is 0.
pub fn rand_value(seed: u64, j1: u32, j2: u32) -> f32 {
    let mut h = pcg(j1);
    h = pcg(h ^ j2);
    h = pcg(h ^ (seed & 0xffff_ffff) as u32);
    h = pcg(h ^ (seed >> 32) as u32);
    (h >> 8) as f32 / 16_777_216.0
}
