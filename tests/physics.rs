//! Physics of the GPU stepper against exact solutions (docs/MATHEMATICS.md sections 1, 3,
//! 4 and 6): the heat equation, the linearised convolution game at the uniform
//! equilibrium, mass conservation, the convergence orders of ETDRK4 and ETDRK2,
//! the Gibbs limits of decoupled potentials, and exponential decay to the
//! equilibrium all the way down to f32 round-off.

mod common;
#[path = "common/physics.rs"]
mod physics;

use common::ctx;
use mflda::config::Scheme;
use mflda::equilibrium::Stop;
use mflda::gpu::Shape;
use num_complex::Complex64 as C64;
use physics::*;

/// K = 0 is the heat equation: mode m of mu decays as exp(-tau |kappa_m|^2 t)
/// and of nu as exp(-eta tau |kappa_m|^2 t). ETD integrates the diffusion
/// exactly, so this holds to round-off for any dt, the large one included.
#[test]
fn heat_equation_decays_every_mode_exactly() {
    let ctx = ctx();
    let (tau, t_end) = (0.1, 2.0);
    let (mut worst_mode, mut worst_state): (f64, f64) = (0.0, 0.0);
    for (shape, m) in [(Shape::line(64), [3i64, 0]), (Shape::square(32), [2, 1])] {
        let k2 = (m[0] * m[0] + m[1] * m[1]) as f64;
        let rho = to_f32(&density(shape, |x, y| {
            1.0 + 0.2 * (m[0] as f64 * x + m[1] as f64 * y).cos()
        }));
        for scheme in [Scheme::Etdrk4, Scheme::Etdrk2] {
            for (eta, dt) in [(1.0, 0.05), (0.5, 0.05), (0.5, 0.5)] {
                let p = problem(ctx, params(shape, tau, eta, dt, scheme), &Game::ZERO);
                let stepper = p.stepper(ctx).unwrap();
                stepper.set_densities(ctx, &rho, &rho).unwrap();
                let before = stepper.read_state(ctx).unwrap();
                let steps = (t_end / dt).round() as u32;
                advance(ctx, &stepper, steps);
                let after = stepper.read_state(ctx).unwrap();
                let case = format!("{shape} m {m:?} {scheme:?} eta {eta} dt {dt}");
                for (field, rate) in [(0, tau * k2), (1, eta * tau * k2)] {
                    let want = (-rate * t_end).exp();
                    let ratio = coeff(&after, shape, field, m) / coeff(&before, shape, field, m);
                    let err = (ratio - want).norm() / want;
                    worst_mode = worst_mode.max(err);
                    assert!(
                        err < 1e-5,
                        "{case}, field {field}: amplitude ratio {ratio} after t = {t_end}, \
                         exact exp(-{rate} t) = {want:.9}, relative error {err:e}"
                    );
                }
                // Every other mode follows its own heat factor too (round-off only).
                let n = shape.len();
                let want: Vec<f32> = (0..2 * n)
                    .flat_map(|j| {
                        let w = if j < n { 1.0 } else { eta };
                        let f = (-w * tau * kappa2(shape, j % n) * t_end).exp();
                        [
                            (before[2 * j] as f64 * f) as f32,
                            (before[2 * j + 1] as f64 * f) as f32,
                        ]
                    })
                    .collect();
                let err = rel_l2(&after, &want);
                worst_state = worst_state.max(err);
                assert!(err < 1e-6, "{case}: whole state relative L2 error {err:e}");
            }
        }
    }
    eprintln!(
        "heat: worst relative error of the mode-m amplitude ratio {worst_mode:.2e}, \
         of the whole state {worst_state:.2e}"
    );
}

/// One case of the linearised convolution game at the uniform equilibrium.
struct ConvCase {
    shape: Shape,
    kernel: &'static str,
    /// k^_m = L^-d int k(z) exp(-i kappa_m . z) dz, worked out by hand.
    khat: C64,
    m: [i64; 2],
    dt: f64,
    steps: u32,
    every: u32,
}

