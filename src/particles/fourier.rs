//! The drift of the particles by direct Fourier sums (docs/MATHEMATICS.md
//! section 9): the tables that turn the particles' Fourier moments into each
//! species' potential coefficients, and the f64 reference of the drift.
//!
//! The particles feel the potential the grid solver uses, written as a
//! trigonometric sum over the grid's wave vectors `kappa_t = 2 pi k_t / L`:
//!
//! ```text
//! Phi_s(x) = Re sum_t P_t exp(i kappa_t . x),
//! P_t      = A_t + sum_e F_e m_{r_e}^(kappa_{q_e}),
//! grad Phi_s(x) = -sum_t kappa'_t (Re P_t sin(kappa_t . x) + Im P_t cos(kappa_t . x))
//! ```
//!
//! with `kappa'_t` the gradient's wave vector (below) and
//! `m_r^(kappa) = sum_j w_j exp(-i kappa . X_r^j)` the moments of
//! species r (weights `1/n_r`). Per term, in the grid's normalisation:
//! a potential gives `A_t = sign FFT(a_s)[t] / N^d`; a convolution gives
//! `F = sign M(kappa_t) / L^d` on the moment of its source at `kappa_t`; a
//! band-limited term `sum_n C_mn exp(i (kappa_m . x + kappa_n . y))` gives
//! `F = sign C_mn` on the moment at `-kappa_n`. Mode 0 has no gradient and
//! Nyquist components are dropped (the grid's rule for odd derivatives), so
//! the particles feel exactly the grid's `grad Phi_s` interpolated by its
//! trigonometric sum. Coefficients below [`DROP_BELOW`] of their term's
//! largest are dropped (the f32 sampling floor); [`FourierTables::dropped`]
//! bounds what that changes in `|grad Phi_s|`.

use std::collections::BTreeMap;

use num_complex::Complex64;

use crate::dynamics::Params;
use crate::fft::spectral::Spectral;
use crate::system::cpu::CpuSystem;
use crate::system::System;
use crate::{Error, Result};

/// Coefficients below this fraction of their term's largest are dropped:
/// the f32 samples they come from carry round-off of about 6e-8 relative.
pub const DROP_BELOW: f64 = 1e-7;

/// The most modes of one species' potential the direct sums serve: each
/// costs every particle two trigonometric evaluations per step.
pub const MAX_FOURIER_ROWS: usize = 4096;

/// One term of a potential coefficient: `factor * moments[slot]`, divided
/// by the real part of `moments[total]` when the weights are not normalised
/// ([`FourierTables::weighted`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Index into the moment table ([`FourierTables::moment_modes`]).
    pub slot: u32,
    /// The complex factor `F`.
    pub factor: Complex64,
    /// The slot of the source species' total weight (its moment at mode 0),
    /// or `None` when its weights sum to one.
    pub total: Option<u32>,
}

/// The tables of the direct Fourier sums for a whole system.
#[derive(Debug, Clone, PartialEq)]
pub struct FourierTables {
    /// Side length L.
    pub length: f64,
    /// Space dimension.
    pub dim: u32,
    /// Rows of species s: `rows[s].0 .. rows[s].1` in the row tables.
    pub rows: Vec<(usize, usize)>,
    /// Integer wave vector `k_t` of each row (its phase).
    pub row_modes: Vec<[i32; 2]>,
    /// The wave vector of its gradient: `k_t` with each Nyquist component
    /// zeroed, the grid's rule for odd derivatives.
    pub row_grad: Vec<[i32; 2]>,
    /// The constant part `A_t` of each row.
    pub row_const: Vec<Complex64>,
    /// CSR start of each row's entries (`rows + 1` values).
    pub row_start: Vec<u32>,
    /// The entries, row after row.
    pub entries: Vec<Entry>,
    /// Per species r: the wave vectors of its moments the rows read, and
    /// the first slot of them in the moment table.
    pub moment_modes: Vec<Vec<[i32; 2]>>,
    /// First slot of species r's moments.
    pub moment_first: Vec<usize>,
    /// Per species: `sum |kappa| |c|` over the dropped coefficients, a bound
    /// on the change in `|grad Phi_s|` (for moments of modulus <= 1).
    pub dropped: Vec<f64>,
    /// Per species, the slot of its total weight (mode 0) once
    /// [`Self::weighted`]; `None` before.
    pub total_slot: Vec<Option<u32>>,
}

