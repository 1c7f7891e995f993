//! CPU f64 references: the extragradient iteration and the plain fixed-point
//! iteration `mu <- softmax(-V[nu]/tau)`, `nu <- softmax(U[mu]/tau)`, which
//! oscillates at small tau (docs/MATHEMATICS.md section 4); the same
//! extragradient species by species for any system (section 8), and its
//! Anderson acceleration.

use crate::dynamics::cpu::CpuModel;
use crate::equilibrium::anderson::{Anderson, HostRing};
use crate::system::cpu::CpuSystem;

/// Densities on the grid, `(mu, nu)`, row-major.
pub type Pair = (Vec<f64>, Vec<f64>);

/// `l - log(h^d sum exp(l))`: log-densities of unit mass.
fn log_normalise(l: &[f64], cell: f64) -> Vec<f64> {
    let m = l.iter().copied().fold(f64::MIN, f64::max);
    let lse = m + l.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    l.iter().map(|v| v - lse - cell.ln()).collect()
}

/// The densities of unit mass of log-densities `l`.
fn normalise_logs(l: &[f64], cell: f64) -> Vec<f64> {
    log_normalise(l, cell).iter().map(|v| v.exp()).collect()
}

/// `exp` of every field.
fn exps(l: &[Vec<f64>]) -> Vec<Vec<f64>> {
    l.iter()
        .map(|l| l.iter().map(|v| v.exp()).collect())
        .collect()
}

/// `(V[nu], U[mu])` on the grid.
pub fn potentials(model: &CpuModel, mu: &[f64], nu: &[f64]) -> Pair {
    let (v, u) = model.potentials(&model.spectrum(mu), &model.spectrum(nu));
    (model.real(&v), model.real(&u))
}

/// The Gibbs pair `(softmax(-V[nu]/tau), softmax(U[mu]/tau))`, unit mass.
pub fn gibbs(model: &CpuModel, mu: &[f64], nu: &[f64]) -> Pair {
    let (v, u) = potentials(model, mu, nu);
    let tau = model.params.tau;
    let cell = model.params.cell();
    let gm: Vec<f64> = v.iter().map(|x| -x / tau).collect();
    let gn: Vec<f64> = u.iter().map(|x| x / tau).collect();
    (normalise_logs(&gm, cell), normalise_logs(&gn, cell))
}

/// The fixed-point residual `int |mu - G_mu| + int |nu - G_nu|`.
pub fn residual(model: &CpuModel, mu: &[f64], nu: &[f64]) -> f64 {
    let (gm, gn) = gibbs(model, mu, nu);
    let l1 = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>();
    model.params.cell() * (l1(mu, &gm) + l1(nu, &gn))
}

/// `iters` extragradient iterations with step `s` from the uniform pair.
pub fn extragradient(model: &CpuModel, s: f64, iters: usize) -> Pair {
    let n = model.params.shape.len();
    let cell = model.params.cell();
    let tau = model.params.tau;
    let uniform = 1.0 / (n as f64 * cell);
    let (mut mu, mut nu) = (vec![uniform; n], vec![uniform; n]);
    let step = |mu: &[f64], nu: &[f64], v: &[f64], u: &[f64]| -> Pair {
        let lm: Vec<f64> = mu
            .iter()
            .zip(v)
            .map(|(m, v)| (1.0 - s * tau) * m.ln() - s * v)
            .collect();
        let ln: Vec<f64> = nu
            .iter()
            .zip(u)
            .map(|(m, u)| (1.0 - s * tau) * m.ln() + s * u)
            .collect();
        (normalise_logs(&lm, cell), normalise_logs(&ln, cell))
    };
    for _ in 0..iters {
        let (v, u) = potentials(model, &mu, &nu);
        let (mb, nb) = step(&mu, &nu, &v, &u);
        let (vb, ub) = potentials(model, &mb, &nb);
        (mu, nu) = step(&mu, &nu, &vb, &ub);
    }
    (mu, nu)
}

/// Residuals of `iters` plain fixed-point iterations from `start`.
pub fn fixed_point_residuals(model: &CpuModel, start: Pair, iters: usize) -> Vec<f64> {
    let (mut mu, mut nu) = start;
    let mut out = Vec::with_capacity(iters);
    for _ in 0..iters {
        (mu, nu) = gibbs(model, &mu, &nu);
        out.push(residual(model, &mu, &nu));
    }
    out
}