/// Runs a convolution case and returns (fitted decay rate, fitted angular
/// frequency, the two fits' RMS residuals, the largest share of nu).
fn convolution_case(c: &ConvCase, tau: f64) -> (f64, f64, f64, f64, f64) {
    let ctx = ctx();
    let game = Game::new(c.kernel, "0.0", "0.0");
    let p = problem(ctx, params(c.shape, tau, 1.0, c.dt, Scheme::Etdrk4), &game);
    let stepper = p.stepper(ctx).unwrap();
    let m = c.m;
    let mu = density(c.shape, |x, y| {
        1.0 + 1e-4 * (m[0] as f64 * x + m[1] as f64 * y).cos()
    });
    let nu = density(c.shape, |_, _| 1.0);
    stepper
        .set_densities(ctx, &to_f32(&mu), &to_f32(&nu))
        .unwrap();
    // The exact solution: mu^_m = A e^{-rt} cos(wt), nu^_m = A e^{-rt} (conj(k)/|k|)
    // sin(wt), so mu^_m + i (k/|k|) nu^_m = A e^{-rt} e^{iwt}.
    let unit = c.khat / c.khat.norm();
    let (mut t, mut log_joint, mut phase) = (vec![], vec![], vec![]);
    let mut nu_share: f64 = 0.0;
    for i in 0..=c.steps / c.every {
        if i > 0 {
            advance(ctx, &stepper, c.every);
        }
        let s = stepper.read_state(ctx).unwrap();
        let (a, b) = (coeff(&s, c.shape, 0, m), coeff(&s, c.shape, 1, m));
        let joint = (a.norm_sqr() + b.norm_sqr()).sqrt();
        nu_share = nu_share.max(b.norm() / joint);
        t.push(i as f64 * c.every as f64 * c.dt);
        log_joint.push(joint.ln());
        phase.push((a + C64::i() * unit * b).arg());
    }
    let decay = fit_line(&t, &log_joint);
    let turn = fit_line(&t, &unwrap(&phase));
    (-decay.slope, turn.slope, decay.rms, turn.rms, nu_share)
}

/// At the uniform equilibrium of a convolution game a perturbation of mode m
/// decays at exactly tau |kappa_m|^2 in the joint distance while it turns
/// between the players at angular frequency |kappa_m|^2 |k^_m| (docs/MATHEMATICS.md section
/// 6). The kernels are not symmetric, so k^_m is complex and the direction of
/// the turn checks the sign convention of k(x - y).
#[test]
fn convolution_game_rate_and_frequency_at_the_uniform_equilibrium() {
    let tau = 0.1;
    let cases = [
        // k^_2: cos(2z) -> 1/2, 0.6 sin(2z) -> 0.6 / (2i) = -0.3i; cos(z) is mode 1.
        ConvCase {
            shape: Shape::line(64),
            kernel: "cos(2.0 * z.x) + 0.6 * sin(2.0 * z.x) + 0.3 * cos(z.x)",
            khat: C64::new(0.5, -0.3),
            m: [2, 0],
            dt: 0.02,
            steps: 250,
            every: 10,
        },
        // k^_(1,2): cos -> 1/2, -0.8 sin -> -0.8 / (2i) = 0.4i; cos(z.y) is mode (0,1).
        ConvCase {
            shape: Shape::square(32),
            kernel: "cos(z.x + 2.0 * z.y) - 0.8 * sin(z.x + 2.0 * z.y) + 0.3 * cos(z.y)",
            khat: C64::new(0.5, 0.4),
            m: [1, 2],
            dt: 0.02,
            steps: 200,
            every: 5,
        },
    ];
    for c in &cases {
        let k2 = (c.m[0] * c.m[0] + c.m[1] * c.m[1]) as f64;
        let (rate, omega, rms_rate, rms_phase, nu_share) = convolution_case(c, tau);
        let (want_rate, want_omega) = (tau * k2, k2 * c.khat.norm());
        let (e_rate, e_omega) = (rate / want_rate - 1.0, omega / want_omega - 1.0);
        let what = format!(
            "{} m {:?}: decay rate {rate:.6} vs tau|kappa|^2 = {want_rate:.6} (rel {e_rate:+.2e}, \
             fit rms {rms_rate:.1e}); frequency {omega:.6} vs |kappa|^2|k^| = {want_omega:.6} \
             (rel {e_omega:+.2e}, fit rms {rms_phase:.1e}); max |nu^_m| / joint {nu_share:.3}",
            c.shape, c.m
        );
        eprintln!("{what}");
        assert!(e_rate.abs() < 0.01 && e_omega.abs() < 0.01, "{what}");
        // The phase is linear in t: the turn goes the way k(x - y) says.
        assert!(rms_phase < 0.01 && rms_rate < 0.01, "{what}");
        // The perturbation really moved to nu: |sin(wt)| > 0.9 at some sample.
        assert!(nu_share > 0.9, "{what}");
    }
}