/// A row under construction.
#[derive(Default)]
struct Row {
    constant: Complex64,
    entries: BTreeMap<(usize, [i32; 2]), Complex64>,
}

impl FourierTables {
    /// The tables of `system` on the grid of `params`. Fails when a
    /// species' potential has more than [`MAX_FOURIER_ROWS`] modes (a kernel
    /// that is not band-limited), naming it.
    pub fn new(params: &Params, system: &System) -> Result<Self> {
        Self::build(params, system, true)
    }

    /// The tables of `system`'s potentials and band-limited terms alone,
    /// its convolutions left to the all-pairs drift ([`super::pairs`]).
    pub fn without_convolutions(params: &Params, system: &System) -> Result<Self> {
        Self::build(params, system, false)
    }

    fn build(params: &Params, system: &System, convolutions: bool) -> Result<Self> {
        let cpu = CpuSystem::new(params, system);
        let spectral = Spectral::new(params.shape, params.length);
        let dim = params.shape.dim();
        let (n1, n2) = (params.shape.n1 as i64, params.shape.n2 as i64);
        let points = params.shape.len() as f64;
        let volume = points * params.cell();
        let unit = spectral.unit();
        // The wave vector of odd derivatives (the grid's rule): each Nyquist
        // component zeroed. A mode whose gradient vector vanishes (mode 0,
        // one whose nonzero components are all Nyquist) carries no drift.
        let grad_k = move |k: [i32; 2]| -> [i32; 2] {
            let g1 = if n1 > 1 && i64::from(k[0]) == -n1 / 2 {
                0
            } else {
                k[0]
            };
            let g2 = if n2 > 1 && i64::from(k[1]) == -n2 / 2 {
                0
            } else {
                k[1]
            };
            [g1, g2]
        };
        let usable = |k: (i64, i64)| grad_k([k.0 as i32, k.1 as i32]) != [0, 0];
        let norm_k = |k: [i32; 2]| {
            let g = grad_k(k);
            unit * f64::from(g[0]).hypot(f64::from(g[1]))
        };
        let to_mode = |k: (i64, i64)| [k.0 as i32, k.1 as i32];
        let species = system.len();
        let mut rows: Vec<BTreeMap<[i32; 2], Row>> =
            (0..species).map(|_| BTreeMap::new()).collect();
        let mut dropped = vec![0.0; species];
        // Keeps `c` at mode k of species s when above the term's floor.
        let mut keep = |s: usize, k: [i32; 2], c: Complex64, floor: f64| -> bool {
            if c.norm() > floor {
                true
            } else {
                dropped[s] += norm_k(k) * c.norm();
                false
            }
        };
        for (s, _) in system.species.iter().enumerate() {
            if let Some(a) = cpu.potential_spectrum(s) {
                let floor = DROP_BELOW
                    * a.iter()
                        .enumerate()
                        .filter(|(p, _)| usable(spectral.wave_vector(*p)))
                        .fold(0.0f64, |m, (_, c)| m.max(c.norm()));
                for (p, &c) in a.iter().enumerate() {
                    let k = spectral.wave_vector(p);
                    if !usable(k) || c == Complex64::default() {
                        continue;
                    }
                    let c = c / points;
                    if keep(s, to_mode(k), c, floor / points) {
                        rows[s].entry(to_mode(k)).or_default().constant += c;
                    }
                }
            }
        }
        for c in system.convolutions.iter().filter(|_| convolutions) {
            let m = cpu.multiplier(c.multiplier);
            let floor = DROP_BELOW
                * m.iter()
                    .enumerate()
                    .filter(|(p, _)| usable(spectral.wave_vector(*p)))
                    .fold(0.0f64, |a, (_, v)| a.max(v.norm()));
            for (p, &v) in m.iter().enumerate() {
                let k = spectral.wave_vector(p);
                if !usable(k) || v == Complex64::default() {
                    continue;
                }
                let v = if c.conjugate { v.conj() } else { v };
                let f = f64::from(c.sign) * v / volume;
                if keep(c.target, to_mode(k), f, floor / volume) {
                    *rows[c.target]
                        .entry(to_mode(k))
                        .or_default()
                        .entries
                        .entry((c.source, to_mode(k)))
                        .or_default() += f;
                }
            }
        }
        for b in &system.bands {
            let matrix = &system.matrices[b.matrix];
            let modes = spectral.box_modes(matrix.modes);
            let len = modes.len();
            let floor = DROP_BELOW * matrix.coeffs.iter().fold(0.0f64, |a, v| a.max(v.norm()));
            for (i, &m) in modes.iter().enumerate() {
                if !usable(m) {
                    continue;
                }
                for (j, &n) in modes.iter().enumerate() {
                    let c = if b.transpose {
                        matrix.coeffs[j * len + i]
                    } else {
                        matrix.coeffs[i * len + j]
                    };
                    if c == Complex64::default() {
                        continue;
                    }
                    let f = f64::from(b.sign) * c;
                    if keep(b.target, to_mode(m), f, floor) {
                        *rows[b.target]
                            .entry(to_mode(m))
                            .or_default()
                            .entries
                            .entry((b.source, to_mode((-n.0, -n.1))))
                            .or_default() += f;
                    }
                }
            }
        }
        for (s, r) in rows.iter().enumerate() {
            if r.len() > MAX_FOURIER_ROWS {
                return Err(Error::config(
                    "particles.drift",
                    format!(
                        "the direct Fourier sums cannot serve species `{}`: its potential has {} \
                         Fourier modes above the f32 floor, more than the {MAX_FOURIER_ROWS} \
                         they serve (its kernel or potential is not band-limited); use drift = \
                         \"spread\" (or \"auto\"), or lower grid.n (the modes grow as its \
                         square in 2D)",
                        system.species[s].name,
                        r.len()
                    ),
                ));
            }
        }
        // The moment table: every (source, mode) an entry reads, by species.
        let mut moment_modes: Vec<Vec<[i32; 2]>> = vec![Vec::new(); species];
        for r in &rows {
            for row in r.values() {
                for &(src, k) in row.entries.keys() {
                    moment_modes[src].push(k);
                }
            }
        }
        for m in &mut moment_modes {
            m.sort_unstable();
            m.dedup();
        }
        let mut moment_first = Vec::with_capacity(species);
        let mut total = 0;
        for m in &moment_modes {
            moment_first.push(total);
            total += m.len();
        }
        let slot = |src: usize, k: [i32; 2]| -> u32 {
            let i = moment_modes[src].binary_search(&k).expect("listed above");
            (moment_first[src] + i) as u32
        };
        let mut out = FourierTables {
            length: params.length,
            dim,
            rows: Vec::with_capacity(species),
            row_modes: Vec::new(),
            row_grad: Vec::new(),
            row_const: Vec::new(),
            row_start: vec![0],
            entries: Vec::new(),
            moment_modes: Vec::new(),
            moment_first: moment_first.clone(),
            dropped,
            total_slot: vec![None; species],
        };
        for r in &rows {
            let first = out.row_modes.len();
            for (&k, row) in r {
                out.row_modes.push(k);
                out.row_grad.push(grad_k(k));
                out.row_const.push(row.constant);
                for (&(src, q), &factor) in &row.entries {
                    out.entries.push(Entry {
                        slot: slot(src, q),
                        factor,
                        total: None,
                    });
                }
                out.row_start.push(out.entries.len() as u32);
            }
            out.rows.push((first, out.row_modes.len()));
        }
        out.moment_modes = moment_modes;
        Ok(out)
    }

