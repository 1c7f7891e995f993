//! Species systems of one to four species (docs/MATHEMATICS.md section 8): the
//! GPU right-hand side and ETD steps against the f64 reference on random
//! systems, the closed form of the linearisation at the uniform state for one
//! and three species, and the bytes a step moves.

mod common;
#[path = "common/systems.rs"]
mod systems;

use std::sync::Arc;

use common::{ctx, rng, smooth_field};
use mflda::dynamics::{Params, Scheme, Stepper};
use mflda::gpu::Shape;
use mflda::system::cpu::CpuSystem;
use mflda::system::{Multiplier, Signed, System, SystemOperators};
use nalgebra::DMatrix;
use num_complex::Complex64 as C64;
use rand_chacha::ChaCha8Rng;
use systems::{convolution_system, f32s, random_system, TWO_PI};

fn params(shape: Shape, dt: f64, dealias: bool, scheme: Scheme) -> Params {
    systems::params(shape, dt, dealias, scheme, 0.0)
}

struct Case {
    gpu: Stepper,
    cpu: CpuSystem,
    rho: Vec<Vec<C64>>,
}

fn case(system: System, par: &Params, rng: &mut ChaCha8Rng) -> Case {
    let ctx = ctx();
    let shape = par.shape;
    let ops = SystemOperators::new(ctx, system.clone(), shape, par.cell()).unwrap();
    let gpu = Stepper::new(ctx, par, Arc::new(ops)).unwrap();
    let cpu = CpuSystem::new(par, &system);
    let area = TWO_PI.powi(shape.dim() as i32);
    let grids: Vec<Vec<f32>> = (0..system.len())
        .map(|_| {
            let v = smooth_field(rng, shape, 3, 0.3 / area);
            f32s(&v.iter().map(|x| x + 1.0 / area).collect::<Vec<_>>())
        })
        .collect();
    let refs: Vec<&[f32]> = grids.iter().map(|g| g.as_slice()).collect();
    gpu.set_species_densities(ctx, &refs).unwrap();
    let rho = grids
        .iter()
        .map(|g| cpu.spectrum(&g.iter().map(|&x| x as f64).collect::<Vec<_>>()))
        .collect();
    Case { gpu, cpu, rho }
}

fn flat(fields: &[Vec<C64>]) -> Vec<C64> {
    fields.iter().flatten().copied().collect()
}

fn rel(got: &[f32], want: &[C64]) -> f64 {
    mflda::fft::cpu::relative_l2(got, want)
}

#[test]
fn random_systems_of_one_to_four_species_match_the_f64_reference() {
    let ctx = ctx();
    for s in 1..=4 {
        for (shape, dealias) in [
            (Shape::square(16), s % 2 == 0),
            (Shape::line(64), s % 2 == 1),
        ] {
            let mut rng = rng(&format!("species-{s}-{shape}"));
            let system = random_system(&mut rng, s, shape);
            let what = format!(
                "{s} species on {shape} ({} convolutions, {} band terms)",
                system.convolutions.len(),
                system.bands.len()
            );
            // The right-hand side.
            let par = params(shape, 0.05, dealias, Scheme::Etdrk4);
            let c = case(system.clone(), &par, &mut rng);
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            c.gpu
                .record_rhs(&mut encoder.begin_compute_pass(&Default::default()));
            ctx.queue.submit([encoder.finish()]);
            let got = c.gpu.read_rhs(ctx).unwrap();
            let want = flat(&c.cpu.rhs(&c.rho));
            let err = rel(&got, &want);
            assert!(err < 2e-5, "{what}: rhs relative L2 error {err:e}");
            // One step of each scheme, and its increment alone.
            for scheme in [Scheme::Etdrk2, Scheme::Etdrk4] {
                let par = params(shape, 0.05, dealias, scheme);
                let c = case(system.clone(), &par, &mut rng);
                let before = c.gpu.read_state(ctx).unwrap();
                c.gpu.advance(ctx, 1);
                let after = c.gpu.read_state(ctx).unwrap();
                let want_after = flat(&c.cpu.step(&c.rho));
                let err = rel(&after, &want_after);
                assert!(err < 1e-6, "{what}, {scheme:?}: state error {err:e}");
                let inc_got: Vec<f32> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
                let inc_want: Vec<C64> = want_after
                    .iter()
                    .zip(flat(&c.rho))
                    .map(|(a, b)| a - b)
                    .collect();
                let err = rel(&inc_got, &inc_want);
                assert!(err < 1e-4, "{what}, {scheme:?}: increment error {err:e}");
            }
            ctx.take_errors().unwrap();
        }
    }
}