/// Mass is conserved exactly by the divergence form: a nonlinear 2D game with
/// all three payoff terms, from far from equilibrium, for 1200 steps.
#[test]
fn mass_is_conserved_by_a_nonlinear_2d_game() {
    let ctx = ctx();
    let shape = Shape::square(32);
    let game = Game {
        kernel: "cos(z.x) * cos(z.y) + 0.5 * sin(z.x + z.y)",
        potential_mu: "0.4 * cos(x.x) + 0.3 * sin(x.y)",
        potential_nu: "0.5 * sin(y.x - y.y)",
        interaction: "0.6 * cos(x.x + y.y) + 0.4 * sin(x.y - 2.0 * y.x)",
        interaction_modes: 2,
    };
    let (steps, every) = (1200u32, 200u32);
    let p = problem(ctx, params(shape, 0.2, 1.0, 0.02, Scheme::Etdrk4), &game);
    let stepper = p.stepper(ctx).unwrap();
    let mu = density(shape, |x, y| {
        1.0 + 0.6 * x.cos() + 0.3 * (x + 2.0 * y).sin()
    });
    let nu = density(shape, |x, y| 1.0 + 0.5 * (2.0 * x - y).sin() * y.cos());
    stepper
        .set_densities(ctx, &to_f32(&mu), &to_f32(&nu))
        .unwrap();
    let h = cell(shape);
    let masses = |st: &mflda::dynamics::Stepper| {
        let s = st.read_state(ctx).unwrap();
        let (m, n) = st.densities(ctx).unwrap();
        let sum = |v: &[f32]| v.iter().map(|&x| x as f64).sum::<f64>() * h;
        let zero = [coeff(&s, shape, 0, [0, 0]), coeff(&s, shape, 1, [0, 0])];
        ([zero[0] * h, zero[1] * h], [sum(&m), sum(&n)])
    };
    let (spec0, grid0) = masses(&stepper);
    let mut log = vec![];
    let mut worst: f64 = 0.0;
    for i in 1..=steps / every {
        advance(ctx, &stepper, every);
        let (spec, grid) = masses(&stepper);
        let s = stepper.read_state(ctx).unwrap();
        assert!(
            s.iter().all(|v| v.is_finite()),
            "non-finite state at step {}",
            i * every
        );
        for f in 0..2 {
            let e_spec = (spec[f] - spec0[f]).norm() / spec0[f].norm();
            let e_grid = (grid[f] - grid0[f]).abs() / grid0[f];
            worst = worst.max(e_spec).max(e_grid);
        }
        log.push(format!(
            "step {}: spectral masses {:.9} {:.9}, grid masses {:.9} {:.9}",
            i * every,
            spec[0],
            spec[1],
            grid[0],
            grid[1]
        ));
    }
    let (m_end, n_end) = stepper.densities(ctx).unwrap();
    let change = rel_l2(&m_end, &to_f32(&mu)).max(rel_l2(&n_end, &to_f32(&nu)));
    let what = format!(
        "start spectral {:.9} {:.9}, grid {:.9} {:.9}\n{}\nworst relative mass change {worst:e}; \
         densities moved by {change:.3e} (relative L2)",
        spec0[0],
        spec0[1],
        grid0[0],
        grid0[1],
        log.join("\n")
    );
    eprintln!("{what}");
    assert!(worst < 1e-6, "{what}");
    // The run is not trivially static: the densities changed a lot.
    assert!(change > 0.1, "{what}");
}

/// The state at `t_end` after `steps` steps of `scheme` on a 1D grid of 64
/// points, from fixed densities far from the equilibrium.
fn order_run(game: &Game<'_>, tau: f64, scheme: Scheme, t_end: f64, steps: u32) -> Vec<f32> {
    let ctx = ctx();
    let shape = Shape::line(64);
    let mu = to_f32(&density(shape, |x, _| {
        (1.5 * x.cos() + 0.8 * (2.0 * x).sin()).exp()
    }));
    let nu = to_f32(&density(shape, |x, _| {
        (-1.2 * (x + 1.0).sin() + 0.6 * (3.0 * x).cos()).exp()
    }));
    let dt = t_end / steps as f64;
    let p = problem(ctx, params(shape, tau, 1.0, dt, scheme), game);
    let stepper = p.stepper(ctx).unwrap();
    stepper.set_densities(ctx, &mu, &nu).unwrap();
    advance(ctx, &stepper, steps);
    let state = stepper.read_state(ctx).unwrap();
    assert!(
        state.iter().all(|v| v.is_finite()),
        "{scheme:?} dt {dt}: non-finite state"
    );
    state
}

