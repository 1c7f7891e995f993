//! The grid's Fisher-Rao term `-alpha eta_s (Phi_s - <Phi_s>) rho_s`
//! (docs/MATHEMATICS.md section 9): the GPU right-hand side and a step
//! against the f64 reference on random systems of one to four species, the
//! term alone against its reference, the exact linear rates at the uniform
//! state, mass and positivity over a long run, and its configuration errors.

mod common;
#[path = "common/systems.rs"]
mod systems;

use std::sync::Arc;

use common::{ctx, rng, smooth_field};
use mflda::config::Config;
use mflda::dynamics::{Params, Scheme, Stepper};
use mflda::gpu::Shape;
use mflda::system::cpu::CpuSystem;
use mflda::system::{System, SystemOperators};
use num_complex::Complex64 as C64;
use rand_chacha::ChaCha8Rng;
use systems::{convolution_system, f32s, params, random_system, TWO_PI};

/// The GPU stepper and the f64 reference of `system`, both from the same
/// smooth positive densities (their spectra returned too).
fn pair(
    system: &System,
    par: &Params,
    rng: &mut ChaCha8Rng,
) -> (Stepper, CpuSystem, Vec<Vec<C64>>) {
    let ctx = ctx();
    let shape = par.shape;
    let ops = SystemOperators::new(ctx, system.clone(), shape, par.cell()).unwrap();
    let gpu = Stepper::new(ctx, par, Arc::new(ops)).unwrap();
    let cpu = CpuSystem::new(par, system);
    let area = TWO_PI.powi(shape.dim() as i32);
    // Four smooth fields of six random modes each, so that a random
    // system's terms do not miss the densities' modes.
    let grids: Vec<Vec<f32>> = (0..system.len())
        .map(|_| {
            let v: Vec<f64> = (0..4)
                .map(|_| smooth_field(rng, shape, 3, 0.15 / area))
                .fold(vec![1.0 / area; shape.len()], |acc, f| {
                    acc.iter().zip(&f).map(|(a, b)| a + b).collect()
                });
            f32s(&v)
        })
        .collect();
    let refs: Vec<&[f32]> = grids.iter().map(|g| g.as_slice()).collect();
    gpu.set_species_densities(ctx, &refs).unwrap();
    let rho = grids
        .iter()
        .map(|g| cpu.spectrum(&g.iter().map(|&x| x as f64).collect::<Vec<_>>()))
        .collect();
    (gpu, cpu, rho)
}

/// `system` with a convolution term for every species that feels none (a
/// random system may leave one with a zero potential, whose term is zero).
fn felt_by_all(mut system: System) -> System {
    for s in 0..system.len() {
        let felt = system.convolutions.iter().any(|c| c.target == s)
            || system.bands.iter().any(|b| b.target == s)
            || system.species[s].potential.is_some();
        if !felt {
            system.convolutions.push(mflda::system::Convolution {
                target: s,
                source: (s + 1) % system.len(),
                multiplier: 0,
                conjugate: false,
                sign: 1.0,
            });
        }
    }
    system
}

fn gpu_rhs(stepper: &Stepper) -> Vec<f32> {
    let ctx = ctx();
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    stepper.record_rhs(&mut encoder.begin_compute_pass(&Default::default()));
    ctx.queue.submit([encoder.finish()]);
    stepper.read_rhs(ctx).unwrap()
}

fn flat(fields: &[Vec<C64>]) -> Vec<C64> {
    fields.iter().flatten().copied().collect()
}

fn rel(got: &[f32], want: &[C64]) -> f64 {
    mflda::fft::cpu::relative_l2(got, want)
}

