//! A whole field to an image on the CPU: block averages, then the colour of
//! each average. The reference of the GPU colour-map kernel.

use super::mapping::{map_value, Limits, Scale};
use super::Colormap;
use crate::{Error, Result};

/// Area averages of `field` over `f x f` blocks.
///
/// `field` is a grid stored row-major with shape `(n2, n1)` (element
/// `[j2, j1]` at index `j2 * n1 + j1`); `f` must be at least 1 and divide
/// both `n1` and `n2`. The result has shape `(n2 / f, n1 / f)` in the same
/// order (row 0 averages grid rows `0..f`); each average is accumulated in
/// f64 and rounded to f32 once. A non-finite value makes its block's average
/// non-finite. [`Error::Usage`] on a bad shape.
pub fn downsample_mean(field: &[f32], n1: usize, n2: usize, f: usize) -> Result<Vec<f32>> {
    check_shape(field.len(), n1, n2, f)?;
    let (w, h) = (n1 / f, n2 / f);
    let scale = 1.0 / (f as f64 * f as f64);
    let mut out = vec![0.0f32; w * h];
    let mut sums = vec![0.0f64; w];
    for (by, row_out) in out.chunks_exact_mut(w).enumerate() {
        sums.iter_mut().for_each(|s| *s = 0.0);
        for row in field[by * f * n1..(by + 1) * f * n1].chunks_exact(n1) {
            for (s, block) in sums.iter_mut().zip(row.chunks_exact(f)) {
                *s += block.iter().map(|&v| f64::from(v)).sum::<f64>();
            }
        }
        for (o, s) in row_out.iter_mut().zip(&sums) {
            *o = (s * scale) as f32;
        }
    }
    Ok(out)
}

/// The RGBA8 image of `field` (shape `(n2, n1)`, see [`downsample_mean`]),
/// downsampled by `f` and coloured with [`map_value`] between `limits.lo`
/// and `limits.hi`.
///
/// The image is `n1 / f` pixels wide and `n2 / f` high, row-major, 4 bytes a
/// pixel. Image row 0 is the *last* block row (largest `j2`), so the second
/// coordinate points up as in a plot: pixel `(px, py)` shows block
/// `(j1 = px, j2 = n2 / f - 1 - py)`. [`Error::Usage`] on a bad shape.
pub fn colorize(
    field: &[f32],
    n1: usize,
    n2: usize,
    f: usize,
    limits: Limits,
    scale: Scale,
    map: Colormap,
) -> Result<Vec<u8>> {
    let means = downsample_mean(field, n1, n2, f)?;
    let (w, h) = (n1 / f, n2 / f);
    let lut = map.lut();
    let mut rgba = Vec::with_capacity(w * h * 4);
    for row in means.chunks_exact(w).rev() {
        for &v in row {
            rgba.extend_from_slice(&map_value(v, limits.lo, limits.hi, scale, &lut));
        }
    }
    Ok(rgba)
}

fn check_shape(len: usize, n1: usize, n2: usize, f: usize) -> Result<()> {
    if n1 == 0 || n2 == 0 || n1.checked_mul(n2) != Some(len) {
        return Err(Error::Usage(format!(
            "a field of {len} values is not a grid of {n2} rows of {n1}"
        )));
    }
    if f == 0 || !n1.is_multiple_of(f) || !n2.is_multiple_of(f) {
        return Err(Error::Usage(format!(
            "the downsampling factor {f} must be at least 1 and divide the grid sides {n1} and {n2}"
        )));
    }
    Ok(())
}