    /// The tables for weights that move (Wasserstein-Fisher-Rao, mirror
    /// descent) and are kept unnormalised on the device: every species'
    /// moments gain mode 0, its total weight `sum_j w_j`, and every entry
    /// divides its moment by its source's total, so that the potentials
    /// feel the normalised measure `sum_j w_j delta_{X_j} / sum_j w_j`.
    pub fn weighted(mut self) -> Self {
        let old_first = self.moment_first.clone();
        let old_modes = self.moment_modes.clone();
        for m in &mut self.moment_modes {
            if let Err(i) = m.binary_search(&[0, 0]) {
                m.insert(i, [0, 0]);
            }
        }
        let mut first = 0;
        for (f, m) in self.moment_first.iter_mut().zip(&self.moment_modes) {
            *f = first;
            first += m.len();
        }
        let new_slot = |src: usize, k: [i32; 2]| -> u32 {
            let i = self.moment_modes[src]
                .binary_search(&k)
                .expect("every old mode is kept");
            (self.moment_first[src] + i) as u32
        };
        let source_of = |slot: usize| -> usize {
            (0..old_first.len())
                .rev()
                .find(|&r| old_first[r] <= slot && !old_modes[r].is_empty())
                .expect("a slot belongs to a species")
        };
        let totals: Vec<u32> = (0..self.species()).map(|r| new_slot(r, [0, 0])).collect();
        for e in &mut self.entries {
            let src = source_of(e.slot as usize);
            let k = old_modes[src][e.slot as usize - old_first[src]];
            e.slot = new_slot(src, k);
            e.total = Some(totals[src]);
        }
        self.total_slot = totals.into_iter().map(Some).collect();
        self
    }

