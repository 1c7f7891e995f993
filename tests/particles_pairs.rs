//! The all-pairs drift (src/particles/pairs.rs): its sums against the f64
//! pair sums at random weighted particles (the default game in 2D, a smooth
//! aggregation kernel in 1D), the three drift methods against each other on
//! payoffs all three serve (whole Langevin and WFR steps from the same
//! particles and noise), bit-reproducibility across workgroup sizes, and
//! the refusals: a gradient that is not the kernel's, a kernel without one,
//! a kernel given by its multiplier.

mod common;
#[path = "common/particles.rs"]
mod particles;

use mflda::config::{DriftMethod, Dynamics, ParticleScheme, ParticlesConfig};
use mflda::gpu::field::read_buffer;
use mflda::particles::drift::{Drift, ParticleSource};
use mflda::particles::langevin::{LangevinOptions, LangevinStepper};
use mflda::particles::pairs::{pair_terms, PairDrift};
use mflda::plan::Plan;
use particles::{f32_positions, plan_of, positions_f64, rates, storage, torus_worst};
use rand::Rng;

/// A 1D aggregation whose kernel exp(cos z) has every Fourier mode (its
/// coefficients I_k(1) fall below 1e-30 of the first well inside 128
/// points), with an external potential.
const AGGREGATION: &str = r#"
[grid]
dim = 1
n = 128

[[species]]
name = "rho"
tau = 0.2
potential = "0.5 * cos(x.x)"
init = "1.0 + 0.3 * cos(x.x)"

[[coupling]]
target = "rho"
source = "rho"
kernel = "-2.0 * exp(cos(z.x))"
kernel_gradient = "vec2<f32>(2.0 * sin(z.x) * exp(cos(z.x)), 0.0)"
"#;

/// The default game's kernel and its gradient, in f64.
fn game_kernel(z: [f64; 2]) -> (f64, [f64; 2]) {
    let (x, y) = (z[0], z[1]);
    let k = x.cos() * y.cos() + 0.5 * (x + y).sin();
    let g = [
        0.5 * (x + y).cos() - x.sin() * y.cos(),
        0.5 * (x + y).cos() - x.cos() * y.sin(),
    ];
    (k, g)
}

fn aggregation_kernel(z: [f64; 2]) -> (f64, [f64; 2]) {
    let e = z[0].cos().exp();
    (-2.0 * e, [2.0 * z[0].sin() * e, 0.0])
}

/// The default game with its kernel's gradient (commented out in the
/// default config) on a 32^2 grid.
fn game() -> Plan {
    plan_of(
        mflda::config::DEFAULT_TOML,
        &[
            "grid.n=32",
            "game.kernel_gradient=\"vec2<f32>(0.5 * cos(z.x + z.y) - sin(z.x) * cos(z.y), 0.5 * \
             cos(z.x + z.y) - cos(z.x) * sin(z.y))\"",
        ],
    )
}

