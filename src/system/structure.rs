//! Structure of a system read off its terms (docs/MATHEMATICS.md section 8):
//! whether it is a gradient flow (its free energy is a Lyapunov function and
//! is reported), a pairwise zero-sum game (the bound on the local rate
//! applies), translation invariant (a non-uniform stationary state has zero
//! eigenvalues), and which groups of species are coupled at all.

use std::collections::HashMap;

use crate::fft::spectral::Spectral;
use crate::gpu::Shape;
use crate::system::{Multiplier, System};

/// Relative tolerance of the symmetry checks on f32 samples.
const SYMMETRY_TOL: f64 = 1e-5;

impl System {
    /// True when the couplings are symmetric, `k_sr(z) = k_rs(-z)` and
    /// `G_sr(x, y) = G_rs(y, x)` for every pair of species (a self-coupling:
    /// an even kernel), so that the flow is the Wasserstein gradient flow of
    /// `F = sum_s [int a_s rho_s + tau_s int rho_s log rho_s] + 1/2 sum_sr
    /// int int k_sr(x - y) rho_s(x) rho_r(y)` (plus the band-limited terms),
    /// whatever the rates. Checked on the samples: kernels given in `z` on
    /// the grid of `shape` (`k(-z)` at the mirrored point), multipliers in
    /// `kappa` by `M_rs = conj(M_sr)`, band matrices by `C_rs = C_sr^T`, to a
    /// relative 1e-5.
    pub fn is_gradient(&self, shape: Shape) -> bool {
        self.couplings_symmetric(shape, 1.0)
    }

    /// True when the couplings are skew, `k_sr(z) = -k_rs(-z)` and
    /// `G_sr(x, y) = -G_rs(y, x)` for every pair (a self-coupling: an odd
    /// kernel): a pairwise zero-sum (polymatrix) game, such as the
    /// two-player game. Checked as [`Self::is_gradient`].
    pub fn is_zero_sum(&self, shape: Shape) -> bool {
        self.couplings_symmetric(shape, -1.0)
    }

    /// True when nothing fixes a position: no species has a potential and
    /// there is no band-limited term (only convolutions).
    pub fn is_translation_invariant(&self) -> bool {
        self.bands.is_empty() && self.species.iter().all(|s| s.potential.is_none())
    }

