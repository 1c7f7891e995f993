//! Anderson acceleration of a fixed-point iteration `x <- G(x)` (Walker and
//! Ni, 2011), the host side: the history's bookkeeping, its Gram matrix and
//! the small least-squares problem, in f64. The vectors themselves live
//! wherever the iteration runs (GPU buffers for [`super::EquilibriumSolver`],
//! `Vec<f64>` for the CPU reference); they reach this file only as dot
//! products.
//!
//! With residuals `f_k = W_k (G(x_k) - x_k)` (`W_k` a diagonal weight frozen
//! at `x_k`; the equilibrium uses `sqrt(rho_k h^d)`, so that the norm is an
//! average over the density rather than over the tails) and the differences
//! `dF_j = f_{j+1} - f_j`, `dG_j = G(x_{j+1}) - G(x_j)` of the last `m`
//! iterates, the next iterate is
//!
//! ```text
//! x_{k+1} = G(x_k) - sum_j gamma_j dG_j,
//! gamma   = argmin |f_k - sum_j gamma_j dF_j|_2
//! ```
//!
//! solved from the normal equations `A gamma = b`, `A_ij = <dF_i, dF_j>`,
//! `b_i = <dF_i, f_k>`, with the columns scaled to unit norm and `lambda
//! =`[`REGULARISATION`] added to the scaled diagonal (the dot products carry
//! f32 round-off on the GPU). Safeguard: when an
//! accelerated iterate's residual norm exceeds [`SAFEGUARD`] times the best
//! so far, the iterate is dropped, the iteration goes back to `G` of the
//! previous iterate (a plain step from the last accepted point) and the
//! history restarts.
//!
//! The history is a ring of `m` slots; [`Anderson::next_store`] says which
//! slot the next difference goes to, and [`Anderson::update`] turns the dot
//! products of that store into the mixing coefficients, one per slot.

/// Tikhonov weight `lambda` of the normal equations with unit-norm columns.
pub const REGULARISATION: f64 = 1e-8;

/// An accelerated iterate is rejected when its residual norm exceeds this
/// multiple of the best norm so far.
pub const SAFEGUARD: f64 = 2.0;

/// Where the next store writes: the ring slot of the new differences, and
/// whether there is a previous residual to difference against (false at the
/// start and after a restart, when the store only records `f_k` and
/// `G(x_k)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    /// Ring slot of `dF`, `dG` of this store.
    pub slot: usize,
    /// Whether `dF`, `dG` are formed (a previous residual exists).
    pub has_prev: bool,
}

/// The dot products a store returns, each of length `m` (one per ring
/// slot; entries of unused slots are ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct Dots {
    /// `<dF_slot, dF_new>` for every slot (the new column against the ring,
    /// itself included).
    pub new: Vec<f64>,
    /// `<dF_slot, f_k>` for every slot.
    pub rhs: Vec<f64>,
    /// `<f_k, f_k>`.
    pub ff: f64,
}

/// What to do with the dot products of a store.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// `gamma` by ring slot (zero for unused slots): the next iterate is
    /// `G(x_k) - sum_slot gamma_slot dG_slot`.
    pub gamma: Vec<f64>,
    /// The iterate was rejected by the safeguard: `gamma` selects the
    /// previous `G` and the history restarts.
    pub rejected: bool,
}

/// The history of an Anderson iteration of depth `m` (host side).
#[derive(Debug, Clone)]
pub struct Anderson {
    depth: usize,
    /// Ring slots of the columns in the history, oldest first.
    columns: Vec<usize>,
    /// `<dF_a, dF_b>` by slot, `depth x depth`, row-major.
    gram: Vec<f64>,
    has_prev: bool,
    pending: Option<Store>,
    best: f64,
    rejections: u32,
}

impl Anderson {
    /// An empty history of `depth >= 1` columns.
    pub fn new(depth: usize) -> Self {
        let depth = depth.max(1);
        Anderson {
            depth,
            columns: Vec::with_capacity(depth),
            gram: vec![0.0; depth * depth],
            has_prev: false,
            pending: None,
            best: f64::INFINITY,
            rejections: 0,
        }
    }

    /// The depth `m`: ring slots.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Iterates rejected by the safeguard so far.
    pub fn rejections(&self) -> u32 {
        self.rejections
    }

    /// Columns in the history now.
    pub fn columns(&self) -> usize {
        self.columns.len()
    }

    /// The slots whose dot products the announced store needs: the columns
    /// in the history and, when the store forms differences, its own.
    pub fn live_slots(&self) -> Vec<usize> {
        let mut slots = self.columns.clone();
        if let Some(s) = self.pending.filter(|s| s.has_prev) {
            slots.push(s.slot);
        }
        slots
    }

    /// The slot of the next store: the first free slot, or the oldest
    /// column's (which leaves the history) when the ring is full.
    pub fn next_store(&mut self) -> Store {
        let slot = if !self.has_prev {
            0
        } else if self.columns.len() < self.depth {
            (0..self.depth)
                .find(|s| !self.columns.contains(s))
                .unwrap_or(0)
        } else {
            self.columns.remove(0)
        };
        let store = Store {
            slot,
            has_prev: self.has_prev,
        };
        self.pending = Some(store);
        store
    }

