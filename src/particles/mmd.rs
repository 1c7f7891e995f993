//! The Fourier MMD between particles and a density (docs/MATHEMATICS.md
//! section 9): with the characteristic functions `m^(kappa)` of the
//! particles and `rho^(kappa) = ∫ exp(-i kappa . x) rho(x) dx` of the
//! density and a kernel of positive spectrum `c_kappa`,
//!
//! `MMD^2 = sum_kappa c_kappa |m^(kappa) - rho^(kappa)|^2`.
//!
//! For n independent samples of rho, `E |m^ - rho^|^2 = (1 - |rho^|^2) / n`
//! exactly, so the debiased value subtracts that noise; it has mean zero for
//! exact samples. `m^(-kappa)` is the conjugate of `m^(kappa)` for real
//! measures, so the sums run over half the modes, doubled.

use num_complex::Complex64;

/// The nonzero integer wave vectors of the box `|k_1|, |k_2| <= k_max` (k_2
/// = 0 in 1D) with one of each pair `k`, `-k`: `k_2 > 0`, or `k_2 = 0` and
/// `k_1 > 0`.
pub fn half_modes(dim: u32, k_max: i32) -> Vec<[i32; 2]> {
    let k2_max = if dim == 2 { k_max } else { 0 };
    let mut out = Vec::new();
    for k2 in 0..=k2_max {
        for k1 in -k_max..=k_max {
            if k2 > 0 || k1 > 0 {
                out.push([k1, k2]);
            }
        }
    }
    out
}

/// The spectrum of the MMD's kernel at integer wave vector `k`: the
/// Gaussian `exp(-|k|^2 / (2 k_0^2))` of width `k_0` modes.
pub fn gaussian_weight(k: [i32; 2], k0: f64) -> f64 {
    let k2 = f64::from(k[0]).powi(2) + f64::from(k[1]).powi(2);
    (-k2 / (2.0 * k0 * k0)).exp()
}

/// The raw and the debiased squared Fourier MMD, and the noise subtracted.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FourierMmd {
    /// `sum c |m^ - rho^|^2` over the modes and their mirrors.
    pub raw: f64,
    /// The expected raw value of `n` exact samples, `sum c (1 - |rho^|^2) / n`.
    pub noise: f64,
    /// `raw - noise`: mean zero for exact samples.
    pub debiased: f64,
}

/// The squared MMD between particle moments `m` and density moments `rho`
/// at the half modes (see [`half_modes`]) with kernel weights `c` (one per
/// mode, of an even kernel: `c(-k) = c(k)`, so each half mode stands for its
/// mirror too), for `n` particles of equal weight. The three slices have
/// one entry per mode.
pub fn fourier_mmd(m: &[Complex64], rho: &[Complex64], c: &[f64], n: f64) -> FourierMmd {
    assert!(
        m.len() == rho.len() && rho.len() == c.len(),
        "fourier_mmd: {} particle moments, {} density moments, {} weights",
        m.len(),
        rho.len(),
        c.len()
    );
    let mut raw = 0.0;
    let mut noise = 0.0;
    for ((m, r), c) in m.iter().zip(rho).zip(c) {
        // Each half mode stands for itself and its mirror.
        raw += 2.0 * c * (m - r).norm_sqr();
        noise += 2.0 * c * (1.0 - r.norm_sqr()) / n;
    }
    FourierMmd {
        raw,
        noise,
        debiased: raw - noise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_modes_hold_one_of_each_pair() {
        let m = half_modes(2, 2);
        // (5^2 - 1) / 2 nonzero modes of the box, one per pair.
        assert_eq!(m.len(), 12);
        for k in &m {
            assert!(!m.contains(&[-k[0], -k[1]]), "{k:?} and its mirror");
        }
        assert_eq!(half_modes(1, 3), vec![[1, 0], [2, 0], [3, 0]]);
    }

    #[test]
    fn identical_measures_have_zero_raw_distance() {
        let rho = vec![Complex64::new(0.3, -0.1); 3];
        let d = fourier_mmd(&rho, &rho, &[1.0, 0.5, 0.25], 100.0);
        assert_eq!(d.raw, 0.0);
        assert!((d.noise - 2.0 * 1.75 * 0.9 / 100.0).abs() < 1e-15);
    }
}