#[test]
fn random_systems_with_the_fisher_rao_term_match_the_f64_reference() {
    let ctx = ctx();
    let alpha = 1.5;
    for s in 1..=4 {
        for (shape, dealias) in [
            (Shape::square(16), s % 2 == 1),
            (Shape::line(64), s % 2 == 0),
        ] {
            let mut rng = rng(&format!("fisher-rao-{s}-{shape}"));
            let system = felt_by_all(random_system(&mut rng, s, shape));
            let what = format!("{s} species on {shape}");
            let with = params(shape, 0.05, dealias, Scheme::Etdrk4, alpha);
            let without = params(shape, 0.05, dealias, Scheme::Etdrk4, 0.0);
            let seed = format!("fisher-rao-densities-{s}-{shape}");
            let (gpu, cpu, rho) = pair(&system, &with, &mut common::rng(&seed));
            let (gpu0, cpu0, _) = pair(&system, &without, &mut common::rng(&seed));
            let (got, got0) = (gpu_rhs(&gpu), gpu_rhs(&gpu0));
            let (want, want0) = (flat(&cpu.rhs(&rho)), flat(&cpu0.rhs(&rho)));
            let err = rel(&got, &want);
            assert!(err < 2e-5, "{what}: rhs relative L2 error {err:e}");
            // The term alone, so that the transport terms cannot hide it.
            let term: Vec<f32> = got.iter().zip(&got0).map(|(a, b)| a - b).collect();
            let term_want: Vec<C64> = want.iter().zip(&want0).map(|(a, b)| a - b).collect();
            let scale = term_want.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt()
                / want.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
            assert!(
                scale > 0.05,
                "{what}: the term is only {scale:e} of the rhs"
            );
            let err = rel(&term, &term_want);
            assert!(
                err < 2e-4,
                "{what}: Fisher-Rao term relative L2 error {err:e}"
            );
            // Mode 0 of every species gains nothing: exactly on the GPU
            // (by construction), to round-off in the reference (where it is
            // the sum of (Phi - <Phi>) rho).
            let n = shape.len();
            let size = term_want.iter().map(|z| z.norm()).fold(0.0, f64::max);
            for sp in 0..s {
                let i = 2 * sp * n;
                assert_eq!((term[i], term[i + 1]), (0.0, 0.0), "{what}: mass moved");
                let zero = term_want[sp * n].norm();
                assert!(
                    zero < 1e-12 * size,
                    "{what}: the reference moves mass {zero:e}"
                );
            }
            // One ETDRK4 step.
            gpu.advance(ctx, 1);
            let after = gpu.read_state(ctx).unwrap();
            let err = rel(&after, &flat(&cpu.step(&rho)));
            assert!(err < 1e-6, "{what}: state error after a step {err:e}");
            ctx.take_errors().unwrap();
        }
    }
}

/// Linearised at the uniform state `1 / L` of one species with an even
/// kernel W, mode m of a deviation evolves at `-eta (m^2 (tau + W^_m) +
/// alpha W^_m)`: the potential's deviation `W^_m r^_m` drives the reaction as
/// it drives the drift, without the `m^2` (section 9, from section 8's
/// linearisation).
#[test]
fn the_uniform_state_decays_or_grows_at_the_wasserstein_fisher_rao_rate() {
    let ctx = ctx();
    let n = 64;
    let shape = Shape::line(n);
    let (eta, alpha, dt, t) = (1.3, 0.7, 0.01, 2.0);
    // W(z) = -cos(z) + 0.4 cos(2z): W^_1 = -1/2, W^_2 = 0.2.
    let w = |z: f64| -z.cos() + 0.4 * (2.0 * z).cos();
    let what_hat = [0.0, -0.5, 0.2];
    let h = TWO_PI / n as f64;
    // tau = 0.8 is stable without the term (0.8 - 1/2 > 0) and unstable with it.
    for tau in [0.8, 1.5] {
        let system = convolution_system(shape, &[(tau, eta)], &[&w], &[(0, 0, 0, false, 1.0)]);
        let par = params(shape, dt, false, Scheme::Etdrk4, alpha);
        let ops = SystemOperators::new(ctx, system, shape, par.cell()).unwrap();
        let stepper = Stepper::new(ctx, &par, Arc::new(ops)).unwrap();
        for m in [1usize, 2] {
            let eps = 1e-3;
            let rho: Vec<f32> = (0..n)
                .map(|j| ((1.0 + eps * (m as f64 * j as f64 * h).cos()) / TWO_PI) as f32)
                .collect();
            stepper.set_species_densities(ctx, &[&rho]).unwrap();
            let coeff = |state: &[f32]| C64::new(state[2 * m] as f64, state[2 * m + 1] as f64);
            let before = coeff(&stepper.read_state(ctx).unwrap());
            stepper.advance(ctx, (t / dt).round() as u32);
            let after = coeff(&stepper.read_state(ctx).unwrap());
            let k2 = (m * m) as f64;
            let rate = -eta * (k2 * (tau + what_hat[m]) + alpha * what_hat[m]);
            let want = before * (rate * t).exp();
            let err = (after - want).norm() / want.norm();
            assert!(
                err < 2e-4,
                "tau {tau}, mode {m}: {after} against exp({rate} t) r0 = {want}, error {err:e}"
            );
            let without = before * (-eta * k2 * (tau + what_hat[m]) * t).exp();
            assert!(
                (after - without).norm() / want.norm() > 0.05,
                "tau {tau}, mode {m}: the term made no difference"
            );
            if tau == 0.8 && m == 1 {
                assert!(
                    after.norm() > before.norm(),
                    "mode 1 should grow: {before} -> {after}"
                );
            }
        }
    }
    ctx.take_errors().unwrap();
}