/// The potentials `Phi_s[rho]` of every species on the grid, from densities
/// `rho[s]` on the grid.
pub fn species_potentials(system: &CpuSystem, rho: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let spectra: Vec<_> = rho.iter().map(|r| system.spectrum(r)).collect();
    system
        .potentials(&spectra, true)
        .iter()
        .map(|p| system.real(p))
        .collect()
}

/// The Gibbs densities `softmax(-Phi_s[rho] / tau_s)`, unit mass each.
pub fn species_gibbs(system: &CpuSystem, rho: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let cell = system.params.cell();
    species_potentials(system, rho)
        .iter()
        .zip(&system.system.species)
        .map(|(phi, sp)| {
            let l: Vec<f64> = phi.iter().map(|x| -x / sp.tau).collect();
            normalise_logs(&l, cell)
        })
        .collect()
}

/// The fixed-point residual `sum_s int |rho_s - G_s|`.
pub fn species_residual(system: &CpuSystem, rho: &[Vec<f64>]) -> f64 {
    let g = species_gibbs(system, rho);
    let cell = system.params.cell();
    rho.iter()
        .zip(&g)
        .map(|(r, g)| r.iter().zip(g).map(|(a, b)| (a - b).abs()).sum::<f64>())
        .sum::<f64>()
        * cell
}

/// `iters` species-by-species extragradient iterations with step `s` from
/// the densities `start` (docs/MATHEMATICS.md section 8).
pub fn species_extragradient(
    system: &CpuSystem,
    start: Vec<Vec<f64>>,
    s: f64,
    iters: usize,
) -> Vec<Vec<f64>> {
    let mut l: Vec<Vec<f64>> = start
        .iter()
        .map(|r| r.iter().map(|v| v.ln()).collect())
        .collect();
    for _ in 0..iters {
        l = species_extragradient_logs(system, &l, s);
    }
    exps(&l)
}

/// One species-by-species extragradient iteration with step `s` on the
/// log-densities `l[s]` (the map `G` that Anderson accelerates), normalised.
pub fn species_extragradient_logs(system: &CpuSystem, l: &[Vec<f64>], s: f64) -> Vec<Vec<f64>> {
    let cell = system.params.cell();
    let step = |phi: &[Vec<f64>]| -> Vec<Vec<f64>> {
        l.iter()
            .zip(phi)
            .zip(&system.system.species)
            .map(|((l, p), sp)| {
                let x: Vec<f64> = l
                    .iter()
                    .zip(p)
                    .map(|(l, p)| (1.0 - s * sp.tau) * l - s * p)
                    .collect();
                log_normalise(&x, cell)
            })
            .collect()
    };
    let bar = step(&species_potentials(system, &exps(l)));
    step(&species_potentials(system, &exps(&bar)))
}

/// The Anderson-accelerated extragradient of depth `depth` in f64 (the
/// algorithm of `super::anderson`, with the weight `sqrt(rho h^d)`), from the
/// uniform densities until the fixed-point residual is at most `tol` or
/// `max_iter` iterations: the densities and the residual of every iterate
/// (its length less one is the iterations run).
pub fn species_anderson(
    system: &CpuSystem,
    s: f64,
    depth: usize,
    tol: f64,
    max_iter: usize,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = system.params.shape.len();
    let species = system.system.species.len();
    let cell = system.params.cell();
    let mut l = vec![vec![-(n as f64 * cell).ln(); n]; species];
    let mut aa = Anderson::new(depth);
    let mut ring = HostRing::new(depth, species * n);
    let mut history = Vec::new();
    for _ in 0..max_iter {
        history.push(species_residual(system, &exps(&l)));
        if history[history.len() - 1] <= tol {
            return (exps(&l), history);
        }
        let g = species_extragradient_logs(system, &l, s);
        let x: Vec<f64> = l.concat();
        let weight: Vec<f64> = x.iter().map(|v| (v.exp() * cell).sqrt()).collect();
        let store = aa.next_store();
        let dots = ring.store(store, &x, &g.concat(), &weight);
        let mixed = aa.update(&dots);
        let next = ring.mix(&mixed.gamma);
        l = next.chunks(n).map(|x| log_normalise(x, cell)).collect();
    }
    history.push(species_residual(system, &exps(&l)));
    (exps(&l), history)
}