/// ETDRK4 is fourth order and ETDRK2 second order on a smooth, strongly
/// nonlinear 1D game. The problem: kernel 3 cos z + 2 sin 2z, potentials
/// 1.5 cos x and 1.2 sin 2y, tau = 0.2, T = 1, from densities far from the
/// equilibrium (exp of order-one Fourier sums). The payoff is strong so that the
/// ETDRK4 errors at dt = T/4 .. T/16 (1.5e-2 .. 6.5e-5) lie well above the f32
/// round-off floor of the comparison (about 1e-6 relative, reached near
/// dt = T/32..T/64); with a weaker payoff (amplitudes ~1) e(T/16) is already
/// ~1e-5, too close to that floor to measure an order. The reference is ETDRK4
/// at dt = T/256 (its own error ~1e-9). Orders are judged only on pairs whose
/// two errors both exceed 1e-5 (ten times the floor), and at least two such
/// pairs are required.
#[test]
fn etdrk4_is_fourth_order_and_etdrk2_second_order() {
    let game = Game::new(
        "3.0 * cos(z.x) + 2.0 * sin(2.0 * z.x)",
        "1.5 * cos(x.x)",
        "1.2 * sin(2.0 * y.x)",
    );
    let (tau, t_end) = (0.2, 1.0);
    let reference = order_run(&game, tau, Scheme::Etdrk4, t_end, 256);
    for (scheme, min_order) in [(Scheme::Etdrk4, 3.5), (Scheme::Etdrk2, 1.8)] {
        // (dt, relative L2 error of the whole state [mu^, nu^] at t_end)
        let e: Vec<(f64, f64)> = [4u32, 8, 16, 32]
            .iter()
            .map(|&n| {
                let state = order_run(&game, tau, scheme, t_end, n);
                (t_end / n as f64, rel_l2(&state, &reference))
            })
            .collect();
        let pairs: Vec<(f64, f64, f64)> = e
            .windows(2)
            .map(|w| (w[0].0, w[0].1.min(w[1].1), (w[0].1 / w[1].1).log2()))
            .collect();
        let what = format!(
            "{scheme:?}: (dt, relative error) {:?}; observed orders {:?}",
            e.iter()
                .map(|(dt, err)| format!("({dt}, {err:.3e})"))
                .collect::<Vec<_>>(),
            pairs
                .iter()
                .map(|p| format!("{:.3}", p.2))
                .collect::<Vec<_>>()
        );
        eprintln!("{what}");
        let judged: Vec<&(f64, f64, f64)> = pairs.iter().filter(|p| p.1 > 1e-5).collect();
        assert!(
            judged.len() >= 2,
            "{what}: fewer than two pairs above the round-off floor"
        );
        for p in judged {
            assert!(
                p.2 >= min_order,
                "{what}: order {:.3} < {min_order} between dt = {} and {}",
                p.2,
                p.0,
                p.0 / 2.0
            );
        }
    }
}

/// With K = a(x) + b(y) the players follow two linear Fokker-Planck equations:
/// from the uniform start they converge to exp(-a/tau)/Z and exp(b/tau)/Z.
#[test]
fn decoupled_potentials_converge_to_their_gibbs_densities() {
    let ctx = ctx();
    let shape = Shape::line(64);
    let tau = 0.3;
    let game = Game::new("0.0", "0.5 * cos(x.x)", "0.3 * sin(y.x)");
    let (dt, chunk, chunks) = (0.1, 100u32, 8u32);
    let p = problem(ctx, params(shape, tau, 1.0, dt, Scheme::Etdrk4), &game);
    let stepper = p.stepper(ctx).unwrap();
    let uniform = to_f32(&density(shape, |_, _| 1.0));
    stepper.set_densities(ctx, &uniform, &uniform).unwrap();
    let want_mu = gibbs(shape, |x, _| -0.5 * x.cos() / tau);
    let want_nu = gibbs(shape, |x, _| 0.3 * x.sin() / tau);
    let max_rel = |got: &[f32], want: &[f64]| {
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        got.iter()
            .zip(want)
            .map(|(g, w)| (*g as f64 - w).abs())
            .fold(0.0, f64::max)
            / scale
    };
    let mut log = vec![];
    let mut last = (0.0, 0.0);
    for i in 1..=chunks {
        advance(ctx, &stepper, chunk);
        let (mu, nu) = stepper.densities(ctx).unwrap();
        last = (max_rel(&mu, &want_mu), max_rel(&nu, &want_nu));
        log.push(format!(
            "t = {:.0}: {:.2e} {:.2e}",
            (i * chunk) as f64 * dt,
            last.0,
            last.1
        ));
    }
    let what = format!(
        "max-norm relative errors (mu, nu) to the Gibbs densities: {}",
        log.join("; ")
    );
    eprintln!("{what}");
    assert!(last.0 < 1e-5 && last.1 < 1e-5, "{what}");
}

