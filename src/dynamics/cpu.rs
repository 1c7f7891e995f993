//! A plain CPU f64 reference of the right-hand side and of one ETD step, written
//! from docs/MATHEMATICS.md sections 1 and 3 without the GPU's tricks (no packed
//! transforms): every real field has its own transform.

use num_complex::Complex64 as C64;

use crate::dynamics::phi::phis;
use crate::dynamics::{Params, PayoffGrids, Scheme};
use crate::fft::cpu::fft;
use crate::fft::Direction;

/// The operators of [`crate::dynamics::Operators`] in f64.
#[derive(Debug, Clone)]
pub struct CpuModel {
    /// The parameters.
    pub params: Params,
    kconv: Vec<C64>,
    a_hat: Vec<C64>,
    b_hat: Vec<C64>,
    band: Option<(u32, Vec<C64>)>,
}

fn spectrum(params: &Params, v: &[f64]) -> Vec<C64> {
    let mut z: Vec<C64> = v.iter().map(|&x| C64::new(x, 0.0)).collect();
    fft(&mut z, params.shape, 1, Direction::Forward);
    z
}

fn real_field(params: &Params, v: &[C64]) -> Vec<f64> {
    let mut z = v.to_vec();
    fft(&mut z, params.shape, 1, Direction::Inverse);
    z.iter().map(|c| c.re).collect()
}

fn wave(j: usize, n: usize) -> i64 {
    if j < n.div_ceil(2) {
        j as i64
    } else {
        j as i64 - n as i64
    }
}

impl CpuModel {
    /// The model for `params` and the payoff samples (converted to f64).
    pub fn new(params: &Params, payoff: &PayoffGrids<'_>) -> Self {
        let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        let cell = params.cell();
        let kconv = spectrum(params, &f64s(payoff.kernel))
            .into_iter()
            .map(|c| c * cell)
            .collect();
        CpuModel {
            params: params.clone(),
            kconv,
            a_hat: spectrum(params, &f64s(payoff.potential_mu)),
            b_hat: spectrum(params, &f64s(payoff.potential_nu)),
            band: payoff
                .band
                .filter(|(m, _)| *m > 0)
                .map(|(m, c)| (m, c.to_vec())),
        }
    }

    fn shape(&self) -> (usize, usize) {
        (self.params.shape.n1 as usize, self.params.shape.n2 as usize)
    }

    /// Integer wave vector of grid index p.
    fn m(&self, p: usize) -> (i64, i64) {
        let (n1, n2) = self.shape();
        (wave(p % n1, n1), wave(p / n1, n2))
    }

    /// kappa with the Nyquist component zeroed (odd derivatives).
    fn kappa_odd(&self, p: usize) -> (f64, f64) {
        let (n1, n2) = self.shape();
        let (m1, m2) = self.m(p);
        let s = 2.0 * std::f64::consts::PI / self.params.length;
        let k1 = if n1 > 1 && m1 == -(n1 as i64) / 2 {
            0.0
        } else {
            s * m1 as f64
        };
        let k2 = if n2 > 1 && m2 == -(n2 as i64) / 2 {
            0.0
        } else {
            s * m2 as f64
        };
        (k1, k2)
    }

    fn index_of(&self, m1: i64, m2: i64) -> usize {
        let (n1, n2) = self.shape();
        let j1 = m1.rem_euclid(n1 as i64) as usize;
        let j2 = m2.rem_euclid(n2 as i64) as usize;
        j2 * n1 + j1
    }

    /// Spectra of V and U: `V^ = kconv^ nu^ + a^ + V3^`, `U^ = conj(kconv^) mu^ + b^ + U3^`.
    pub fn potentials(&self, mu: &[C64], nu: &[C64]) -> (Vec<C64>, Vec<C64>) {
        let mut v: Vec<C64> = (0..mu.len())
            .map(|p| self.kconv[p] * nu[p] + self.a_hat[p])
            .collect();
        let mut u: Vec<C64> = (0..mu.len())
            .map(|p| self.kconv[p].conj() * mu[p] + self.b_hat[p])
            .collect();
        if let Some((b, c)) = &self.band {
            let b = *b as i64;
            let dim = self.params.shape.dim();
            let modes: Vec<(i64, i64)> = if dim == 2 {
                (-b..=b)
                    .flat_map(|m2| (-b..=b).map(move |m1| (m1, m2)))
                    .collect()
            } else {
                (-b..=b).map(|m1| (m1, 0)).collect()
            };
            let scale = mu.len() as f64 * self.params.cell();
            let len = modes.len();
            for (i, &(m1, m2)) in modes.iter().enumerate() {
                let mut sv = C64::default();
                let mut su = C64::default();
                for (j, &(n1, n2)) in modes.iter().enumerate() {
                    sv += c[i * len + j] * nu[self.index_of(-n1, -n2)];
                    su += c[j * len + i] * mu[self.index_of(-n1, -n2)];
                }
                let p = self.index_of(m1, m2);
                v[p] += scale * sv;
                u[p] += scale * su;
            }
        }
        (v, u)
    }