/// The pair sums of every species at random weighted particles against the
/// f64 sums over the same pairs (each displacement wrapped to [0, L)):
/// measured worst errors 1e-6 to 2e-6 of the largest value (the f32
/// kernel evaluations); the test allows 1e-5.
#[test]
fn pair_sums_match_the_f64_sums() {
    let ctx = common::ctx();
    type Kernel = fn([f64; 2]) -> (f64, [f64; 2]);
    for (label, plan, k) in [
        ("game", game(), game_kernel as Kernel),
        (
            "aggregation",
            plan_of(AGGREGATION, &[]),
            aggregation_kernel as Kernel,
        ),
    ] {
        let params = &plan.problem.params;
        let (l, dim) = (params.length, params.shape.dim());
        let terms = pair_terms(plan.config()).unwrap();
        let species = plan.problem.system().len();
        let mut rng = common::rng(&format!("pairs-{label}"));
        let counts: Vec<usize> = (0..species).map(|s| 700 + 300 * s).collect();
        // Squared uniforms: a measure far from uniform, whose potentials
        // vary by O(1).
        let mut x = f32_positions(&mut rng, &counts, l);
        for p in x.iter_mut().flatten() {
            *p = p.map(|c| ((c / l).powi(2) * l) as f32 as f64);
            if dim == 1 {
                p[1] = 0.0;
            }
        }
        let w: Vec<Vec<f64>> = counts
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| f64::from(rng.random_range(0.4f32..1.0) / n as f32))
                    .collect()
            })
            .collect();
        let buffers: Vec<(wgpu::Buffer, wgpu::Buffer)> = x
            .iter()
            .zip(&w)
            .map(|(p, q)| {
                let p: Vec<[f32; 2]> = p.iter().map(|v| [v[0] as f32, v[1] as f32]).collect();
                let q: Vec<f32> = q.iter().map(|&v| v as f32).collect();
                (
                    storage(ctx, bytemuck::cast_slice(&p)),
                    storage(ctx, bytemuck::cast_slice(&q)),
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
        let drift = PairDrift::new(ctx, &terms, l, dim, &sources).unwrap();
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        drift.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        for s in 0..species {
            let n = counts[s] as u64;
            let grad = read_buffer(ctx, drift.gradient(s), 8 * n).unwrap();
            let value = read_buffer(ctx, drift.value(s), 8 * n).unwrap();
            let (mut scale, mut worst) = (0.0f64, 0.0f64);
            for (i, xi) in x[s].iter().enumerate() {
                let mut want = [0.0f64; 3];
                for t in terms.iter().filter(|t| t.target == s) {
                    let total: f64 = w[t.source].iter().sum();
                    for (xj, wj) in x[t.source].iter().zip(&w[t.source]) {
                        let (mut z, flip) = (
                            [xi[0] - xj[0], xi[1] - xj[1]],
                            if t.reflect { -1.0 } else { 1.0 },
                        );
                        z = z.map(|c| (flip * c).rem_euclid(l));
                        let (kv, kg) = k(z);
                        let f = f64::from(t.sign) * wj / total;
                        want[0] += f * flip * kg[0];
                        want[1] += f * flip * kg[1];
                        want[2] += f * kv;
                    }
                }
                let got = [grad[2 * i], grad[2 * i + 1], value[2 * i]].map(f64::from);
                for c in 0..3 {
                    scale = scale.max(want[c].abs());
                    worst = worst.max((got[c] - want[c]).abs());
                }
            }
            assert!(scale > 0.1, "{label} {s}: a trivial drift {scale}");
            assert!(
                worst < 1e-5 * scale,
                "{label} {s}: error {worst:e} of {scale}"
            );
        }
        ctx.take_errors().unwrap();
    }
}

fn options(dynamics: Dynamics, wg_size: u32) -> LangevinOptions {
    LangevinOptions {
        dt: 0.05,
        scheme: ParticleScheme::EulerMaruyama,
        seed: 9,
        wg_size,
        dynamics,
        alpha: 1.5,
    }
}

fn resolve(plan: &Plan, drift: DriftMethod, counts: &[u32]) -> Drift {
    let particles = ParticlesConfig {
        drift,
        ..ParticlesConfig::default()
    };
    Drift::resolve(plan, &particles, counts).unwrap()
}

/// Two steps with each of the three drifts from the same particles and
/// noise, on payoffs all three serve exactly (band-limited, or with modes
/// below the f32 floor long before the grid's Nyquist mode): the positions
/// agree to 1e-5 of the side (measured: within two f32 ulps) and the
/// normalised WFR weights to 1e-5 relative; the all-pairs steps repeat bit
/// for bit with other workgroup sizes of the update.
#[test]
fn the_three_drifts_agree() {
    let ctx = common::ctx();
    for (label, plan) in [("game", game()), ("aggregation", plan_of(AGGREGATION, &[]))] {
        let params = &plan.problem.params;
        let l = params.length;
        let species = plan.problem.system().len();
        let counts: Vec<usize> = (0..species).map(|s| 1500 - 500 * s).collect();
        let counts32: Vec<u32> = counts.iter().map(|&n| n as u32).collect();
        let mut rng = common::rng(&format!("three-{label}"));
        let mut x0 = f32_positions(&mut rng, &counts, l);
        if params.shape.dim() == 1 {
            x0.iter_mut().flatten().for_each(|p| p[1] = 0.0);
        }
        let r = rates(plan.problem.system());
        for dynamics in [Dynamics::Langevin, Dynamics::Wfr] {
            let steps: Vec<LangevinStepper> = [
                DriftMethod::Fourier,
                DriftMethod::Spread,
                DriftMethod::Pairs,
            ]
            .into_iter()
            .map(|m| {
                let drift = resolve(&plan, m, &counts32);
                assert_eq!(drift.method(), m);
                let mut g =
                    LangevinStepper::new(ctx, drift, &r, &x0, options(dynamics, 64)).unwrap();
                g.advance(ctx, 2);
                g
            })
            .collect();
            assert_eq!(steps[2].drift_method(), DriftMethod::Pairs);
            let fourier = positions_f64(&steps[0], species);
            let moved = torus_worst(&fourier, &x0, l);
            assert!(moved > 0.05, "{label} {dynamics:?}: moved {moved}");
            for (name, other) in [("spread", &steps[1]), ("pairs", &steps[2])] {
                let worst = torus_worst(&fourier, &positions_f64(other, species), l);
                assert!(
                    worst < 1e-5 * l,
                    "{label} {dynamics:?} {name}: positions differ by {worst:e}"
                );
                if dynamics == Dynamics::Wfr {
                    for s in 0..species {
                        let norm = |g: &LangevinStepper| {
                            let w = g.weights(ctx, s).unwrap();
                            let t: f64 = w.iter().map(|&v| f64::from(v)).sum();
                            w.iter().map(|&v| f64::from(v) / t).collect::<Vec<f64>>()
                        };
                        let (p, q) = (norm(&steps[0]), norm(other));
                        let worst = p
                            .iter()
                            .zip(&q)
                            .map(|(a, b)| (a - b).abs() / a)
                            .fold(0.0, f64::max);
                        assert!(
                            worst < 1e-5,
                            "{label} {name} {s}: weights differ by {worst:e}"
                        );
                    }
                }
            }
            let mut again = LangevinStepper::new(
                ctx,
                resolve(&plan, DriftMethod::Pairs, &counts32),
                &r,
                &x0,
                options(dynamics, 256),
            )
            .unwrap();
            again.advance(ctx, 2);
            for s in 0..species {
                assert!(
                    again.positions(ctx, s).unwrap() == steps[2].positions(ctx, s).unwrap()
                        && again.weights(ctx, s).unwrap() == steps[2].weights(ctx, s).unwrap(),
                    "{label} {dynamics:?}: the pairs steps changed with the workgroup size"
                );
            }
        }
        ctx.take_errors().unwrap();
    }
}

/// A gradient that is not the kernel's is refused when the drift is built,
/// naming its key; a kernel without a gradient, and one given by its
/// multiplier, are refused when the drift is resolved.
#[test]
fn pairs_refuse_what_they_cannot_serve() {
    let ctx = common::ctx();
    let wrong = plan_of(
        mflda::config::DEFAULT_TOML,
        &[
            "grid.n=16",
            "game.kernel_gradient=\"vec2<f32>(-sin(z.x) * cos(z.y), 0.0)\"",
        ],
    );
    let drift = resolve(&wrong, DriftMethod::Pairs, &[100, 100]);
    let mut rng = common::rng("wrong-gradient");
    let x0 = f32_positions(&mut rng, &[100, 100], wrong.problem.params.length);
    let r = rates(wrong.problem.system());
    let e = LangevinStepper::new(ctx, drift, &r, &x0, options(Dynamics::Langevin, 64))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("game.kernel_gradient") && e.contains("is not the gradient"),
        "{e}"
    );
    let pairs = ParticlesConfig {
        drift: DriftMethod::Pairs,
        ..ParticlesConfig::default()
    };
    let without = plan_of(
        AGGREGATION
            .replace("kernel_gradient", "# kernel_gradient")
            .as_str(),
        &[],
    );
    let e = Drift::resolve(&without, &pairs, &[100])
        .unwrap_err()
        .to_string();
    assert!(e.contains("coupling[0].kernel_gradient"), "{e}");
    let spectral = plan_of(
        &AGGREGATION
            .replace("kernel_gradient", "# kernel_gradient")
            .replace(
                "kernel = \"-2.0 * exp(cos(z.x))\"",
                "kernel_spectrum = \"-1.0 / (1.0 + dot(kappa, kappa))\"",
            ),
        &[],
    );
    let e = Drift::resolve(&spectral, &pairs, &[100])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("coupling[0].kernel_spectrum") && e.contains("in space"),
        "{e}"
    );
}

/// The all-pairs drift counts its kernel evaluations per step (the game:
/// two couplings, each `n_x n_y`) and warns above
/// `PAIRS_WARN_EVALUATIONS`; the other methods count none and never warn.
#[test]
fn pairs_warn_when_their_quadratic_cost_dominates() {
    use mflda::particles::drift::PAIRS_WARN_EVALUATIONS;
    let plan = game();
    let pairs = resolve(&plan, DriftMethod::Pairs, &[1000, 2000]);
    assert_eq!(pairs.pair_evaluations(&[1000, 2000]), 2 * 1000 * 2000);
    assert!(pairs.warning(&[1000, 2000]).is_none());
    let n = 100_000u32;
    assert!(2 * u64::from(n) * u64::from(n) > PAIRS_WARN_EVALUATIONS);
    let w = pairs.warning(&[n, n]).expect("a warning at n = 1e5");
    assert!(w.contains("particles.drift") && w.contains("auto"), "{w}");
    let fourier = resolve(&plan, DriftMethod::Fourier, &[n, n]);
    assert_eq!(fourier.pair_evaluations(&[n, n]), 0);
    assert!(fourier.warning(&[n, n]).is_none());
}
