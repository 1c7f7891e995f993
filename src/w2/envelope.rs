//! The c-transform for the quadratic cost on the torus (docs/MATHEMATICS.md
//! section 10) in f64, the reference of the GPU passes: it separates into
//! 1D passes along rows then columns, each the lower envelope of parabolas
//! (Felzenszwalb and Huttenlocher 2012) over the periodic extension,
//!
//! ```text
//! g(y_i) = min_{x in R} (x - y_i)^2 / 2 + f(x),   f periodic of period L,
//! ```
//!
//! in `O(N)` per line. A minimiser lies within `L/2` of `y`, so the
//! extension over `[-L/2, 3L/2)` (`2N` points) serves every `y` in `[0, L)`.
//! In grid units (`x = j h`, `F = f / h^2`) two parabolas from `v < q` cross
//! at `s = (F_q - F_v) / (q - v) + (q + v) / 2`, a form without the
//! cancellation of `q^2 - v^2` (it is the one the f32 kernels use too).

use crate::gpu::Shape;

/// Scratch of one line's envelope, reused across lines.
#[derive(Debug, Default, Clone)]
pub struct Envelope {
    /// The extended line's values in grid units.
    ext: Vec<f64>,
    /// Indices (into `ext`) of the parabolas on the envelope.
    v: Vec<usize>,
    /// Their left boundaries: `z[k]` to `z[k + 1]` is parabola `v[k]`'s.
    z: Vec<f64>,
}

impl Envelope {
    /// `out[i] = min_x (x - i h)^2 / 2 + f(x)` over the periodic grid
    /// function `f` (`n` values at `x_j = j h`, `out` of the same length).
    pub fn line(&mut self, f: &[f64], h: f64, out: &mut [f64]) {
        let n = f.len();
        assert_eq!(out.len(), n, "envelope: output length");
        let half = n / 2;
        let m = 2 * n;
        let scale = 1.0 / (h * h);
        // ext[e] is f at x = (e - half) h.
        self.ext.clear();
        self.ext
            .extend((0..m).map(|e| f[(e + n - half) % n] * scale));
        self.v.clear();
        self.z.clear();
        self.v.push(0);
        self.z.push(f64::NEG_INFINITY);
        for q in 1..m {
            let mut s;
            loop {
                let v = *self.v.last().expect("envelope: non-empty");
                s = (self.ext[q] - self.ext[v]) / (q - v) as f64 + (q + v) as f64 / 2.0;
                if s <= *self.z.last().expect("envelope: non-empty") && self.v.len() > 1 {
                    self.v.pop();
                    self.z.pop();
                } else {
                    break;
                }
            }
            self.v.push(q);
            self.z.push(s);
        }
        let mut k = 0;
        for (i, o) in out.iter_mut().enumerate() {
            let y = (i + half) as f64;
            while k + 1 < self.v.len() && self.z[k + 1] < y {
                k += 1;
            }
            let d = y - self.v[k] as f64;
            *o = h * h * (0.5 * d * d + self.ext[self.v[k]]);
        }
    }
}

/// The c-transform `phi^c(y) = min_x d(x, y)^2 / 2 - phi(x)` on the torus
/// grid `shape` of side `length` (`phi` row-major `(n2, n1)`; `n2 = 1` is
/// the circle), over the grid points `x`.
pub fn c_transform(phi: &[f64], shape: Shape, length: f64) -> Vec<f64> {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    assert_eq!(phi.len(), n1 * n2, "c-transform: phi length");
    let h = length / n1 as f64;
    let mut env = Envelope::default();
    let mut rows = vec![0.0; n1 * n2];
    let neg: Vec<f64> = phi.iter().map(|p| -p).collect();
    for (src, dst) in neg.chunks_exact(n1).zip(rows.chunks_exact_mut(n1)) {
        env.line(src, h, dst);
    }
    if n2 == 1 {
        return rows;
    }
    let mut column = vec![0.0; n2];
    let mut result = vec![0.0; n2];
    let mut out = vec![0.0; n1 * n2];
    for j1 in 0..n1 {
        for (j2, c) in column.iter_mut().enumerate() {
            *c = rows[j2 * n1 + j1];
        }
        env.line(&column, h, &mut result);
        for (j2, r) in result.iter().enumerate() {
            out[j2 * n1 + j1] = *r;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope against the brute-force minimum over every grid point
    /// and its two nearest periodic copies.
    #[test]
    fn the_envelope_is_the_brute_force_minimum() {
        let n = 37;
        let length = 2.5;
        let h = length / n as f64;
        let f: Vec<f64> = (0..n)
            .map(|j| (0.7 * j as f64).sin() * 0.3 + ((j * j) % 7) as f64 * 0.01)
            .collect();
        let mut out = vec![0.0; n];
        Envelope::default().line(&f, h, &mut out);
        for (i, o) in out.iter().enumerate() {
            let y = i as f64 * h;
            let brute = (0..n)
                .flat_map(|j| {
                    [-1.0, 0.0, 1.0].map(|k| {
                        let d = j as f64 * h + k * length - y;
                        0.5 * d * d + f[j]
                    })
                })
                .fold(f64::INFINITY, f64::min);
            assert!((o - brute).abs() < 1e-14, "i = {i}: {o} against {brute}");
        }
    }
}
