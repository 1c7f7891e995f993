//! The game's CPU f64 reference (docs/MATHEMATICS.md sections 1 and 3): the
//! general species reference [`CpuSystem`] of [`System::game`], read in the
//! game's variables, and the game's coupling rates for the stable-step
//! estimate.

use num_complex::Complex64 as C64;

use crate::dynamics::{Params, PayoffGrids};
use crate::system::cpu::CpuSystem;
use crate::system::System;

/// The game's operators in f64.
#[derive(Debug, Clone)]
pub struct CpuModel {
    /// The parameters.
    pub params: Params,
    /// The species reference of the game.
    pub system: CpuSystem,
    kconv: Vec<C64>,
    band: Option<(u32, Vec<C64>)>,
}

impl CpuModel {
    /// The model for `params` and the payoff samples (converted to f64).
    pub fn new(params: &Params, payoff: &PayoffGrids<'_>) -> Self {
        let system = CpuSystem::new(params, &System::game(params.tau, params.eta, payoff));
        let k: Vec<f64> = payoff.kernel.iter().map(|&x| x as f64).collect();
        let cell = params.cell();
        let kconv = system.spectrum(&k).into_iter().map(|c| c * cell).collect();
        CpuModel {
            params: params.clone(),
            system,
            kconv,
            band: payoff
                .band
                .filter(|(m, _)| *m > 0)
                .map(|(m, c)| (m, c.to_vec())),
        }
    }

    /// Integer wave vector of grid index p.
    fn m(&self, p: usize) -> (i64, i64) {
        self.system.spectral.wave_vector(p)
    }

    /// Spectra of V and U: `V^ = kconv^ nu^ + a^ + V3^`, `U^ = conj(kconv^) mu^ + b^ + U3^`.
    pub fn potentials(&self, mu: &[C64], nu: &[C64]) -> (Vec<C64>, Vec<C64>) {
        let mut phi = self.system.potentials(&[mu.to_vec(), nu.to_vec()], true);
        let u: Vec<C64> = phi.pop().unwrap_or_default().iter().map(|x| -x).collect();
        let v = phi.pop().unwrap_or_default();
        (v, u)
    }

    /// The nonlinear terms `(N_mu^, eta N_nu^)` with `N_mu = div(mu grad V)`,
    /// `N_nu = -div(nu grad U)`, optionally 2/3-masked.
    pub fn rhs(&self, mu: &[C64], nu: &[C64]) -> (Vec<C64>, Vec<C64>) {
        pair(self.system.rhs(&[mu.to_vec(), nu.to_vec()]))
    }

    /// One step of the configured ETD scheme from spectra `(mu^, nu^)`.
    pub fn step(&self, mu: &[C64], nu: &[C64]) -> (Vec<C64>, Vec<C64>) {
        pair(self.system.step(&[mu.to_vec(), nu.to_vec()]))
    }

    /// Spectrum of a real field on the grid.
    pub fn spectrum(&self, v: &[f64]) -> Vec<C64> {
        self.system.spectrum(v)
    }

    /// A real field from its spectrum.
    pub fn real(&self, v: &[C64]) -> Vec<f64> {
        self.system.real(v)
    }

    /// `max |grad w|` over the grid of the real field with spectrum `w`
    /// (spectral derivatives, the Nyquist rule of odd derivatives).
    pub fn max_gradient(&self, w: &[C64]) -> f64 {
        let (gx, gy) = self.system.gradient(w);
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
            let modes = self.system.spectral.box_modes(*b);
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

/// The two species' fields of a game.
fn pair(mut v: Vec<Vec<C64>>) -> (Vec<C64>, Vec<C64>) {
    let nu = v.pop().unwrap_or_default();
    let mu = v.pop().unwrap_or_default();
    (mu, nu)
}
