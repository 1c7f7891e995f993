//! The CPU reference: f64 transforms with rustfft, numpy's conventions.

use num_complex::Complex64;
use rustfft::FftPlanner;

use crate::fft::Direction;
use crate::gpu::Shape;

/// Transforms `batch` fields of `shape` in place (row-major, field after field):
/// forward unnormalised, inverse divided by `n1 n2`.
pub fn fft(data: &mut [Complex64], shape: Shape, batch: usize, dir: Direction) {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    assert_eq!(
        data.len(),
        n1 * n2 * batch,
        "data length does not match shape"
    );
    let mut planner = FftPlanner::<f64>::new();
    let (row, col) = match dir {
        Direction::Forward => (planner.plan_fft_forward(n1), planner.plan_fft_forward(n2)),
        Direction::Inverse => (planner.plan_fft_inverse(n1), planner.plan_fft_inverse(n2)),
    };
    let mut column = vec![Complex64::default(); n2];
    for field in data.chunks_exact_mut(n1 * n2) {
        for r in field.chunks_exact_mut(n1) {
            row.process(r);
        }
        if n2 > 1 {
            for j1 in 0..n1 {
                for (j2, c) in column.iter_mut().enumerate() {
                    *c = field[j2 * n1 + j1];
                }
                col.process(&mut column);
                for (j2, c) in column.iter().enumerate() {
                    field[j2 * n1 + j1] = *c;
                }
            }
        }
        if dir == Direction::Inverse {
            let s = 1.0 / (n1 * n2) as f64;
            field.iter_mut().for_each(|v| *v *= s);
        }
    }
}

/// Interleaved f32 (re, im) pairs to f64 complex numbers.
pub fn to_complex(pairs: &[f32]) -> Vec<Complex64> {
    pairs
        .chunks_exact(2)
        .map(|p| Complex64::new(p[0] as f64, p[1] as f64))
        .collect()
}

/// `||a - b||_2 / ||b||_2` with `a` given as interleaved f32 pairs.
pub fn relative_l2(a: &[f32], b: &[Complex64]) -> f64 {
    let a = to_complex(a);
    assert_eq!(a.len(), b.len(), "length mismatch");
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y).norm_sqr()).sum();
    let den: f64 = b.iter().map(|y| y.norm_sqr()).sum();
    (num / den).sqrt()
}