    /// Takes the dot products of the store [`Self::next_store`] announced and
    /// returns the mixing coefficients of the next iterate.
    ///
    /// # Panics
    /// When no store was announced, or `dots` is not of length `m`: both are
    /// bugs of the caller.
    pub fn update(&mut self, dots: &Dots) -> Mix {
        let store = self
            .pending
            .take()
            .expect("Anderson::update without a store");
        assert!(dots.new.len() == self.depth && dots.rhs.len() == self.depth);
        let m = self.depth;
        let accelerated = !self.columns.is_empty();
        if store.has_prev {
            let a = store.slot;
            for &b in self.columns.iter().chain([&a]) {
                self.gram[a * m + b] = dots.new[b];
                self.gram[b * m + a] = dots.new[b];
            }
            self.columns.push(a);
        }
        self.has_prev = true;
        let norm = dots.ff.max(0.0).sqrt();
        let mut gamma = vec![0.0; m];
        if accelerated && store.has_prev && norm > SAFEGUARD * self.best {
            // Back to G(x_{k-1}) = G(x_k) - dG_new, and a fresh history.
            gamma[store.slot] = 1.0;
            self.columns.clear();
            self.has_prev = false;
            self.rejections += 1;
            return Mix {
                gamma,
                rejected: true,
            };
        }
        self.best = self.best.min(norm);
        while !self.columns.is_empty() {
            if let Some(g) = self.solve(&dots.rhs) {
                for (&slot, v) in self.columns.iter().zip(g) {
                    gamma[slot] = v;
                }
                break;
            }
            self.columns.remove(0);
        }
        Mix {
            gamma,
            rejected: false,
        }
    }

    /// `gamma = D (D A D + lambda I)^-1 D b` over the columns, `D =
    /// diag(A)^(-1/2)` (each column scaled to unit norm, so that the
    /// regularisation weighs old large columns and new small ones alike), by
    /// Cholesky; `None` when it breaks down (a non-positive pivot or
    /// non-finite values).
    fn solve(&self, rhs: &[f64]) -> Option<Vec<f64>> {
        let m = self.depth;
        let c = &self.columns;
        let k = c.len();
        let d: Vec<f64> = c
            .iter()
            .map(|&a| self.gram[a * m + a].sqrt().recip())
            .collect();
        if !d.iter().all(|v| v.is_finite() && *v > 0.0) {
            return None;
        }
        let mut l = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..=i {
                let mut v = d[i] * self.gram[c[i] * m + c[j]] * d[j];
                if i == j {
                    v += REGULARISATION;
                }
                for p in 0..j {
                    v -= l[i * k + p] * l[j * k + p];
                }
                if i == j {
                    if v.is_nan() || v <= 0.0 {
                        return None;
                    }
                    l[i * k + i] = v.sqrt();
                } else {
                    l[i * k + j] = v / l[j * k + j];
                }
            }
        }
        let mut y: Vec<f64> = c.iter().zip(&d).map(|(&a, d)| d * rhs[a]).collect();
        for i in 0..k {
            for p in 0..i {
                y[i] -= l[i * k + p] * y[p];
            }
            y[i] /= l[i * k + i];
        }
        for i in (0..k).rev() {
            for p in i + 1..k {
                y[i] -= l[p * k + i] * y[p];
            }
            y[i] /= l[i * k + i];
        }
        y.iter_mut().zip(&d).for_each(|(y, d)| *y *= d);
        y.iter().all(|v| v.is_finite()).then_some(y)
    }
}

/// Vectors kept by a host-side Anderson iteration (for the CPU reference):
/// the ring of `dF`, `dG` and the previous `f`, `G`.
#[derive(Debug, Clone)]
pub struct HostRing {
    df: Vec<Vec<f64>>,
    dg: Vec<Vec<f64>>,
    f_prev: Vec<f64>,
    g_prev: Vec<f64>,
}

impl HostRing {
    /// A ring of `depth` slots of vectors of length `len`.
    pub fn new(depth: usize, len: usize) -> Self {
        HostRing {
            df: vec![vec![0.0; len]; depth.max(1)],
            dg: vec![vec![0.0; len]; depth.max(1)],
            f_prev: vec![0.0; len],
            g_prev: vec![0.0; len],
        }
    }

