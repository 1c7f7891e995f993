//! A plain CPU f64 reference of a species system's right-hand side and of one
//! ETD step (docs/MATHEMATICS.md sections 3 and 8), written from the
//! equations without the GPU's tricks: every real field has its own
//! transform, every term is evaluated in f64 from the f32 samples.

use num_complex::Complex64 as C64;

use crate::dynamics::phi::phis;
use crate::dynamics::{Params, Scheme};
use crate::fft::cpu::fft;
use crate::fft::spectral::Spectral;
use crate::fft::Direction;
use crate::system::{Multiplier, System};

/// A system's operators in f64.
#[derive(Debug, Clone)]
pub struct CpuSystem {
    /// Grid, step and scheme (the species' own tau and eta come from `system`).
    pub params: Params,
    /// The system.
    pub system: System,
    /// Wave numbers of the grid.
    pub spectral: Spectral,
    mult: Vec<Vec<C64>>,
    /// `a_s^` with its sign, per species.
    pots: Vec<Option<Vec<C64>>>,
}

impl CpuSystem {
    /// The reference of `system` on the grid of `params`.
    pub fn new(params: &Params, system: &System) -> Self {
        let spectral = Spectral::new(params.shape, params.length);
        let cell = params.cell();
        let mut me = CpuSystem {
            params: params.clone(),
            system: system.clone(),
            spectral,
            mult: Vec::new(),
            pots: Vec::new(),
        };
        me.mult = system
            .multipliers
            .iter()
            .map(|m| match m {
                Multiplier::Kernel(k) => {
                    let k: Vec<f64> = k.iter().map(|&v| v as f64).collect();
                    me.spectrum(&k).into_iter().map(|c| c * cell).collect()
                }
                Multiplier::Spectrum(v) => {
                    let mut out: Vec<C64> = v
                        .iter()
                        .map(|c| C64::new(c[0] as f64, c[1] as f64))
                        .collect();
                    out[0] = C64::default();
                    out
                }
            })
            .collect();
        me.pots = system
            .species
            .iter()
            .map(|s| {
                s.potential.as_ref().map(|p| {
                    let v: Vec<f64> = p.value.iter().map(|&x| (p.sign * x) as f64).collect();
                    me.spectrum(&v)
                })
            })
            .collect();
        me
    }

    /// The multiplier `M(kappa)` of `system.multipliers[i]` at every grid
    /// index (the grid's FFT order), as the right-hand side applies it.
    pub fn multiplier(&self, i: usize) -> &[C64] {
        &self.mult[i]
    }

    /// `sign * FFT(a_s)` of species `s` (the grid's FFT order), or `None`
    /// when it has no potential.
    pub fn potential_spectrum(&self, s: usize) -> Option<&[C64]> {
        self.pots[s].as_deref()
    }

    /// Spectrum of a real field on the grid.
    pub fn spectrum(&self, v: &[f64]) -> Vec<C64> {
        let mut z: Vec<C64> = v.iter().map(|&x| C64::new(x, 0.0)).collect();
        fft(&mut z, self.params.shape, 1, Direction::Forward);
        z
    }

    /// A real field from its spectrum.
    pub fn real(&self, v: &[C64]) -> Vec<f64> {
        let mut z = v.to_vec();
        fft(&mut z, self.params.shape, 1, Direction::Inverse);
        z.iter().map(|c| c.re).collect()
    }

    /// The spectra `Phi_s^` of every species from the spectra `rho`
    /// (`rho[s]` one grid of spectrum values each), the potentials `a_s`
    /// included when `with_potentials`.
    pub fn potentials(&self, rho: &[Vec<C64>], with_potentials: bool) -> Vec<Vec<C64>> {
        let n = self.spectral.len();
        let mut phi = vec![vec![C64::default(); n]; self.system.len()];
        for c in &self.system.convolutions {
            let m = &self.mult[c.multiplier];
            for p in 0..n {
                let mp = if c.conjugate { m[p].conj() } else { m[p] };
                phi[c.target][p] += c.sign as f64 * mp * rho[c.source][p];
            }
        }
        if with_potentials {
            for (s, pot) in self.pots.iter().enumerate() {
                if let Some(a) = pot {
                    phi[s].iter_mut().zip(a).for_each(|(x, y)| *x += y);
                }
            }
        }
        let scale = n as f64 * self.params.cell();
        for b in &self.system.bands {
            let matrix = &self.system.matrices[b.matrix];
            let modes = self.spectral.box_modes(matrix.modes);
            let len = modes.len();
            for (i, &(m1, m2)) in modes.iter().enumerate() {
                let mut acc = C64::default();
                for (j, &(n1, n2)) in modes.iter().enumerate() {
                    let c = if b.transpose {
                        matrix.coeffs[j * len + i]
                    } else {
                        matrix.coeffs[i * len + j]
                    };
                    acc += c * rho[b.source][self.spectral.index_of(-n1, -n2)];
                }
                phi[b.target][self.spectral.index_of(m1, m2)] += b.sign as f64 * scale * acc;
            }
        }
        phi
    }