/// Evolves a small deviation from the uniform state in the perturbation
/// form and compares its Fourier coefficients at modes 1 and 2 after time
/// `t` with `exp(t A_m) r(0)`, where (docs/MATHEMATICS.md section 8)
/// `A_m[s][r] = -eta_s |kappa_m|^2 (tau_s delta_sr + k^_sr,m)`, `k^` the
/// Fourier coefficients `(1/L) ∫ k(z) e^{-i m z} dz` given in `khat(term, m)`.
fn check_uniform_closed_form(
    system: &System,
    khat: &dyn Fn(usize, i64) -> C64,
    t: f64,
    what: &str,
) -> Vec<C64> {
    let ctx = ctx();
    let n = 32;
    let shape = Shape::line(n);
    let dt = 0.01;
    let par = params(shape, dt, false, Scheme::Etdrk4);
    let ops = SystemOperators::new(ctx, system.clone(), shape, par.cell()).unwrap();
    let s = system.len();
    let u = vec![(1.0 / TWO_PI) as f32; n as usize];
    let stars: Vec<&[f32]> = (0..s).map(|_| u.as_slice()).collect();
    let stepper = Stepper::new_perturbation(ctx, &par, Arc::new(ops), &stars).unwrap();
    let h = TWO_PI / n as f64;
    let coeff = |state: &[f32], field: usize, m: usize| {
        let i = 2 * (field * n as usize + m);
        C64::new(state[i] as f64, state[i + 1] as f64)
    };
    let mut rates = Vec::new();
    // One mode at a time: the quadratic term of a deviation in mode m feeds
    // modes 0 and 2m only, so mode m follows the linearisation to O(eps^2).
    for m in [1usize, 2] {
        let dev: Vec<Vec<f32>> = (0..s)
            .map(|i| {
                (0..n)
                    .map(|j| (1e-4 * (m as f64 * j as f64 * h + i as f64).cos()) as f32)
                    .collect()
            })
            .collect();
        let refs: Vec<&[f32]> = dev.iter().map(|d| d.as_slice()).collect();
        stepper.set_species_deviation(ctx, &refs).unwrap();
        let before = stepper.read_state(ctx).unwrap();
        stepper.advance(ctx, (t / dt).round() as u32);
        let after = stepper.read_state(ctx).unwrap();
        let k2 = (m * m) as f64;
        let mut a = DMatrix::<C64>::zeros(s, s);
        for (i, sp) in system.species.iter().enumerate() {
            a[(i, i)] += -sp.rate * k2 * sp.tau;
        }
        for (j, c) in system.convolutions.iter().enumerate() {
            let k = khat(j, m as i64);
            let k = if c.conjugate { k.conj() } else { k };
            a[(c.target, c.source)] += -system.species[c.target].rate * k2 * c.sign as f64 * k;
        }
        let r0 = nalgebra::DVector::from_iterator(s, (0..s).map(|f| coeff(&before, f, m)));
        let want = (a.clone() * C64::new(t, 0.0)).exp() * &r0;
        let scale = want.iter().map(|z| z.norm()).fold(0.0, f64::max);
        for f in 0..s {
            let got = coeff(&after, f, m);
            let err = (got - want[f]).norm() / scale;
            assert!(
                err < 2e-4,
                "{what}, mode {m}, species {f}: {got} against exp(tA) r0 = {}, error {err:e}",
                want[f]
            );
        }
        rates.extend(a.complex_eigenvalues_rates());
    }
    ctx.take_errors().unwrap();
    rates
}

/// The eigenvalues of a small complex matrix, as the roots of its
/// characteristic polynomial would give them (through nalgebra's Schur form).
trait Eigen {
    fn complex_eigenvalues_rates(&self) -> Vec<C64>;
}

impl Eigen for DMatrix<C64> {
    fn complex_eigenvalues_rates(&self) -> Vec<C64> {
        self.clone()
            .schur()
            .eigenvalues()
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default()
    }
}

