//! The spread drift (src/particles/spread_drift.rs) against the direct
//! Fourier sums, which are exact for band-limited payoffs: the gradient and
//! potential at random weighted particles against the f64 sums (the default
//! game in 2D and an aggregation with a smooth kernel in 1D; measured worst
//! errors 2e-6 to 5e-6 of the largest gradient and 1e-6 of the largest
//! potential, the same at half-width 8, so the f32 floor; the test allows
//! 1e-5), whole Langevin and WFR steps against the steps with the direct
//! sums (positions within one f32 ulp, weights 3e-7), bit-reproducibility across
//! workgroup sizes, and `auto`, which takes the spread drift when the payoff
//! has more modes than the direct sums serve.

mod common;
#[path = "common/particles.rs"]
mod particles;

use mflda::config::{Dynamics, ParticleScheme, ParticlesConfig};
use mflda::dynamics::Params;
use mflda::gpu::field::read_buffer;
use mflda::particles::drift::Drift;
use mflda::particles::drift::ParticleSource;
use mflda::particles::fourier::FourierTables;
use mflda::particles::langevin::{LangevinOptions, LangevinStepper};
use mflda::particles::moments::moments_cpu;
use mflda::particles::spread_drift::SpreadDrift;
use mflda::system::System;
use particles::{default_game, f32_positions, plan_of, positions_f64, rates, storage, torus_worst};
use rand::Rng;

/// A 1D aggregation: a smooth attractive kernel (below 1e-30 at the
/// Nyquist mode of 128 points) and an external potential.
const AGGREGATION: &str = r#"
[grid]
dim = 1
n = 128

[[species]]
name = "rho"
tau = 0.2
potential = "cos(x.x) + 0.5 * sin(2.0 * x.x)"
init = "1.0 + 0.3 * cos(x.x)"

[[coupling]]
target = "rho"
source = "rho"
kernel_spectrum = "-20.0 * exp(-0.02 * dot(kappa, kappa))"
"#;

fn system_of(text: &str) -> (Params, System) {
    let plan = plan_of(text, &[]);
    (plan.problem.params.clone(), plan.problem.system().clone())
}

