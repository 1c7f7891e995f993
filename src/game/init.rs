//! Initial densities written as expressions over `x` and `eq` (the equilibrium
//! density at `x`), sampled on the grid and checked to be densities.

use crate::game::expr::{check_expr, ExprKind};
use crate::game::sample::sample_grid;
use crate::gpu::{GpuContext, Shape};
use crate::{Error, Result};

/// Values above `-ROUND_OFF * max` count as round-off of a zero and are set to 0.
pub const ROUND_OFF: f32 = 1e-6;

/// Checks an initial-density expression (variables `x: vec2<f32>`, `eq: f32`).
pub fn check_init(field: &str, text: &str) -> Result<()> {
    check_expr(field, text, ExprKind::Init)
}

/// Samples the initial density `text` at every point of `shape` (layout of
/// [`sample_grid`]: element `[j2, j1]` at `(j1 h1, j2 h2)`), `eq` being the
/// equilibrium density on the same grid, shape `(n2, n1)`. The values are not
/// normalised. Negative values within round-off (`>= -ROUND_OFF * max`) become 0;
/// an [`Error::Data`] naming `field` reports a density that is not finite,
/// negative somewhere (the minimum and where) or zero everywhere.
pub fn sample_init(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    shape: Shape,
    length: f64,
    eq: &[f32],
) -> Result<Vec<f32>> {
    if eq.len() != shape.len() {
        return Err(Error::Shape(format!(
            "{field}: the equilibrium density has {} values for a {shape} grid",
            eq.len()
        )));
    }
    let mut values = sample_grid(ctx, field, text, ExprKind::Init, shape, length, Some(eq))?;
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