#[test]
fn one_species_at_the_uniform_state_decays_or_grows_at_tau_plus_w_hat() {
    // W(z) = -cos(z) + 0.4 cos(2z): W^_1 = -1/2, W^_2 = 0.2. The uniform
    // state loses stability below tau = 1/2 (section 8).
    let w = |z: f64| -z.cos() + 0.4 * (2.0 * z).cos();
    let khat = |_: usize, m: i64| C64::new(if m == 1 { -0.5 } else { 0.2 }, 0.0);
    for tau in [0.8, 0.3] {
        let system = convolution_system(
            Shape::line(32),
            &[(tau, 1.3)],
            &[&w],
            &[(0, 0, 0, false, 1.0)],
        );
        let rates = check_uniform_closed_form(&system, &khat, 2.0, &format!("tau {tau}"));
        // The exact rates -eta (tau + W^_m) m^2 themselves.
        let want = [-1.3 * (tau - 0.5), -1.3 * (tau + 0.2) * 4.0];
        for (got, want) in rates.iter().zip(want) {
            assert!((got.re - want).abs() < 1e-12 && got.im.abs() < 1e-12);
        }
    }
}

#[test]
fn three_player_cyclic_game_at_the_uniform_state_follows_the_closed_form() {
    // Player s plays k against player s + 1 and -k~ against player s - 1:
    // a pairwise zero-sum (polymatrix) game, k(z) = 0.5 sin(z) + 0.3 cos(2z)
    // (k^_1 = -0.25 i, k^_2 = 0.15).
    let k = |z: f64| 0.5 * z.sin() + 0.3 * (2.0 * z).cos();
    let khat = |_: usize, m: i64| {
        if m == 1 {
            C64::new(0.0, -0.25)
        } else {
            C64::new(0.15, 0.0)
        }
    };
    let mut terms = Vec::new();
    for s in 0..3 {
        terms.push((s, (s + 1) % 3, 0, false, 1.0));
        terms.push(((s + 1) % 3, s, 0, true, -1.0));
    }
    let system = convolution_system(
        Shape::line(32),
        &[(0.3, 1.0), (0.2, 0.7), (0.4, 1.3)],
        &[&k],
        &terms,
    );
    let rates = check_uniform_closed_form(&system, &khat, 3.0, "three players");
    // Zero-sum: the coupling is skew in the eta-weighted norm, so no
    // eigenvalue decays slower than the slowest diffusion (section 8).
    let slowest = [0.3, 0.2 * 0.7, 0.4 * 1.3]
        .into_iter()
        .fold(f64::MAX, f64::min);
    for (i, r) in rates.iter().enumerate() {
        let m2 = if i < 3 { 1.0 } else { 4.0 };
        assert!(
            r.re <= -slowest * m2 + 1e-12,
            "eigenvalue {r} above the bound"
        );
    }
}

#[test]
fn one_species_moves_about_half_the_bytes_of_two() {
    let ctx = ctx();
    let shape = Shape::square(64);
    let par = params(shape, 0.01, false, Scheme::Etdrk4);
    let kernel = |z: f64| z.cos();
    let stepper = |species: &[(f64, f64)], terms: &[(usize, usize, usize, bool, f32)]| {
        let mut system = convolution_system(Shape::line(64), species, &[&kernel], terms);
        // The kernel on the square grid: constant along the second axis.
        if let Multiplier::Kernel(k) = &mut system.multipliers[0] {
            let row = k.clone();
            *k = (0..64).flat_map(|_| row.iter().copied()).collect();
        }
        let ops = SystemOperators::new(ctx, system, shape, par.cell()).unwrap();
        Stepper::new(ctx, &par, Arc::new(ops))
            .unwrap()
            .bytes_moved()
    };
    let one = stepper(&[(0.3, 1.0)], &[(0, 0, 0, false, 1.0)]);
    let two = stepper(
        &[(0.3, 1.0), (0.3, 1.0)],
        &[(0, 1, 0, false, 1.0), (1, 0, 0, true, -1.0)],
    );
    let ratio = one as f64 / two as f64;
    assert!(
        (0.45..=0.6).contains(&ratio),
        "one species moves {one} B a step, two {two} B: ratio {ratio:.3}"
    );
}

/// The convolution system of [`convolution_system`] with a potential
/// `a_s(x) = amp_s cos(x + s)` on each species.
fn with_potentials(mut system: System, n: u32, amps: &[f64]) -> System {
    let h = TWO_PI / n as f64;
    for (s, sp) in system.species.iter_mut().enumerate() {
        sp.potential = Some(Signed {
            value: (0..n)
                .map(|j| (amps[s] * (j as f64 * h + s as f64).cos()) as f32)
                .collect(),
            sign: 1.0,
        });
    }
    system
}