    /// Tables without rows for `species` species on a torus of side
    /// `length` in `dim` dimensions: no potential is summed directly (the
    /// spread drift's stepper).
    pub fn empty(length: f64, dim: u32, species: usize) -> Self {
        FourierTables {
            length,
            dim,
            rows: vec![(0, 0); species],
            row_modes: Vec::new(),
            row_grad: Vec::new(),
            row_const: Vec::new(),
            row_start: vec![0],
            entries: Vec::new(),
            moment_modes: vec![Vec::new(); species],
            moment_first: vec![0; species],
            dropped: vec![0.0; species],
            total_slot: vec![None; species],
        }
    }

    /// Number of species.
    pub fn species(&self) -> usize {
        self.rows.len()
    }

    /// Total moments the rows read.
    pub fn moment_count(&self) -> usize {
        self.moment_modes.iter().map(Vec::len).sum()
    }

    /// The coefficients `P_t` of every row from the moment table `moments`
    /// (one value per slot), in f64.
    pub fn coefficients(&self, moments: &[Complex64]) -> Vec<Complex64> {
        (0..self.row_modes.len())
            .map(|t| {
                let (a, b) = (self.row_start[t] as usize, self.row_start[t + 1] as usize);
                self.entries[a..b].iter().fold(self.row_const[t], |acc, e| {
                    let total = e.total.map_or(1.0, |j| moments[j as usize].re);
                    acc + e.factor * moments[e.slot as usize] / total
                })
            })
            .collect()
    }

    /// `Phi_s` at `x` up to a constant (its rows: mode 0 and the modes
    /// whose every component is Nyquist left out) from the coefficients
    /// `coeffs` of [`Self::coefficients`], in f64: `Re sum_t P_t exp(i
    /// kappa_t . x)`.
    pub fn value(&self, s: usize, coeffs: &[Complex64], x: [f64; 2]) -> f64 {
        let unit = std::f64::consts::TAU / self.length;
        let (a, b) = self.rows[s];
        self.row_modes[a..b]
            .iter()
            .zip(&coeffs[a..b])
            .map(|(k, c)| {
                let (k1, k2) = (unit * f64::from(k[0]), unit * f64::from(k[1]));
                let (sin, cos) = (k1 * x[0] + k2 * x[1]).sin_cos();
                c.re * cos - c.im * sin
            })
            .sum()
    }

    /// `grad Phi_s` at `x` from the coefficients `coeffs` of
    /// [`Self::coefficients`], in f64.
    pub fn gradient(&self, s: usize, coeffs: &[Complex64], x: [f64; 2]) -> [f64; 2] {
        let unit = std::f64::consts::TAU / self.length;
        let (a, b) = self.rows[s];
        let mut g = [0.0; 2];
        let rows = self.row_modes[a..b].iter().zip(&self.row_grad[a..b]);
        for ((k, d), c) in rows.zip(&coeffs[a..b]) {
            let (k1, k2) = (unit * f64::from(k[0]), unit * f64::from(k[1]));
            let (sin, cos) = (k1 * x[0] + k2 * x[1]).sin_cos();
            let v = c.re * sin + c.im * cos;
            g[0] -= unit * f64::from(d[0]) * v;
            g[1] -= unit * f64::from(d[1]) * v;
        }
        g
    }
}