    /// The nonlinear terms `(N_mu^, eta N_nu^)` with `N_mu = div(mu grad V)`,
    /// `N_nu = -div(nu grad U)`, optionally 2/3-masked.
    pub fn rhs(&self, mu: &[C64], nu: &[C64]) -> (Vec<C64>, Vec<C64>) {
        let (v, u) = self.potentials(mu, nu);
        let n = mu.len();
        let deriv = |w: &[C64], axis: usize| -> Vec<f64> {
            let d: Vec<C64> = (0..n)
                .map(|p| {
                    let k = self.kappa_odd(p);
                    let ka = if axis == 0 { k.0 } else { k.1 };
                    C64::new(0.0, ka) * w[p]
                })
                .collect();
            real_field(&self.params, &d)
        };
        let (mu_x, nu_x) = (real_field(&self.params, mu), real_field(&self.params, nu));
        let div = |rho: &[f64], w: &[C64], sign: f64, weight: f64| -> Vec<C64> {
            let fx: Vec<f64> = deriv(w, 0)
                .iter()
                .zip(rho)
                .map(|(g, r)| sign * r * g)
                .collect();
            let fy: Vec<f64> = deriv(w, 1)
                .iter()
                .zip(rho)
                .map(|(g, r)| sign * r * g)
                .collect();
            let (fxh, fyh) = (spectrum(&self.params, &fx), spectrum(&self.params, &fy));
            (0..n)
                .map(|p| {
                    let k = self.kappa_odd(p);
                    let s = C64::new(0.0, 1.0) * (k.0 * fxh[p] + k.1 * fyh[p]);
                    s * weight * self.mask(p)
                })
                .collect()
        };
        (
            div(&mu_x, &v, 1.0, 1.0),
            div(&nu_x, &u, -1.0, self.params.eta),
        )
    }

    fn mask(&self, p: usize) -> f64 {
        if !self.params.dealias {
            return 1.0;
        }
        let (n1, n2) = self.shape();
        let (m1, m2) = self.m(p);
        let keep = m1.unsigned_abs() as usize <= n1 / 3
            && (n2 == 1 || m2.unsigned_abs() as usize <= n2 / 3);
        if keep {
            1.0
        } else {
            0.0
        }
    }

    /// The diagonal linear coefficient c of grid index p for player 0 (mu) or 1 (nu).
    fn c(&self, p: usize, player: usize) -> f64 {
        let (m1, m2) = self.m(p);
        let s = 2.0 * std::f64::consts::PI / self.params.length;
        let k2 = s * s * (m1 * m1 + m2 * m2) as f64;
        let w = if player == 1 { self.params.eta } else { 1.0 };
        -self.params.tau * w * k2
    }

    /// One step of the configured ETD scheme from spectra `(mu^, nu^)`.
    pub fn step(&self, mu: &[C64], nu: &[C64]) -> (Vec<C64>, Vec<C64>) {
        let dt = self.params.dt;
        let n = mu.len();
        // Applies f(p, player, u, [N...]) elementwise to both players.
        let combine = |u: [&[C64]; 2], ns: &[[&[C64]; 2]], f: &dyn Fn(f64, C64, &[C64]) -> C64| {
            let mut out = [vec![C64::default(); n], vec![C64::default(); n]];
            for (player, o) in out.iter_mut().enumerate() {
                for p in 0..n {
                    let vals: Vec<C64> = ns.iter().map(|x| x[player][p]).collect();
                    o[p] = f(self.c(p, player), u[player][p], &vals);
                }
            }
            out
        };
        let n0 = self.rhs(mu, nu);
        match self.params.scheme {
            Scheme::Etdrk2 => {
                let a = combine([mu, nu], &[[&n0.0, &n0.1]], &|c, u, v| {
                    let f = phis(c * dt);
                    f[0] * u + dt * f[1] * v[0]
                });
                let n1 = self.rhs(&a[0], &a[1]);
                let out = combine(
                    [&a[0], &a[1]],
                    &[[&n0.0, &n0.1], [&n1.0, &n1.1]],
                    &|c, a, v| a + dt * phis(c * dt)[2] * (v[1] - v[0]),
                );
                let [m, v] = out;
                (m, v)
            }
            Scheme::Etdrk4 => {
                let h = 0.5 * dt;
                let half = |c: f64, u: C64, v: C64| {
                    let f = phis(c * h);
                    f[0] * u + h * f[1] * v
                };
                let a = combine([mu, nu], &[[&n0.0, &n0.1]], &|c, u, v| half(c, u, v[0]));
                let na = self.rhs(&a[0], &a[1]);
                let b = combine([mu, nu], &[[&na.0, &na.1]], &|c, u, v| half(c, u, v[0]));
                let nb = self.rhs(&b[0], &b[1]);
                let cc = combine(
                    [&a[0], &a[1]],
                    &[[&n0.0, &n0.1], [&nb.0, &nb.1]],
                    &|c, a, v| half(c, a, 2.0 * v[1] - v[0]),
                );
                let nc = self.rhs(&cc[0], &cc[1]);
                let all = [
                    [&n0.0[..], &n0.1[..]],
                    [&na.0, &na.1],
                    [&nb.0, &nb.1],
                    [&nc.0, &nc.1],
                ];
                let out = combine([mu, nu], &all, &|c, u, v| {
                    let f = phis(c * dt);
                    let f1 = f[1] - 3.0 * f[2] + 4.0 * f[3];
                    let f2 = f[2] - 2.0 * f[3];
                    let f3 = -f[2] + 4.0 * f[3];
                    f[0] * u + dt * (f1 * v[0] + 2.0 * f2 * (v[1] + v[2]) + f3 * v[3])
                });
                let [m, v] = out;
                (m, v)
            }
        }
    }

