//! The band-limited interaction K3 (docs/MATHEMATICS.md section 1, term 3): the Fourier
//! coefficients of a sampled `K(x, y)` inside a box of wave vectors, computed in
//! f64 on the CPU, with the truncation error of keeping only the box.

use num_complex::Complex64;
use rustfft::FftPlanner;

use crate::game::expr::is_zero;
use crate::game::sample::{sample_pair, sample_pair_async, MAX_PAIR_SAMPLES};
use crate::gpu::GpuContext;
use crate::{Error, Result};

/// `K3(x, y) = sum_{m, n in box} C_{m,n} exp(i (kappa_m . x + kappa_n . y))`,
/// `kappa_m = 2 pi m / L`, the box being the integer wave vectors with every
/// component in `[-B, B]` (`(2B+1)^d` per player). Real, as
/// `C_{-m,-n} = conj C_{m,n}`.
#[derive(Debug, Clone)]
pub struct BandLimited {
    /// 1 or 2.
    pub dim: u32,
    /// B: the largest wave number kept per axis.
    pub modes: u32,
    /// P: samples per axis of the product grid K was sampled on.
    pub samples_per_axis: u32,
    /// Domain length L.
    pub length: f64,
    /// `C_{m,n}` row-major `[box(m)][box(n)]`, `box(m) = (m2 + B)(2B+1) + (m1 + B)`
    /// in 2D, `m1 + B` in 1D.
    pub coeffs: Vec<Complex64>,
    /// max |K| over the samples.
    pub sup_norm: f64,
    /// max over the samples of |K - K3|, divided by max(sup_norm, tiny).
    pub truncation_error: f64,
    /// ||K - K3|| / ||K|| in L2 over the samples (the energy outside the box).
    pub truncation_l2: f64,
}

/// Forward (or unnormalised inverse) DFT of the `p^axes` array `data` along
/// every axis, axis 0 contiguous.
fn fft_all_axes(data: &mut [Complex64], p: usize, axes: u32, inverse: bool) {
    let mut planner = FftPlanner::<f64>::new();
    let fft = if inverse {
        planner.plan_fft_inverse(p)
    } else {
        planner.plan_fft_forward(p)
    };
    fft.process(data);
    let mut line = vec![Complex64::default(); p];
    for axis in 1..axes {
        let stride = p.pow(axis);
        for outer in 0..data.len() / (stride * p) {
            for inner in 0..stride {
                let base = outer * stride * p + inner;
                for (k, v) in line.iter_mut().enumerate() {
                    *v = data[base + k * stride];
                }
                fft.process(&mut line);
                for (k, v) in line.iter().enumerate() {
                    data[base + k * stride] = *v;
                }
            }
        }
    }
}

impl BandLimited {
    /// P for bandwidth B: the smallest power of two >= 4 (B + 1), at least 8.
    pub fn samples_for(modes: u32) -> u32 {
        4u32.saturating_mul(modes.saturating_add(1))
            .checked_next_power_of_two()
            .unwrap_or(1 << 31)
            .max(8)
    }

    /// Wave vectors per player in the box: `(2B+1)^dim`.
    pub fn box_len(&self) -> usize {
        (2 * self.modes as usize + 1).pow(self.dim)
    }

    /// The wave vector `[m1, m2]` of box index `i` (`m2 = 0` in 1D).
    pub fn box_mode(&self, i: usize) -> [i32; 2] {
        let side = 2 * self.modes as usize + 1;
        let b = self.modes as i32;
        if self.dim == 1 {
            [i as i32 - b, 0]
        } else {
            [(i % side) as i32 - b, (i / side) as i32 - b]
        }
    }

    /// Box index of the wave vector `m` (`m[1]` must be 0 in 1D), `None` outside.
    pub fn box_index(&self, m: [i32; 2]) -> Option<usize> {
        let b = self.modes as i32;
        let inside = |k: i32| (-b..=b).contains(&k);
        let side = 2 * b + 1;
        match self.dim {
            1 if inside(m[0]) && m[1] == 0 => Some((m[0] + b) as usize),
            2 if inside(m[0]) && inside(m[1]) => Some(((m[1] + b) * side + m[0] + b) as usize),
            _ => None,
        }
    }

    /// `C_{m,n}`; zero for wave vectors outside the box.
    pub fn coeff(&self, m: [i32; 2], n: [i32; 2]) -> Complex64 {
        match (self.box_index(m), self.box_index(n)) {
            (Some(i), Some(j)) => self.coeffs[i * self.box_len() + j],
            _ => Complex64::default(),
        }
    }