/// The gradient and the potential (less its mean) of every species at its
/// random weighted particles against the direct f64 sums over the weighted
/// tables, and the total weights.
#[test]
fn spread_gradients_and_potentials_match_the_direct_sums() {
    let ctx = common::ctx();
    for (label, (params, system)) in [
        ("game", default_game(32)),
        ("aggregation", system_of(AGGREGATION)),
    ] {
        let dim = params.shape.dim();
        let l = params.length;
        let tables = FourierTables::new(&params, &system).unwrap().weighted();
        let mut rng = common::rng(&format!("spread-drift-{label}"));
        let counts: Vec<usize> = (0..system.len()).map(|s| 2000 + 500 * s).collect();
        let mut x = f32_positions(&mut rng, &counts, l);
        if dim == 1 {
            x.iter_mut().flatten().for_each(|p| p[1] = 0.0);
        }
        // Weights summing to about 0.7, not one: the drift normalises them.
        let w: Vec<Vec<f64>> = counts
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| f64::from(rng.random_range(0.4f32..1.0) / n as f32))
                    .collect()
            })
            .collect();
        let xf: Vec<Vec<[f32; 2]>> = x
            .iter()
            .map(|v| v.iter().map(|p| [p[0] as f32, p[1] as f32]).collect())
            .collect();
        let wf: Vec<Vec<f32>> = w
            .iter()
            .map(|v| v.iter().map(|&u| u as f32).collect())
            .collect();
        let buffers: Vec<(wgpu::Buffer, wgpu::Buffer)> = xf
            .iter()
            .zip(&wf)
            .map(|(p, q)| {
                (
                    storage(ctx, bytemuck::cast_slice(p)),
                    storage(ctx, bytemuck::cast_slice(q)),
                )
            })
            .collect();
        let sources: Vec<ParticleSource<'_>> = buffers
            .iter()
            .zip(&counts)
            .map(|((positions, weights), &n)| ParticleSource {
                positions,
                weights,
                count: n as u32,
            })
            .collect();
        let drift = SpreadDrift::new(ctx, &params, &system, &sources, true).unwrap();
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        drift.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let moments: Vec<_> = (0..system.len())
            .flat_map(|r| moments_cpu(&x[r], &w[r], l, &tables.moment_modes[r]))
            .collect();
        let coeffs = tables.coefficients(&moments);
        let totals = read_buffer(ctx, drift.totals(), 16 * system.len() as u64).unwrap();
        for s in 0..system.len() {
            let total: f64 = w[s].iter().sum();
            let got_total = f64::from(totals[4 * s]);
            assert!(
                (got_total - total).abs() < 1e-6 * total,
                "{label} {s}: total weight {got_total} vs {total}"
            );
            let n = counts[s] as u64;
            let grad = read_buffer(ctx, drift.gradient(s), 8 * n).unwrap();
            let phi = read_buffer(ctx, drift.potential(s).unwrap(), 8 * n).unwrap();
            let (mut scale_g, mut worst_g, mut scale_p, mut worst_p) =
                (0.0f64, 0.0f64, 0.0f64, 0.0f64);
            for (i, p) in x[s].iter().enumerate() {
                let g = tables.gradient(s, &coeffs, *p);
                let v = tables.value(s, &coeffs, *p);
                let dg = (f64::from(grad[2 * i]) - g[0]).hypot(f64::from(grad[2 * i + 1]) - g[1]);
                scale_g = scale_g.max(g[0].hypot(g[1]));
                worst_g = worst_g.max(dg);
                scale_p = scale_p.max(v.abs());
                worst_p = worst_p.max((f64::from(phi[2 * i]) - v).abs());
            }
            assert!(
                scale_g > 0.1 && scale_p > 0.1,
                "{label} {s}: a trivial drift"
            );
            assert!(
                worst_g < 1e-5 * scale_g,
                "{label} {s}: gradient error {worst_g:e} of {scale_g}"
            );
            assert!(
                worst_p < 1e-5 * scale_p,
                "{label} {s}: potential error {worst_p:e} of {scale_p}"
            );
        }
        ctx.take_errors().unwrap();
    }
}

fn options(dynamics: Dynamics, wg_size: u32) -> LangevinOptions {
    LangevinOptions {
        dt: 0.05,
        scheme: ParticleScheme::EulerMaruyama,
        seed: 5,
        wg_size,
        dynamics,
        alpha: 1.5,
    }
}

fn normalised(gpu: &LangevinStepper, s: usize) -> Vec<f64> {
    let w = gpu.weights(common::ctx(), s).unwrap();
    let total: f64 = w.iter().map(|&v| f64::from(v)).sum();
    w.iter().map(|&v| f64::from(v) / total).collect()
}