    /// The groups of species coupled to each other (the connected components
    /// of the graph whose edges are the terms between two species, terms
    /// whose samples are all zero left out), each sorted, in order of their
    /// first species.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let s = self.len();
        let mut group: Vec<usize> = (0..s).collect();
        fn root(group: &mut [usize], mut i: usize) -> usize {
            while group[i] != i {
                group[i] = group[group[i]];
                i = group[i];
            }
            i
        }
        let edges = self
            .convolutions
            .iter()
            .filter(|c| !self.multipliers[c.multiplier].is_zero())
            .map(|c| (c.target, c.source))
            .chain(
                self.bands
                    .iter()
                    .filter(|b| {
                        self.matrices[b.matrix]
                            .coeffs
                            .iter()
                            .any(|c| c.norm() > 0.0)
                    })
                    .map(|b| (b.target, b.source)),
            );
        for (a, b) in edges {
            let (ra, rb) = (root(&mut group, a), root(&mut group, b));
            group[ra.max(rb)] = ra.min(rb);
        }
        let roots: Vec<usize> = (0..s).map(|i| root(&mut group, i)).collect();
        let mut out: Vec<Vec<usize>> = Vec::new();
        for i in 0..s {
            match out.iter_mut().find(|g| roots[g[0]] == roots[i]) {
                Some(g) => g.push(i),
                None => out.push(vec![i]),
            }
        }
        out
    }

    /// `k_sr(z) = sign k_rs(-z)` (and the band-limited analogue) for every
    /// pair, on the samples.
    fn couplings_symmetric(&self, shape: Shape, sign: f64) -> bool {
        let spectral = Spectral::new(shape, 1.0);
        let n = shape.len();
        // The total samples of each ordered pair that has terms, by kind
        // (pairs without terms are zero: only those with terms are held).
        let mut kernel: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
        let mut spectrum: HashMap<(usize, usize), Vec<(f64, f64)>> = HashMap::new();
        for c in &self.convolutions {
            let sign = c.sign as f64;
            let pair = (c.target, c.source);
            match &self.multipliers[c.multiplier] {
                Multiplier::Kernel(k) => {
                    let acc = kernel.entry(pair).or_insert_with(|| vec![0.0; n]);
                    for (p, a) in acc.iter_mut().enumerate() {
                        // conj(M) is the multiplier of the reflected kernel.
                        let q = if c.conjugate { spectral.mirror(p) } else { p };
                        *a += sign * k[q] as f64;
                    }
                }
                Multiplier::Spectrum(m) => {
                    let acc = spectrum.entry(pair).or_insert_with(|| vec![(0.0, 0.0); n]);
                    for (a, v) in acc.iter_mut().zip(m) {
                        let im = if c.conjugate { -v[1] } else { v[1] } as f64;
                        a.0 += sign * v[0] as f64;
                        a.1 += sign * im;
                    }
                }
            }
        }
        let close = |a: f64, b: f64, scale: f64| (a - b).abs() <= SYMMETRY_TOL * scale.max(1e-30);
        let zeros = vec![0.0f64; n];
        for &(t, r) in kernel.keys() {
            let k = &kernel[&(t, r)];
            let kr = kernel.get(&(r, t)).unwrap_or(&zeros);
            let scale = k.iter().chain(kr).fold(0.0f64, |m, v| m.max(v.abs()));
            if (0..n).any(|p| !close(k[p], sign * kr[spectral.mirror(p)], scale)) {
                return false;
            }
        }
        let zero_pairs = vec![(0.0f64, 0.0f64); n];
        for &(t, r) in spectrum.keys() {
            let m = &spectrum[&(t, r)];
            let mr = spectrum.get(&(r, t)).unwrap_or(&zero_pairs);
            let scale = m
                .iter()
                .chain(mr)
                .fold(0.0f64, |x, v| x.max(v.0.hypot(v.1)));
            // M(0) is ignored.
            if (1..n).any(|p| {
                !close(m[p].0, sign * mr[p].0, scale) || !close(m[p].1, -sign * mr[p].1, scale)
            }) {
                return false;
            }
        }
        // Band terms: the signed coefficient sums of each pair, transposed back.
        for b in &self.bands {
            let side = self.matrices[b.matrix].coeffs.len();
            let len = (side as f64).sqrt().round() as usize;
            let total = |t: usize, r: usize, transposed: bool| -> Vec<num_complex::Complex64> {
                let mut out = vec![num_complex::Complex64::default(); side];
                for c in self.bands.iter().filter(|c| c.target == t && c.source == r) {
                    let coeffs = &self.matrices[c.matrix].coeffs;
                    if coeffs.len() != side {
                        return vec![num_complex::Complex64::new(f64::NAN, 0.0); side];
                    }
                    for i in 0..len {
                        for j in 0..len {
                            let (a, bb) = if c.transpose != transposed {
                                (j, i)
                            } else {
                                (i, j)
                            };
                            out[i * len + j] += c.sign as f64 * coeffs[a * len + bb];
                        }
                    }
                }
                out
            };
            let forward = total(b.target, b.source, false);
            let back: Vec<_> = total(b.source, b.target, true)
                .into_iter()
                .map(|c| c * sign)
                .collect();
            let scale = forward
                .iter()
                .chain(&back)
                .fold(0.0f64, |m, v| m.max(v.norm()));
            if forward.iter().zip(&back).any(|(x, y)| {
                let d = (x - y).norm();
                d.is_nan() || d > SYMMETRY_TOL * scale.max(1e-30)
            }) {
                return false;
            }
        }
        true
    }
}