    /// The coefficients of `samples` = K on the product grid of spacing
    /// `length / p`, laid out as [`crate::game::sample_pair`] writes them
    /// (`p^(2 dim)` values), kept for every `m, n` in the box of bandwidth
    /// `modes`: `C_{m,n} = p^(-2d) sum_{a,b} K(x_a, y_b) exp(-i (kappa_m . x_a + kappa_n . y_b))`.
    pub fn from_samples<T: Copy + Into<f64>>(
        samples: &[T],
        dim: u32,
        modes: u32,
        p: u32,
        length: f64,
    ) -> Result<Self> {
        let pu = p as usize;
        if !(1..=2).contains(&dim) || (p as u64) < 2 * modes as u64 + 1 {
            return Err(Error::Usage(format!(
                "band-limited interaction: need dim 1 or 2 and p >= 2B + 1, got dim {dim}, \
                 p {p}, B {modes}"
            )));
        }
        if samples.len() != pu.pow(2 * dim) {
            return Err(Error::Usage(format!(
                "band-limited interaction: {} samples given, p^(2d) = {} expected",
                samples.len(),
                pu.pow(2 * dim)
            )));
        }
        let mut spectrum: Vec<Complex64> = samples
            .iter()
            .map(|&v| Complex64::new(v.into(), 0.0))
            .collect();
        let sup_norm = spectrum.iter().fold(0.0f64, |m, v| m.max(v.re.abs()));
        fft_all_axes(&mut spectrum, pu, 2 * dim, false);
        let scale = 1.0 / spectrum.len() as f64;
        spectrum.iter_mut().for_each(|v| *v *= scale);

        let mut band = BandLimited {
            dim,
            modes,
            samples_per_axis: p,
            length,
            coeffs: Vec::new(),
            sup_norm,
            truncation_error: 0.0,
            truncation_l2: 0.0,
        };
        let box_len = band.box_len();
        let wrap = |k: i32| k.rem_euclid(p as i32) as usize;
        let flat = |m: [i32; 2], n: [i32; 2]| {
            if dim == 1 {
                wrap(n[0]) * pu + wrap(m[0])
            } else {
                ((wrap(n[1]) * pu + wrap(n[0])) * pu + wrap(m[1])) * pu + wrap(m[0])
            }
        };
        let mut coeffs = Vec::with_capacity(box_len * box_len);
        let mut inside = 0.0;
        for i in 0..box_len {
            for j in 0..box_len {
                let at = flat(band.box_mode(i), band.box_mode(j));
                coeffs.push(spectrum[at]);
                inside += spectrum[at].norm_sqr();
                spectrum[at] = Complex64::default();
            }
        }
        band.coeffs = coeffs;
        // What is left is K - K3: its energy and, transformed back, its values.
        let outside: f64 = spectrum.iter().map(|v| v.norm_sqr()).sum();
        let total = inside + outside;
        band.truncation_l2 = if total > 0.0 {
            (outside / total).sqrt()
        } else {
            0.0
        };
        fft_all_axes(&mut spectrum, pu, 2 * dim, true);
        let residual = spectrum.iter().fold(0.0f64, |m, v| m.max(v.re.abs()));
        band.truncation_error = residual / sup_norm.max(f64::MIN_POSITIVE);
        Ok(band)
    }

    /// Samples the interaction `text` on the GPU (P = [`Self::samples_for`]`(modes)`)
    /// and keeps its coefficients; `None` when `text` is a literal zero. Errors
    /// name `field` (the expression) or `game.interaction_modes` (too many samples).
    pub fn from_expression(
        ctx: &GpuContext,
        field: &str,
        text: &str,
        dim: u32,
        modes: u32,
        length: f64,
    ) -> Result<Option<Self>> {
        crate::gpu::block(Self::from_expression_async(
            ctx, field, text, dim, modes, length,
        ))
    }

    /// [`Self::from_expression`] as a future: what a browser awaits.
    pub async fn from_expression_async(
        ctx: &GpuContext,
        field: &str,
        text: &str,
        dim: u32,
        modes: u32,
        length: f64,
    ) -> Result<Option<Self>> {
        if is_zero(text) {
            return Ok(None);
        }
        check_modes(dim, modes)?;
        let p = Self::samples_for(modes);
        let samples = sample_pair_async(ctx, field, text, dim, p, length).await?;
        Self::from_samples(&samples, dim, modes, p, length).map(Some)
    }

