//! Whether a sampled expression is periodic on the torus. The solver treats
//! every term as periodic, so an expression that is not (`z.x`, `x.x * x.x`)
//! is silently made discontinuous at the boundary `x = L`. The test: from
//! the last two samples of each line, extrapolate linearly to `x = L` and
//! compare with the first sample, `f(0)`; for a smooth periodic function
//! that differs from `f(0)` by about a second difference of the samples, so
//! a gap far above every second difference is a jump.

use crate::gpu::Shape;

/// A jump at the boundary found by [`boundary_jump`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jump {
    /// 0 for the first coordinate (`.x`), 1 for the second (`.y`).
    pub axis: usize,
    /// The value extrapolated to the boundary `L` along that axis.
    pub before: f64,
    /// The value at 0 on the same line.
    pub after: f64,
}

impl Jump {
    /// `|after - before|`.
    pub fn size(&self) -> f64 {
        (self.after - self.before).abs()
    }
}

/// Ratio of the boundary gap to the largest second difference above which
/// it counts as a jump.
const RATIO: f64 = 20.0;

/// The largest jump of `values` (row-major `(n2, n1)` samples on `shape`) at
/// the boundary of either axis, when it is a jump: more than 20 times every
/// second difference along that axis and more than 1e-4 of the largest
/// |value| (f32 round-off stays far below). `None` for a periodic function
/// or a grid with fewer than 8 points a side.
pub fn boundary_jump(values: &[f32], shape: Shape) -> Option<Jump> {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    let scale = values.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
    let mut worst: Option<(f64, Jump)> = None;
    for axis in 0..2 {
        // Lines along `axis`: sample `i` of line `line`.
        let (len, lines) = if axis == 0 { (n1, n2) } else { (n2, n1) };
        let at = |line: usize, i: usize| {
            let k = if axis == 0 {
                line * n1 + i
            } else {
                i * n1 + line
            };
            f64::from(values[k])
        };
        if len < 8 {
            continue;
        }
        let mut curvature: f64 = 0.0;
        for line in 0..lines {
            for i in 1..len - 1 {
                let d2 = at(line, i + 1) - 2.0 * at(line, i) + at(line, i - 1);
                curvature = curvature.max(d2.abs());
            }
        }
        for line in 0..lines {
            let before = 2.0 * at(line, len - 1) - at(line, len - 2);
            let jump = Jump {
                axis,
                before,
                after: at(line, 0),
            };
            let gap = jump.size();
            if gap > RATIO * curvature && gap > 1e-4 * scale && worst.is_none_or(|w| gap > w.0) {
                worst = Some((gap, jump));
            }
        }
    }
    worst.map(|w| w.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(shape: Shape, f: impl Fn(f64, f64) -> f64) -> Vec<f32> {
        let h1 = std::f64::consts::TAU / f64::from(shape.n1);
        let h2 = std::f64::consts::TAU / f64::from(shape.n2);
        (0..shape.len())
            .map(|k| {
                let (j1, j2) = (k % shape.n1 as usize, k / shape.n1 as usize);
                f(j1 as f64 * h1, j2 as f64 * h2) as f32
            })
            .collect()
    }

    #[test]
    fn periodic_functions_pass_and_jumps_are_found() {
        let line = Shape::line(256);
        let square = Shape::square(64);
        for f in [
            |x: f64, y: f64| x.cos() * y.sin(),
            |x: f64, _| (8.0 * x.cos()).exp(),
            |x: f64, y: f64| (x - y).sin().powi(3),
        ] {
            assert_eq!(boundary_jump(&sample(line, f), line), None);
            assert_eq!(boundary_jump(&sample(square, f), square), None);
        }
        let j = boundary_jump(&sample(line, |x, _| x), line).unwrap();
        assert_eq!(j.axis, 0);
        assert!((j.before - std::f64::consts::TAU).abs() < 1e-5 && j.after == 0.0);
        let j = boundary_jump(&sample(square, |x, y| x.cos() + y * y), square).unwrap();
        assert_eq!(j.axis, 1);
        assert!(
            (j.size() - std::f64::consts::TAU.powi(2)).abs() < 0.5,
            "{j:?}"
        );
        assert_eq!(boundary_jump(&[0.0; 4], Shape::line(4)), None);
    }
}