/// Near a coupled equilibrium the distance decays exponentially at a steady
/// rate all the way down to f32 round-off; it must not level off early, as it
/// would against an inaccurate equilibrium (docs/MATHEMATICS.md section 4).
///
/// The game (kernel, both potentials) has period pi, so the equilibrium is
/// pi-periodic and the cos(2x) perturbation stays in the class of pi-periodic
/// perturbations, where it is the lowest mode. The potentials are moderate
/// (a / tau swings by +-1) so the equilibrium is clearly non-uniform while the
/// slowest eigen-pair dominates from the start: with a generic game the L2
/// distance mixes several eigenmodes (fast transients, beating of complex
/// pairs) and its local rate wanders by tens of percent before round-off.
#[test]
fn decay_to_the_equilibrium_continues_to_round_off() {
    let ctx = ctx();
    let shape = Shape::line(64);
    let (tau, dt, every, samples) = (0.2, 0.05, 2u32, 150usize);
    let game = Game::new(
        "cos(2.0 * z.x) + 0.8 * sin(2.0 * z.x)",
        "0.2 * cos(2.0 * x.x)",
        "0.15 * sin(2.0 * y.x)",
    );
    let p = problem(ctx, params(shape, tau, 1.0, dt, Scheme::Etdrk4), &game);
    let opts = common::eq_options(&p, 1e-8);
    let (solver, report) = p.equilibrium(ctx, &opts).unwrap();
    assert!(
        report.stop != Stop::MaxIterations && report.residual < 1e-5,
        "equilibrium: {report:?}"
    );
    let (emu, enu) = solver.densities(ctx).unwrap();
    let start = |e: &[f32]| {
        let v = e
            .iter()
            .zip(points(shape))
            .map(|(&r, (x, _))| r as f64 * (1.0 + 1e-3 * (2.0 * x).cos()))
            .collect();
        to_f32(&normalise(shape, v))
    };
    let stepper = p.stepper(ctx).unwrap();
    stepper
        .set_densities(ctx, &start(&emu), &start(&enu))
        .unwrap();
    let h = cell(shape);
    let sq = |a: &[f32], b: Option<&[f32]>| {
        a.iter()
            .enumerate()
            .map(|(i, &x)| (x as f64 - b.map_or(0.0, |b| b[i] as f64)).powi(2))
            .sum::<f64>()
            * h
    };
    // Distances relative to the density scale ||(mu*, nu*)||_L2.
    let scale = (sq(&emu, None) + sq(&enu, None)).sqrt();
    let (mut t, mut dist) = (vec![], vec![]);
    for i in 0..=samples {
        if i > 0 {
            advance(ctx, &stepper, every);
        }
        let (mu, nu) = stepper.densities(ctx).unwrap();
        t.push(i as f64 * every as f64 * dt);
        dist.push((sq(&mu, Some(&emu)) + sq(&nu, Some(&enu))).sqrt() / scale);
    }
    let sequence = t
        .iter()
        .zip(&dist)
        .step_by(5)
        .map(|(t, d)| format!("{t:.1}: {d:.2e}"))
        .collect::<Vec<_>>()
        .join(", ");
    // 100 times the f32 floor of ~1e-7 relative.
    let target = 1e-5;
    let Some(end) = dist.iter().position(|&d| d < target) else {
        panic!(
            "the distance levelled off above {target:e} (100x the f32 floor); \
             equilibrium residual {:e}; distances {sequence}",
            report.residual
        );
    };
    let logs: Vec<f64> = dist.iter().map(|d| d.ln()).collect();
    let k = end / 3;
    let first = fit_line(&t[..k], &logs[..k]);
    let middle = fit_line(&t[k..2 * k], &logs[k..2 * k]);
    let (r1, r2) = (-first.slope, -middle.slope);
    let what = format!(
        "equilibrium residual {:.2e} ({:?}); distance reaches {target:e} at t = {:.1}; \
         rates on the first third {r1:.4} (rms {:.1e}), middle third {r2:.4} (rms {:.1e}), \
         relative difference {:.2e}; final distance {:.2e}; distances {sequence}",
        report.residual,
        report.stop,
        t[end],
        first.rms,
        middle.rms,
        (r2 / r1 - 1.0).abs(),
        dist[samples]
    );
    eprintln!("{what}");
    assert!(k >= 5, "too few samples before {target:e}: {what}");
    assert!(r1 > 0.1 && (r2 / r1 - 1.0).abs() < 0.1, "{what}");
}