    /// The truncated series `K3(x, y)` in f64 (points as `[x1, x2]`; `x2`, `y2`
    /// ignored in 1D). For CPU references.
    pub fn eval(&self, x: [f64; 2], y: [f64; 2]) -> f64 {
        let k = 2.0 * std::f64::consts::PI / self.length;
        let waves = |p: [f64; 2]| -> Vec<Complex64> {
            (0..self.box_len())
                .map(|i| {
                    let m = self.box_mode(i);
                    let mut phase = m[0] as f64 * p[0];
                    if self.dim == 2 {
                        phase += m[1] as f64 * p[1];
                    }
                    Complex64::from_polar(1.0, k * phase)
                })
                .collect()
        };
        let (ex, ey) = (waves(x), waves(y));
        let mut sum = Complex64::default();
        for (i, row) in self.coeffs.chunks(self.box_len()).enumerate() {
            let inner: Complex64 = row.iter().zip(&ey).map(|(c, e)| c * e).sum();
            sum += ex[i] * inner;
        }
        sum.re
    }
}

/// The smallest bandwidth B <= `max_modes` (and within [`check_modes`]) that
/// keeps the relative truncation error of the interaction `text` below
/// `target`, or `None` when none does. K is sampled once, at the largest
/// such B's P; the error of B is bounded by the l1 norm of the coefficients
/// outside its box over max |K|, so the B found is safe (sometimes one more
/// than needed). Slow in 2D (P^4 = 2^24 samples): for warnings only.
pub fn suggest_modes(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    dim: u32,
    length: f64,
    max_modes: u32,
    target: f64,
) -> Result<Option<u32>> {
    let mut top = 0;
    while top < max_modes && check_modes(dim, top + 1).is_ok() {
        top += 1;
    }
    if top == 0 {
        return Ok(None);
    }
    let p = BandLimited::samples_for(top);
    let samples = sample_pair(ctx, field, text, dim, p, length)?;
    let pu = p as usize;
    let sup_norm = samples
        .iter()
        .fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
    if sup_norm == 0.0 {
        return Ok(Some(1));
    }
    let mut spectrum: Vec<Complex64> = samples
        .iter()
        .map(|&v| Complex64::new(f64::from(v), 0.0))
        .collect();
    fft_all_axes(&mut spectrum, pu, 2 * dim, false);
    let scale = 1.0 / spectrum.len() as f64;
    // l1 norm of the coefficients by band: the largest |wave number| of the
    // 2d components of their index.
    let mut by_band = vec![0.0f64; pu / 2 + 1];
    for (flat, c) in spectrum.iter().enumerate() {
        let mut band = 0;
        let mut rest = flat;
        for _ in 0..2 * dim {
            let k = rest % pu;
            rest /= pu;
            band = band.max(k.min(pu - k));
        }
        by_band[band] += c.norm() * scale;
    }
    let mut tail: f64 = by_band.iter().sum();
    for (b, part) in by_band.iter().enumerate().take(top as usize + 1) {
        tail -= part;
        if b >= 1 && tail / sup_norm < target {
            return Ok(Some(b as u32));
        }
    }
    Ok(None)
}

/// Checks that bandwidth `modes` in dimension `dim` needs at most
/// [`MAX_PAIR_SAMPLES`] samples of K; the error names `game.interaction_modes`.
pub fn check_modes(dim: u32, modes: u32) -> Result<()> {
    if modes > 1 << 20 {
        return Err(Error::config(
            "game.interaction_modes",
            format!("{modes} is far too large; use at most a few tens of modes"),
        ));
    }
    let p = BandLimited::samples_for(modes) as u64;
    let count = p.pow(2 * dim);
    if count > MAX_PAIR_SAMPLES {
        let mut max = 0;
        while (BandLimited::samples_for(max + 1) as u64).pow(2 * dim) <= MAX_PAIR_SAMPLES {
            max += 1;
        }
        return Err(Error::config(
            "game.interaction_modes",
            format!(
                "B = {modes} in {dim}D needs K(x, y) on {p}^{} = {count} points (P = {p} per \
                 axis), more than the {MAX_PAIR_SAMPLES} allowed; use B <= {max} in {dim}D, or \
                 write the separable or convolution parts as `game.kernel` / potentials",
                2 * dim
            ),
        ));
    }
    Ok(())
}