    /// `grad w` on the grid (spectral derivatives, the odd-derivative Nyquist
    /// rule) of the real field with spectrum `w`, as `(x, y)` components.
    pub fn gradient(&self, w: &[C64]) -> (Vec<f64>, Vec<f64>) {
        let part = |axis: usize| -> Vec<f64> {
            let d: Vec<C64> = (0..w.len())
                .map(|p| {
                    let k = self.spectral.kappa_odd(p);
                    C64::new(0.0, if axis == 0 { k.0 } else { k.1 }) * w[p]
                })
                .collect();
            self.real(&d)
        };
        (part(0), part(1))
    }

    /// The nonlinear terms `N_s^ = eta_s FFT(div(rho_s grad Phi_s))`, plus
    /// with `params.fisher_rao = alpha > 0` the Fisher-Rao term
    /// `-alpha eta_s FFT((Phi_s - <Phi_s>) rho_s)`, `<Phi_s> = ∫ Phi_s rho_s /
    /// ∫ rho_s` (so that it moves no mass); optionally 2/3-masked.
    pub fn rhs(&self, rho: &[Vec<C64>]) -> Vec<Vec<C64>> {
        let phi = self.potentials(rho, true);
        let n = self.spectral.len();
        let alpha = self.params.fisher_rao;
        (0..self.system.len())
            .map(|s| {
                let r = self.real(&rho[s]);
                let (gx, gy) = self.gradient(&phi[s]);
                let fx: Vec<f64> = gx.iter().zip(&r).map(|(g, r)| r * g).collect();
                let fy: Vec<f64> = gy.iter().zip(&r).map(|(g, r)| r * g).collect();
                let (fxh, fyh) = (self.spectrum(&fx), self.spectrum(&fy));
                let rate = self.system.species[s].rate;
                let reaction = (alpha > 0.0).then(|| {
                    let values = self.real(&phi[s]);
                    let mean = values.iter().zip(&r).map(|(p, r)| p * r).sum::<f64>()
                        / r.iter().sum::<f64>();
                    let g: Vec<f64> = values.iter().zip(&r).map(|(p, r)| (p - mean) * r).collect();
                    self.spectrum(&g)
                });
                (0..n)
                    .map(|p| {
                        let k = self.spectral.kappa_odd(p);
                        let mut d = C64::new(0.0, 1.0) * (k.0 * fxh[p] + k.1 * fyh[p]);
                        if let Some(g) = &reaction {
                            d -= alpha * g[p];
                        }
                        d * rate * self.mask(p)
                    })
                    .collect()
            })
            .collect()
    }

    fn mask(&self, p: usize) -> f64 {
        if self.params.dealias {
            self.spectral.dealias_mask(p)
        } else {
            1.0
        }
    }

    /// The linear coefficient `c = -eta_s tau_s |kappa|^2` of species s at
    /// grid index p.
    pub fn linear(&self, s: usize, p: usize) -> f64 {
        let sp = &self.system.species[s];
        -sp.tau * sp.rate * self.spectral.kappa2(p)
    }

    /// One step of the configured ETD scheme from the spectra `rho`.
    pub fn step(&self, rho: &[Vec<C64>]) -> Vec<Vec<C64>> {
        let dt = self.params.dt;
        let n = self.spectral.len();
        let species = self.system.len();
        // f(c, u, [N...]) elementwise over every species.
        let combine =
            |u: &[Vec<C64>], ns: &[&Vec<Vec<C64>>], f: &dyn Fn(f64, C64, &[C64]) -> C64| {
                (0..species)
                    .map(|s| {
                        (0..n)
                            .map(|p| {
                                let vals: Vec<C64> = ns.iter().map(|x| x[s][p]).collect();
                                f(self.linear(s, p), u[s][p], &vals)
                            })
                            .collect()
                    })
                    .collect::<Vec<Vec<C64>>>()
            };
        let n0 = self.rhs(rho);
        match self.params.scheme {
            Scheme::Etdrk2 => {
                let a = combine(rho, &[&n0], &|c, u, v| {
                    let f = phis(c * dt);
                    f[0] * u + dt * f[1] * v[0]
                });
                let n1 = self.rhs(&a);
                combine(&a, &[&n0, &n1], &|c, a, v| {
                    a + dt * phis(c * dt)[2] * (v[1] - v[0])
                })
            }
            Scheme::Etdrk4 => {
                let h = 0.5 * dt;
                let half = |c: f64, u: C64, v: C64| {
                    let f = phis(c * h);
                    f[0] * u + h * f[1] * v
                };
                let a = combine(rho, &[&n0], &|c, u, v| half(c, u, v[0]));
                let na = self.rhs(&a);
                let b = combine(rho, &[&na], &|c, u, v| half(c, u, v[0]));
                let nb = self.rhs(&b);
                let cc = combine(&a, &[&n0, &nb], &|c, a, v| half(c, a, 2.0 * v[1] - v[0]));
                let nc = self.rhs(&cc);
                combine(rho, &[&n0, &na, &nb, &nc], &|c, u, v| {
                    let f = phis(c * dt);
                    let f1 = f[1] - 3.0 * f[2] + 4.0 * f[3];
                    let f2 = f[2] - 2.0 * f[3];
                    let f3 = -f[2] + 4.0 * f[3];
                    f[0] * u + dt * (f1 * v[0] + 2.0 * f2 * (v[1] + v[2]) + f3 * v[3])
                })
            }
        }
    }
}