    /// Stores the residual `f = weight (g - x)` and `g` as `store` says and
    /// returns the dot products (what `shaders/equilibrium/aa_store.wgsl`
    /// does on the GPU).
    pub fn store(&mut self, store: Store, x: &[f64], g: &[f64], weight: &[f64]) -> Dots {
        let f: Vec<f64> = (0..x.len()).map(|i| weight[i] * (g[i] - x[i])).collect();
        if store.has_prev {
            let s = store.slot;
            for i in 0..x.len() {
                self.df[s][i] = f[i] - self.f_prev[i];
                self.dg[s][i] = g[i] - self.g_prev[i];
            }
        }
        self.f_prev.clone_from(&f);
        self.g_prev.copy_from_slice(g);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let new = &self.df[store.slot];
        Dots {
            new: self
                .df
                .iter()
                .map(|d| if store.has_prev { dot(d, new) } else { 0.0 })
                .collect(),
            rhs: self.df.iter().map(|d| dot(d, &f)).collect(),
            ff: dot(&f, &f),
        }
    }

    /// The next iterate `G(x_k) - sum gamma_slot dG_slot` (unnormalised).
    pub fn mix(&self, gamma: &[f64]) -> Vec<f64> {
        let mut x = self.g_prev.clone();
        for (d, &c) in self.dg.iter().zip(gamma) {
            if c != 0.0 {
                x.iter_mut().zip(d).for_each(|(x, d)| *x -= c * d);
            }
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `G(x) = M x + c` with `M = diag(spectrum)`: Anderson is GMRES on
    /// `I - M`, exact after as many steps as `M` has distinct eigenvalues.
    fn linear_count(spectrum: &[f64], depth: usize) -> (usize, Vec<f64>) {
        let n = spectrum.len();
        let c: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
        let fixed: Vec<f64> = (0..n).map(|i| c[i] / (1.0 - spectrum[i])).collect();
        let g = |x: &[f64]| -> Vec<f64> { (0..n).map(|i| spectrum[i] * x[i] + c[i]).collect() };
        let mut aa = Anderson::new(depth);
        let mut ring = HostRing::new(depth, n);
        let mut x = vec![0.0; n];
        let ones = vec![1.0; n];
        for k in 0..200 {
            let err = x
                .iter()
                .zip(&fixed)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            if err < 1e-9 {
                return (k, x);
            }
            let gx = g(&x);
            let store = aa.next_store();
            let dots = ring.store(store, &x, &gx, &ones);
            x = ring.mix(&aa.update(&dots).gamma);
        }
        (200, x)
    }

    #[test]
    fn linear_maps_converge_in_as_many_steps_as_distinct_eigenvalues() {
        // Plain iteration at rate 0.99 would need ~2000 steps.
        let spectrum = [0.99, 0.99, 0.5, 0.5, -0.9, 0.2];
        let (k, _) = linear_count(&spectrum, 6);
        // One plain step, then one per distinct eigenvalue (GMRES), plus
        // two for the regularisation's bias on the last digits.
        assert!(k <= 1 + 4 + 2, "{k} steps for 4 distinct eigenvalues");
    }

    #[test]
    fn a_shallow_history_still_beats_the_plain_iteration() {
        let spectrum: Vec<f64> = (0..40).map(|i| 0.995 - 0.02 * i as f64).collect();
        let (k, _) = linear_count(&spectrum, 4);
        let plain = (1e-9f64).ln() / 0.995f64.ln();
        assert!((k as f64) < plain / 10.0, "{k} steps against {plain:.0}");
    }

    #[test]
    fn the_ring_reuses_the_oldest_slot_when_full() {
        let mut aa = Anderson::new(2);
        // Orthonormal columns: the new one has unit norm, zero dot with the rest.
        let dots = |slot: usize, ff| Dots {
            new: (0..2).map(|s| f64::from(u8::from(s == slot))).collect(),
            rhs: vec![0.1, 0.1],
            ff,
        };
        let s0 = aa.next_store();
        assert_eq!(
            s0,
            Store {
                slot: 0,
                has_prev: false
            }
        );
        aa.update(&dots(0, 1.0));
        let slots: Vec<usize> = (0..4)
            .map(|_| {
                let s = aa.next_store();
                assert!(s.has_prev);
                aa.update(&dots(s.slot, 0.5));
                s.slot
            })
            .collect();
        assert_eq!(slots, [0, 1, 0, 1]);
        assert_eq!(aa.columns(), 2);
    }

    #[test]
    fn the_safeguard_rejects_a_growing_residual_and_restarts() {
        let mut aa = Anderson::new(3);
        let dots = |ff| Dots {
            new: vec![1.0, 0.0, 0.0],
            rhs: vec![0.5, 0.0, 0.0],
            ff,
        };
        aa.next_store();
        assert!(!aa.update(&dots(1.0)).rejected);
        let s = aa.next_store();
        let first = aa.update(&dots(1.0));
        assert!(!first.rejected);
        assert!((first.gamma[s.slot] - 0.5 / (1.0 + REGULARISATION)).abs() < 1e-12);
        // The accelerated iterate's residual is 3 times the best: rejected.
        let s = aa.next_store();
        let mix = aa.update(&dots(9.0));
        assert!(mix.rejected);
        assert_eq!(mix.gamma[s.slot], 1.0);
        assert_eq!(aa.columns(), 0);
        assert!(!aa.next_store().has_prev);
        assert_eq!(aa.rejections(), 1);
    }
}
