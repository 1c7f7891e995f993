//! The f64 reference of the linearised W2 distance (`super::w2lin`): the same
//! discretisation, `A = D^H rho* D` with `D = i kappa_odd` in spectral
//! coordinates, solved by conjugate gradients with the same preconditioner,
//! but with each gradient component transformed on its own (no packing) and
//! to a tight tolerance.

use num_complex::Complex64 as C64;

use crate::fft::{cpu::fft, Direction};
use crate::gpu::Shape;
use crate::metrics::w2lin::WEIGHT_CAP;

/// The result of [`h_minus1_norm`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HMinus1 {
    /// `||f||_{H^-1(rho*)}`.
    pub norm: f64,
    /// Conjugate-gradient iterations used.
    pub iterations: u32,
    /// Final relative residual `||b - A x|| / ||b||`.
    pub residual: f64,
}

/// `||f||_{H^-1(rho*)}` on the torus grid `shape` of side `length`, with
/// `-div(rho* grad phi) = f` solved spectrally: `f` and `rho*` are row-major
/// `(n2, n1)` grid values (`rho* > 0`; the components of `f` in the null modes
/// of the spectral gradient, its mean among them, are dropped). Stops at
/// relative residual `tol` or after `max_iter` iterations.
pub fn h_minus1_norm(
    shape: Shape,
    length: f64,
    rho_star: &[f64],
    f: &[f64],
    tol: f64,
    max_iter: u32,
) -> HMinus1 {
    let n = shape.len();
    assert_eq!(rho_star.len(), n, "rho* has the wrong length");
    assert_eq!(f.len(), n, "f has the wrong length");
    let ops = Ops::new(shape, length, rho_star);
    let mut b: Vec<C64> = f.iter().map(|&v| C64::new(v, 0.0)).collect();
    fft(&mut b, shape, 1, Direction::Forward);
    for (v, k) in b.iter_mut().zip(&ops.kappa) {
        if k[0] == 0.0 && k[1] == 0.0 {
            *v = C64::default();
        }
    }
    let b_norm = dot(&b, &b).sqrt();
    let mut x = vec![C64::default(); n];
    let mut r = b.clone();
    let mut z = ops.precondition(&r);
    let mut p = z.clone();
    let mut g = dot(&r, &z);
    let mut iterations = 0;
    let mut residual = if b_norm > 0.0 { 1.0 } else { 0.0 };
    while iterations < max_iter && residual > tol {
        let y = ops.apply(&p);
        let alpha = g / dot(&p, &y);
        for i in 0..n {
            x[i] += alpha * p[i];
            r[i] -= alpha * y[i];
        }
        z = ops.precondition(&r);
        let g_next = dot(&r, &z);
        let beta = g_next / g;
        for i in 0..n {
            p[i] = z[i] + beta * p[i];
        }
        g = g_next;
        iterations += 1;
        residual = dot(&r, &r).sqrt() / b_norm;
    }
    let cell = length.powi(shape.dim() as i32) / n as f64;
    HMinus1 {
        norm: (cell / n as f64 * dot(&b, &x)).max(0.0).sqrt(),
        iterations,
        residual,
    }
}

/// `Re sum conj(a) b`.
fn dot(a: &[C64], b: &[C64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| (u.conj() * v).re).sum()
}

struct Ops {
    shape: Shape,
    /// `kappa_odd` per mode, `[x, y]`.
    kappa: Vec<[f64; 2]>,
    rho: Vec<f64>,
    inv: Vec<f64>,
}

impl Ops {
    fn new(shape: Shape, length: f64, rho: &[f64]) -> Self {
        let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
        let odd = |j: usize, m: usize| {
            if m == 1 || 2 * j == m {
                0.0
            } else {
                let w = if 2 * j < m {
                    j as f64
                } else {
                    j as f64 - m as f64
                };
                std::f64::consts::TAU * w / length
            }
        };
        let kappa = (0..n1 * n2)
            .map(|p| [odd(p % n1, n1), odd(p / n1, n2)])
            .collect();
        let top = rho.iter().fold(0.0f64, |m, &v| m.max(v));
        let inv = rho.iter().map(|&r| 1.0 / r.max(top / WEIGHT_CAP)).collect();
        Ops {
            shape,
            kappa,
            rho: rho.to_vec(),
            inv,
        }
    }

    /// `-div(w grad u)` for the spectrum `u`, scaled by `s` on both sides.
    fn weighted(&self, u: &[C64], w: &[f64], scale: impl Fn(&[f64; 2]) -> f64) -> Vec<C64> {
        let i = C64::new(0.0, 1.0);
        let mut out = vec![C64::default(); u.len()];
        for axis in 0..2 {
            let mut g: Vec<C64> = u
                .iter()
                .zip(&self.kappa)
                .map(|(v, k)| i * k[axis] * scale(k) * v)
                .collect();
            fft(&mut g, self.shape, 1, Direction::Inverse);
            g.iter_mut().zip(w).for_each(|(v, w)| *v *= w);
            fft(&mut g, self.shape, 1, Direction::Forward);
            for ((o, v), k) in out.iter_mut().zip(&g).zip(&self.kappa) {
                *o -= i * k[axis] * scale(k) * v;
            }
        }
        out
    }

    fn apply(&self, u: &[C64]) -> Vec<C64> {
        self.weighted(u, &self.rho, |_| 1.0)
    }

    fn precondition(&self, u: &[C64]) -> Vec<C64> {
        self.weighted(u, &self.inv, |k| {
            let s = k[0] * k[0] + k[1] * k[1];
            if s > 0.0 {
                1.0 / s
            } else {
                0.0
            }
        })
    }
}