#[test]
fn mass_is_kept_and_densities_stay_positive_under_a_strong_fisher_rao_term() {
    let ctx = ctx();
    let shape = Shape::square(32);
    let mut rng = rng("fisher-rao-mass");
    let mut system = random_system(&mut rng, 2, shape);
    for sp in &mut system.species {
        sp.tau = 1.0;
    }
    // Strong enough to concentrate the densities twentyfold.
    let alpha = 10.0;
    let par = params(shape, 0.01, false, Scheme::Etdrk4, alpha);
    let (gpu, cpu, rho) = pair(&system, &par, &mut rng);
    let cell = par.cell();
    let masses = |state: &[f32]| -> Vec<f64> {
        (0..2)
            .map(|s| state[2 * s * shape.len()] as f64 * cell)
            .collect()
    };
    let start = masses(&gpu.read_state(ctx).unwrap());
    gpu.advance(ctx, 300);
    let state = gpu.read_state(ctx).unwrap();
    for (s, (m, m0)) in masses(&state).iter().zip(&start).enumerate() {
        assert!((m - m0).abs() < 1e-6, "species {s}: mass {m0} -> {m}");
    }
    let n = shape.len();
    let mut moved = 0.0f64;
    let (mut peak, mut peak0) = (0.0f64, 0.0f64);
    for s in 0..2 {
        let spectrum: Vec<C64> = (0..n)
            .map(|p| {
                C64::new(
                    state[2 * (s * n + p)] as f64,
                    state[2 * (s * n + p) + 1] as f64,
                )
            })
            .collect();
        let grid = cpu.real(&spectrum);
        let start = cpu.real(&rho[s]);
        let min = grid.iter().copied().fold(f64::MAX, f64::min);
        peak = grid.iter().copied().fold(peak, f64::max);
        peak0 = start.iter().copied().fold(peak0, f64::max);
        assert!(min > 0.0, "species {s}: density down to {min:e}");
        moved = grid
            .iter()
            .zip(&start)
            .fold(moved, |m, (a, b)| m.max((a - b).abs()));
    }
    assert!(moved > 1e-3, "the densities hardly moved ({moved:e})");
    assert!(
        peak > 5.0 * peak0,
        "the term concentrated the densities only from {peak0} to {peak}"
    );
    ctx.take_errors().unwrap();
}

#[test]
fn bad_fisher_rao_settings_name_the_field_and_the_fix() {
    let sets = |s: &[&str]| -> String {
        let sets: Vec<String> = s.iter().map(|x| x.to_string()).collect();
        match Config::from_toml_str_with_sets(mflda::config::DEFAULT_TOML, "default", &sets) {
            Ok(_) => panic!("{s:?} was accepted"),
            Err(e) => e.to_string(),
        }
    };
    let e = sets(&["time.fisher_rao=-1"]);
    assert!(e.contains("time.fisher_rao") && e.contains(">= 0"), "{e}");
    let e = sets(&["time.fisher_rao=1", "time.perturbation=true"]);
    assert!(
        e.contains("time.fisher_rao") && e.contains("perturbation = false"),
        "{e}"
    );
    let ok = Config::from_toml_str_with_sets(
        mflda::config::DEFAULT_TOML,
        "default",
        &["time.fisher_rao=0.5".to_string()],
    )
    .unwrap();
    assert_eq!(ok.time.fisher_rao, 0.5);
}