/// Two steps with the spread drift against two with the direct sums, from
/// the same particles and noise: the positions agree to 1e-5 of the side
/// (the f32 floor of the drift times dt), the normalised weights of WFR to
/// 1e-5 relative; the spread steps repeat bit for bit, with any workgroup
/// size of the update.
#[test]
fn spread_steps_match_direct_sum_steps() {
    let ctx = common::ctx();
    let (params, system) = default_game(32);
    let tables = FourierTables::new(&params, &system).unwrap();
    let spread = Drift::Spread {
        params: params.clone(),
        system: system.clone(),
    };
    let mut rng = common::rng("spread-steps");
    let l = params.length;
    let x0 = f32_positions(&mut rng, &[3000, 2000], l);
    let r = rates(&system);
    for dynamics in [Dynamics::Langevin, Dynamics::Wfr] {
        let mut direct =
            LangevinStepper::new(ctx, tables.clone(), &r, &x0, options(dynamics, 64)).unwrap();
        let mut via =
            LangevinStepper::new(ctx, spread.clone(), &r, &x0, options(dynamics, 64)).unwrap();
        assert_eq!(via.tables().row_modes.len(), 0);
        direct.advance(ctx, 2);
        via.advance(ctx, 2);
        let (a, b) = (positions_f64(&direct, 2), positions_f64(&via, 2));
        let moved = torus_worst(&a, &x0, l);
        let worst = torus_worst(&a, &b, l);
        assert!(moved > 0.05, "{dynamics:?}: the particles moved {moved}");
        assert!(
            worst < 1e-5 * l,
            "{dynamics:?}: positions differ by {worst:e}"
        );
        if dynamics == Dynamics::Wfr {
            for s in 0..2 {
                let (p, q) = (normalised(&direct, s), normalised(&via, s));
                let spread_w = p.iter().fold(0.0f64, |m, &v| m.max(v))
                    / p.iter().fold(1.0f64, |m, &v| m.min(v));
                assert!(spread_w > 1.01, "species {s}: the weights did not move");
                let worst = p
                    .iter()
                    .zip(&q)
                    .map(|(u, v)| (u - v).abs() / u)
                    .fold(0.0, f64::max);
                assert!(
                    worst < 1e-5,
                    "species {s}: weights differ by {worst:e} relative"
                );
            }
        }
        for wg in [256, 1] {
            let mut again =
                LangevinStepper::new(ctx, spread.clone(), &r, &x0, options(dynamics, wg)).unwrap();
            again.advance(ctx, 2);
            for s in 0..2 {
                assert!(
                    again.positions(ctx, s).unwrap() == via.positions(ctx, s).unwrap(),
                    "{dynamics:?}, workgroups of {wg}: other positions"
                );
                assert!(
                    again.weights(ctx, s).unwrap() == via.weights(ctx, s).unwrap(),
                    "{dynamics:?}, workgroups of {wg}: other weights"
                );
            }
        }
        ctx.take_errors().unwrap();
    }
}

/// `auto` keeps the direct sums for the default game (a few modes) and
/// takes the spread drift for a screened-Poisson aggregation on a 128^2
/// grid, whose potential has every one of its 16384 modes; `fourier` is
/// then refused, naming the modes, and `spread` on a grid it cannot serve
/// names `grid.n`.
#[test]
fn auto_takes_the_spread_drift_when_the_payoff_has_many_modes() {
    let game = plan_of(mflda::config::DEFAULT_TOML, &["grid.n=32"]);
    let particles = ParticlesConfig::default();
    let drift = Drift::resolve(&game, &particles, &[100_000, 100_000]).unwrap();
    assert_eq!(drift.method().as_str(), "fourier");
    let poisson = r#"
[grid]
dim = 2
n = 128

[[species]]
name = "cells"
tau = 0.5
init = "1.0 + 0.1 * cos(x.x)"

[[coupling]]
target = "cells"
source = "cells"
kernel_spectrum = "-5.0 / (1.0 + dot(kappa, kappa))"
"#;
    let plan = plan_of(poisson, &[]);
    let drift = Drift::resolve(&plan, &particles, &[100_000]).unwrap();
    assert_eq!(drift.method().as_str(), "spread");
    let fourier = ParticlesConfig {
        drift: mflda::config::DriftMethod::Fourier,
        ..ParticlesConfig::default()
    };
    let e = Drift::resolve(&plan, &fourier, &[100_000])
        .unwrap_err()
        .to_string();
    assert!(e.contains("modes"), "{e}");
    let spread = ParticlesConfig {
        drift: mflda::config::DriftMethod::Spread,
        ..ParticlesConfig::default()
    };
    let wide = plan_of(AGGREGATION, &["grid.n=8192"]);
    let e = Drift::resolve(&wide, &spread, &[1000])
        .unwrap_err()
        .to_string();
    assert!(e.contains("grid.n") && e.contains("4096"), "{e}");
    // Particles of this system step with it (no direct sums could).
    let ctx = common::ctx();
    let mut rng = common::rng("poisson");
    let x0 = f32_positions(&mut rng, &[1000], plan.problem.params.length);
    let r = rates(plan.problem.system());
    let mut gpu =
        LangevinStepper::new(ctx, drift, &r, &x0, options(Dynamics::Langevin, 64)).unwrap();
    gpu.advance(ctx, 3);
    let x = gpu.positions(ctx, 0).unwrap();
    assert!(x
        .iter()
        .flatten()
        .all(|v| v.is_finite() && *v >= 0.0 && f64::from(*v) < plan.problem.params.length));
    ctx.take_errors().unwrap();
}