    /// Spectrum of a real field on the grid.
    pub fn spectrum(&self, v: &[f64]) -> Vec<C64> {
        spectrum(&self.params, v)
    }

    /// A real field from its spectrum.
    pub fn real(&self, v: &[C64]) -> Vec<f64> {
        real_field(&self.params, v)
    }

    /// `max |grad w|` over the grid of the real field with spectrum `w`
    /// (spectral derivatives, the Nyquist rule of odd derivatives).
    pub fn max_gradient(&self, w: &[C64]) -> f64 {
        let part = |axis: usize| -> Vec<f64> {
            let d: Vec<C64> = (0..w.len())
                .map(|p| {
                    let k = self.kappa_odd(p);
                    C64::new(0.0, if axis == 0 { k.0 } else { k.1 }) * w[p]
                })
                .collect();
            real_field(&self.params, &d)
        };
        let (gx, gy) = (part(0), part(1));
        gx.iter()
            .zip(&gy)
            .fold(0.0f64, |m, (x, y)| m.max(x.hypot(*y)))
    }

    /// The game's coupling rates at the uniform state, as `(|kappa|, rate)`:
    /// `|kappa|^2 |h^d FFT(k)| / volume` for each wave vector of the kernel
    /// (volume = L^d, the uniform density's inverse), and for each mode m of
    /// the band-limited interaction's box `|kappa_m| sum_n |kappa_n| |C_mn|`
    /// and `|kappa_m| sum_n |kappa_n| |C_nm|` (the coupling goes from nu's
    /// mode n to mu's mode m through C, and back through its transpose),
    /// placed at `sqrt((|kappa_m|^2 + |kappa_n|^2) / 2)` for the least damped
    /// partner n: a coupled pair decays at the mean of its two diffusion
    /// rates while it rotates. At the uniform equilibrium of a convolution
    /// game, or of one coupling pair `C_mn`, these are the exact rates of the
    /// linearised dynamics.
    pub fn coupling_by_mode(&self, volume: f64) -> Vec<(f64, f64)> {
        let s = 2.0 * std::f64::consts::PI / self.params.length;
        let norm = |(m1, m2): (i64, i64)| s * ((m1 * m1 + m2 * m2) as f64).sqrt();
        let mut out: Vec<(f64, f64)> = (1..self.kconv.len())
            .filter(|&p| self.kconv[p].norm() > 0.0)
            .map(|p| {
                let k = norm(self.m(p));
                (k, k * k * self.kconv[p].norm() / volume)
            })
            .collect();
        if let Some((b, c)) = &self.band {
            let b = *b as i64;
            let modes: Vec<(i64, i64)> = if self.params.shape.dim() == 2 {
                (-b..=b)
                    .flat_map(|m2| (-b..=b).map(move |m1| (m1, m2)))
                    .collect()
            } else {
                (-b..=b).map(|m1| (m1, 0)).collect()
            };
            let len = modes.len();
            // Coefficients below this are the sampling's round-off.
            let floor = 1e-6 * c.iter().fold(0.0f64, |m, x| m.max(x.norm()));
            // Over the modes n coupled through `coeff(n)`: the sum of
            // |kappa_n| |C| and the smallest |kappa_n|.
            let partners = |coeff: &dyn Fn(usize) -> f64| -> (f64, f64) {
                (0..len).filter(|&n| coeff(n) > floor).fold(
                    (0.0, f64::INFINITY),
                    |(sum, low), n| {
                        let k = norm(modes[n]);
                        (sum + k * coeff(n), low.min(k))
                    },
                )
            };
            for (i, &m) in modes.iter().enumerate() {
                let k = norm(m);
                let row = partners(&|j| c[i * len + j].norm());
                let col = partners(&|j| c[j * len + i].norm());
                for (sum, low) in [row, col] {
                    if k > 0.0 && sum > 0.0 {
                        // A coupled pair rotates while it decays at the mean of
                        // its two diffusion rates: placed at the wave number of
                        // that mean, with the least damped partner.
                        out.push((((k * k + low * low) / 2.0).sqrt(), k * sum));
                    }
                }
            }
        }
        out
    }
}