#[test]
fn stationary_states_of_one_to_four_species_match_the_f64_reference() {
    use mflda::equilibrium::cpu::{species_extragradient, species_residual};
    use mflda::equilibrium::{EquilibriumOptions, EquilibriumSolver, Stop};
    let ctx = ctx();
    let n = 64;
    let shape = Shape::line(n);
    let attract = |z: f64| -0.8 * z.cos();
    let game = |z: f64| 0.5 * z.sin() + 0.3 * (2.0 * z).cos();
    let even = |z: f64| -0.5 * z.cos() - 0.2 * (2.0 * z).cos();
    let half_even = |z: f64| 0.5 * even(z);
    // Zero-sum pairs (s, r): k against r, -k~ back.
    let zero_sum = |pairs: &[(usize, usize)]| {
        pairs
            .iter()
            .flat_map(|&(s, r)| [(s, r, 0, false, 1.0), (r, s, 0, true, -1.0)])
            .collect::<Vec<_>>()
    };
    let cases: Vec<(&str, System)> = vec![
        (
            "one species, attraction above its critical temperature",
            with_potentials(
                convolution_system(shape, &[(0.5, 1.0)], &[&attract], &[(0, 0, 0, false, 1.0)]),
                n,
                &[0.3],
            ),
        ),
        (
            "two species, symmetric attraction (a gradient flow)",
            with_potentials(
                convolution_system(
                    shape,
                    &[(0.6, 1.0), (0.8, 0.5)],
                    &[&even, &half_even],
                    &[
                        (0, 1, 0, false, 1.0),
                        (1, 0, 0, false, 1.0),
                        (0, 0, 1, false, 1.0),
                    ],
                ),
                n,
                &[0.3, -0.2],
            ),
        ),
        (
            "three-player cyclic zero-sum game",
            with_potentials(
                convolution_system(
                    shape,
                    &[(0.3, 1.0), (0.2, 0.7), (0.4, 1.3)],
                    &[&game],
                    &zero_sum(&[(0, 1), (1, 2), (2, 0)]),
                ),
                n,
                &[0.3, 0.2, -0.25],
            ),
        ),
        (
            "four-player polymatrix zero-sum game",
            with_potentials(
                convolution_system(
                    shape,
                    &[(0.3, 1.0), (0.25, 1.0), (0.35, 0.8), (0.3, 1.2)],
                    &[&game],
                    &zero_sum(&[(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]),
                ),
                n,
                &[0.3, 0.2, -0.25, 0.1],
            ),
        ),
    ];
    for (what, system) in cases {
        let par = params(shape, 0.01, false, Scheme::Etdrk4);
        let ops = SystemOperators::new(ctx, system.clone(), shape, par.cell()).unwrap();
        // The f32 residual's floor is about 1e-6 here (report.round_off).
        let opts = EquilibriumOptions {
            tol: 1e-5,
            max_iter: 20_000,
            step: None,
            payoff_sup: system.potential_bound(par.cell()),
            check_every: 20,
            anderson: 0,
            interrupt: mflda::interrupt::Interrupt::never(),
        };
        let mut solver = EquilibriumSolver::new(ctx, &par, &ops, &opts).unwrap();
        solver.start_uniform(ctx).unwrap();
        let report = solver.solve(ctx, &opts).unwrap();
        assert_eq!(report.stop, Stop::Converged, "{what}: {report:?}");
        let got = solver.species_densities(ctx).unwrap();

        let cpu = CpuSystem::new(&par, &system);
        let uniform = vec![vec![1.0 / TWO_PI; n as usize]; system.len()];
        let want =
            species_extragradient(&cpu, uniform, report.step, 3 * report.iterations as usize);
        let r = species_residual(&cpu, &want);
        assert!(r < 1e-9, "{what}: the f64 reference reached only {r:e}");
        for (s, (g, w)) in got.iter().zip(&want).enumerate() {
            let num: f64 = g.iter().zip(w).map(|(a, b)| (*a as f64 - b).powi(2)).sum();
            let den: f64 = w.iter().map(|b| b * b).sum();
            let err = (num / den).sqrt();
            assert!(err < 5e-5, "{what}, species {s}: relative L2 error {err:e}");
        }
        // Not the uniform state: the potentials moved every species.
        let spread = want[0]
            .iter()
            .fold(0.0f64, |m, v| m.max((v * TWO_PI - 1.0).abs()));
        assert!(
            spread > 0.05,
            "{what}: the state is nearly uniform ({spread})"
        );
        ctx.take_errors().unwrap();
    }
}
