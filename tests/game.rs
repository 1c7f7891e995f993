//! User expressions: naga diagnostics against the user's text, sampling on the
//! GPU against f64 CPU evaluations, the band-limited interaction, the payoff and
//! initial densities.

mod common;

use std::f64::consts::PI;

use common::{caret, ctx, expr_error, rng};
use mflda::game::{
    check_expr, check_init, sample_grid, sample_init, sample_pair, BandLimited, ExprKind, Payoff,
    PayoffSpec,
};
use mflda::gpu::Shape;
use mflda::Error;
use num_complex::Complex64;
use rand::Rng;

const L: f64 = 2.0 * PI;

/// max |a - b| / max |b|.
fn rel_err(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((*x as f64 - y).abs()));
    diff / scale
}

/// `f` at every point `(j1 h1, j2 h2)` of `shape`, row-major.
fn on_grid(shape: Shape, length: f64, mut f: impl FnMut([f64; 2]) -> f64) -> Vec<f64> {
    (0..shape.len())
        .map(|i| {
            let j1 = (i % shape.n1 as usize) as f64;
            let j2 = (i / shape.n1 as usize) as f64;
            f([j1 * length / shape.n1 as f64, j2 * length / shape.n2 as f64])
        })
        .collect()
}

#[test]
fn sampling_matches_the_cpu_formula_in_1d_and_2d() {
    let text = "exp(cos(z.x)) * sin(2.0 * z.y) + z.x / L";
    let f = |z: [f64; 2]| z[0].cos().exp() * (2.0 * z[1]).sin() + z[0] / L;
    for shape in [Shape::line(64), Shape::square(32), Shape { n1: 32, n2: 8 }] {
        let got = sample_grid(ctx(), "game.kernel", text, ExprKind::Kernel, shape, L, None)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = rel_err(&got, &on_grid(shape, L, f));
        assert!(err < 1e-5, "{shape}: relative error {err:.3e}");
    }
}

#[test]
fn element_j2_j1_is_the_point_j1_h1_j2_h2() {
    let shape = Shape { n1: 8, n2: 4 };
    let got = sample_grid(
        ctx(),
        "game.potential_mu",
        "x.x + 10.0 * x.y",
        ExprKind::PotentialMu,
        shape,
        L,
        None,
    )
    .unwrap();
    for j2 in 0..4 {
        for j1 in 0..8 {
            let want = j1 as f64 * L / 8.0 + 10.0 * j2 as f64 * L / 4.0;
            let v = got[j2 * 8 + j1] as f64;
            assert!(
                (v - want).abs() < 1e-5 * 70.0,
                "[{j2}, {j1}]: {v} != {want}"
            );
        }
    }
}

#[test]
fn init_reads_eq_at_the_same_point() {
    let shape = Shape { n1: 16, n2: 8 };
    let mut r = rng("init_reads_eq_at_the_same_point");
    let eq: Vec<f32> = (0..shape.len()).map(|_| r.random_range(0.1..2.0)).collect();
    let text = "eq * (2.0 + cos(x.x)) + 0.01 * x.y";
    let got = sample_init(ctx(), "init.mu", text, shape, L, &eq, 0).unwrap();
    let mut i = 0;
    let want = on_grid(shape, L, |x| {
        i += 1;
        eq[i - 1] as f64 * (2.0 + x[0].cos()) + 0.01 * x[1]
    });
    let err = rel_err(&got, &want);
    assert!(err < 1e-5, "relative error {err:.3e}");
}

#[test]
fn unknown_identifier_is_underlined_in_the_users_text() {
    let text = "cos(z.x) + foo(z.y)";
    let msg = expr_error("game.kernel", text, ExprKind::Kernel);
    assert_eq!(caret(&msg, text), (11, 3), "{msg}");
    assert!(msg.contains("`foo`"), "{msg}");
    assert!(!msg.contains("user_value"), "generated code leaked:\n{msg}");
}

#[test]
fn a_variable_of_another_kind_is_not_in_scope() {
    let msg = expr_error("game.kernel", "cos(x.x)", ExprKind::Kernel);
    assert_eq!(caret(&msg, "cos(x.x)"), (4, 1), "{msg}");
    assert!(msg.contains("`z: vec2<f32>`"), "{msg}");
    let msg = expr_error("game.potential_nu", "x.x + y.x", ExprKind::PotentialNu);
    assert_eq!(caret(&msg, "x.x + y.x"), (0, 1), "{msg}");
    let msg = expr_error("init.nu", "eq * z.x", ExprKind::Init);
    assert_eq!(caret(&msg, "eq * z.x"), (5, 1), "{msg}");
    for (text, kind) in [
        ("cos(x.x - y.y) * eq", ExprKind::Interaction),
        ("eq + y.x", ExprKind::Init),
    ] {
        expr_error("f", text, kind);
    }
}

#[test]
fn a_vector_valued_expression_is_a_type_error() {
    for text in ["vec2<f32>(1.0)", "z"] {
        let msg = expr_error("game.kernel", text, ExprKind::Kernel);
        assert_eq!(caret(&msg, text), (0, text.len()), "{msg}");
        assert!(msg.contains("vec2<f32>") && msg.contains("scalar"), "{msg}");
    }
    let msg = expr_error("game.kernel", "z.x + dot(z, 1.0)", ExprKind::Kernel);
    assert_eq!(caret(&msg, "z.x + dot(z, 1.0)").0, 6, "{msg}");
}

#[test]
fn syntax_errors_point_into_the_text() {
    let msg = expr_error("game.kernel", "cos(z.x) + * 2.0", ExprKind::Kernel);
    assert_eq!(caret(&msg, "cos(z.x) + * 2.0").0, 11, "{msg}");
    // Ending early: the caret goes just after the text.
    let msg = expr_error("game.kernel", "cos(z.x) +", ExprKind::Kernel);
    assert_eq!(caret(&msg, "cos(z.x) +").0, 10, "{msg}");
    let msg = expr_error("game.kernel", "cos(z.x\n  + z.w)", ExprKind::Kernel);
    assert_eq!(caret(&msg, "  + z.w)").0, 6, "{msg}");
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn statements_and_empty_text_are_refused() {
    let msg = expr_error("game.kernel", "1.0); return 2.0", ExprKind::Kernel);
    assert_eq!(caret(&msg, "1.0); return 2.0"), (4, 1), "{msg}");
    assert!(msg.contains("single WGSL expression"), "{msg}");
    let evil = "1.0\n); }\nfn evil() -> f32 { return 0.0";
    let msg = expr_error("game.kernel", evil, ExprKind::Kernel);
    assert!(msg.contains("not allowed"), "{msg}");
    for text in ["", "   ", "// a comment only\n", "/* */"] {
        let msg = expr_error("game.potential_mu", text, ExprKind::PotentialMu);
        assert!(msg.contains("empty"), "{text:?}: {msg}");
    }
}

#[test]
fn good_expressions_pass() {
    for (text, kind) in [
        ("cos(z.x) * L / PI // trailing comment", ExprKind::Kernel),
        ("1", ExprKind::Kernel),
        ("f32(z.x > 1.0) + length(z)", ExprKind::Kernel),
        ("select(0.0, 1.0, x.y < L / 2.0)", ExprKind::PotentialMu),
        ("exp(-dot(y, y))", ExprKind::PotentialNu),
        ("cos(x.x + y.y)\n  + 0.5 * sin(x.y)", ExprKind::Interaction),
        ("max(eq, 0.1) * (1.0 + cos(x.x))", ExprKind::Init),
    ] {
        check_expr("f", text, kind).unwrap_or_else(|e| panic!("`{text}`: {e}"));
    }
    assert!(check_init("init.mu", "eq").is_ok());
}

#[test]
fn band_1d_cos_x_plus_y() {
    let band = BandLimited::from_expression(ctx(), "game.interaction", "cos(x.x + y.x)", 1, 1, L)
        .unwrap()
        .expect("not a zero interaction");
    assert_eq!(band.samples_per_axis, 8);
    for i in 0..3 {
        for j in 0..3 {
            let (m, n) = (band.box_mode(i), band.box_mode(j));
            let want = if m[0] == n[0] && m[0] != 0 { 0.5 } else { 0.0 };
            let c = band.coeff(m, n);
            assert!((c - want).norm() < 1e-6, "C_{m:?},{n:?} = {c}");
        }
    }
    assert!(band.truncation_error < 1e-5, "{}", band.truncation_error);
    assert!((band.sup_norm - 1.0).abs() < 1e-6);
}

#[test]
fn band_2d_coefficients_and_eval() {
    let text = "cos(x.x - y.y) + 0.5 * sin(x.y)";
    let k = |x: [f64; 2], y: [f64; 2]| (x[0] - y[1]).cos() + 0.5 * x[1].sin();
    let band = BandLimited::from_expression(ctx(), "game.interaction", text, 2, 2, L)
        .unwrap()
        .unwrap();
    assert_eq!((band.samples_per_axis, band.box_len()), (16, 25));
    let i = Complex64::i();
    let want = |m: [i32; 2], n: [i32; 2]| match (m, n) {
        ([1, 0], [0, -1]) | ([-1, 0], [0, 1]) => Complex64::new(0.5, 0.0),
        ([0, 1], [0, 0]) => -0.25 * i,
        ([0, -1], [0, 0]) => 0.25 * i,
        _ => Complex64::new(0.0, 0.0),
    };
    for a in 0..25 {
        for b in 0..25 {
            let (m, n) = (band.box_mode(a), band.box_mode(b));
            let c = band.coeff(m, n);
            assert!((c - want(m, n)).norm() < 1e-6, "C_{m:?},{n:?} = {c}");
        }
    }
    assert!(band.truncation_error < 1e-5 && band.truncation_l2 < 1e-5);
    let mut r = rng("band_2d_coefficients_and_eval");
    for _ in 0..50 {
        let x = [r.random_range(-L..2.0 * L), r.random_range(0.0..L)];
        let y = [r.random_range(0.0..L), r.random_range(-L..L)];
        let (got, want) = (band.eval(x, y), k(x, y));
        assert!(
            (got - want).abs() < 1e-5,
            "K3{x:?},{y:?} = {got}, K = {want}"
        );
    }
}

#[test]
fn band_truncation_error_of_exp_cos() {
    let text = "exp(cos(x.x - y.x))";
    let coarse = BandLimited::from_expression(ctx(), "game.interaction", text, 1, 2, L)
        .unwrap()
        .unwrap();
    let fine = BandLimited::from_expression(ctx(), "game.interaction", text, 1, 8, L)
        .unwrap()
        .unwrap();
    // The first mode dropped at B = 2 is I_3(1) = 0.0222 (twice, relative to e).
    assert!(
        coarse.truncation_error > 1e-3,
        "{}",
        coarse.truncation_error
    );
    assert!(coarse.truncation_l2 > 1e-3, "{}", coarse.truncation_l2);
    assert!(fine.truncation_error < 1e-5, "{}", fine.truncation_error);
    assert!(fine.truncation_l2 < 1e-5, "{}", fine.truncation_l2);
}

/// I_m(1), the modified Bessel function, by its series.
fn bessel_i_1(m: u32) -> f64 {
    let mut term = (0..m).fold(1.0, |t, k| t * 0.5 / (k + 1) as f64);
    let mut sum = 0.0;
    for k in 0..30 {
        sum += term;
        term *= 0.25 / ((k + 1) as f64 * (k + 1 + m) as f64);
    }
    sum
}

#[test]
fn band_from_f64_samples_matches_bessel_coefficients() {
    // exp(cos(x - y)) = sum_m I_|m|(1) e^{i m x} e^{-i m y}.
    let (b, p) = (3, BandLimited::samples_for(3));
    let h = L / p as f64;
    let samples: Vec<f64> = (0..p * p)
        .map(|i| ((i % p) as f64 * h - (i / p) as f64 * h).cos().exp())
        .collect();
    let band = BandLimited::from_samples(&samples, 1, b, p, L).unwrap();
    for m in -3i32..=3 {
        for n in -3i32..=3 {
            let want = if n == -m {
                bessel_i_1(m.unsigned_abs())
            } else {
                0.0
            };
            let c = band.coeff([m, 0], [n, 0]);
            assert!((c - want).norm() < 1e-12, "C_{m},{n} = {c}, want {want}");
        }
    }
    let all: f64 = (0..20)
        .map(|m| bessel_i_1(m).powi(2) * if m > 0 { 2.0 } else { 1.0 })
        .sum();
    let out: f64 = (4..20).map(|m| 2.0 * bessel_i_1(m).powi(2)).sum();
    let want = (out / all).sqrt();
    assert!(
        (band.truncation_l2 - want).abs() < 1e-6 * want,
        "{} vs {want}",
        band.truncation_l2
    );
}

#[test]
fn payoff_end_to_end_on_a_2d_grid() {
    let spec = PayoffSpec {
        kernel: "exp(cos(z.x) + cos(z.y)) - 1.0",
        potential_mu: "0.3 * sin(x.x)",
        potential_nu: "0.2 * cos(y.y)",
        interaction: "cos(x.x + y.y) - 0.5 * sin(x.y - y.x)",
        interaction_modes: 1,
    };
    let n = 32usize;
    let shape = Shape::square(n as u32);
    let payoff = Payoff::sample(ctx(), &spec, shape, L).unwrap();
    let h = L / n as f64;
    let want_k = on_grid(shape, L, |z| (z[0].cos() + z[1].cos()).exp() - 1.0);
    assert!(rel_err(&payoff.kernel, &want_k) < 1e-5);
    assert!(
        rel_err(
            &payoff.potential_mu,
            &on_grid(shape, L, |x| 0.3 * x[0].sin())
        ) < 1e-5
    );
    assert!(
        rel_err(
            &payoff.potential_nu,
            &on_grid(shape, L, |y| 0.2 * y[1].cos())
        ) < 1e-5
    );
    let band = payoff.band.as_ref().expect("interaction kept");
    assert!(band.truncation_error < 1e-5);
    assert!(!payoff.kernel_is_zero && !payoff.potential_mu_is_zero);
    // The summed payoff K(x_i, y_j), k taken at the grid displacement x_i - y_j.
    let mut max = 0.0f64;
    for i in (0..n * n).step_by(5) {
        for j in (0..n * n).step_by(7) {
            let (i1, i2, j1, j2) = (i % n, i / n, j % n, j / n);
            let l = ((i2 + n - j2) % n) * n + (i1 + n - j1) % n;
            let (x, y) = (
                [i1 as f64 * h, i2 as f64 * h],
                [j1 as f64 * h, j2 as f64 * h],
            );
            let total = payoff.kernel[l] as f64
                + payoff.potential_mu[i] as f64
                + payoff.potential_nu[j] as f64
                + band.eval(x, y);
            max = max.max(total.abs());
        }
    }
    assert!(
        payoff.sup_norm_bound >= max,
        "{} < {max}",
        payoff.sup_norm_bound
    );
    assert!(
        payoff.sup_norm_bound < 4.0 * max,
        "{} vs {max}",
        payoff.sup_norm_bound
    );
}

#[test]
fn payoff_zero_terms_and_checks() {
    let spec = PayoffSpec {
        kernel: "0.0",
        potential_mu: "cos(x.x)",
        potential_nu: "0",
        interaction: " 0.0 ",
        interaction_modes: 4,
    };
    let payoff = Payoff::sample(ctx(), &spec, Shape::line(16), L).unwrap();
    assert!(payoff.band.is_none() && payoff.kernel_is_zero && payoff.potential_nu_is_zero);
    assert!(payoff.kernel.iter().all(|&v| v == 0.0));
    assert!((payoff.sup_norm_bound - 1.0).abs() < 1e-6);
    // Every expression is checked, the interaction included.
    let bad = PayoffSpec {
        interaction: "cos(x.x + z.x)",
        ..spec
    };
    match Payoff::sample(ctx(), &bad, Shape::line(16), L) {
        Err(Error::Expression { field, .. }) => assert_eq!(field, "game.interaction"),
        other => panic!("{other:?}"),
    }
    let wide = PayoffSpec {
        interaction: "cos(x.x + y.x)",
        interaction_modes: 16,
        ..spec
    };
    match wide.check(2) {
        Err(Error::Config { field, message }) => {
            assert_eq!(field, "game.interaction_modes");
            assert!(message.contains("B <= 15"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(wide.check(1).is_ok());
}

fn data_error(result: mflda::Result<Vec<f32>>, field: &str) -> String {
    match result {
        Err(Error::Data { field: f, message }) => {
            assert_eq!(f, field);
            message
        }
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn sample_init_rejects_what_is_not_a_density() {
    let shape = Shape { n1: 16, n2: 4 };
    let eq = vec![1.0 / (L * L) as f32; shape.len()];
    let init = |text: &str| sample_init(ctx(), "init.nu", text, shape, L, &eq, 0);
    let msg = data_error(init("cos(x.x)"), "init.nu");
    assert!(
        msg.contains("negative") && msg.contains("minimum is -1"),
        "{msg}"
    );
    assert!(msg.contains("3.14"), "where the minimum is: {msg}");
    let msg = data_error(init("0.0"), "init.nu");
    assert!(msg.contains("zero everywhere"), "{msg}");
    let msg = data_error(init("-log(x.x)"), "init.nu");
    assert!(
        msg.contains("inf") && msg.contains("(0.000000, 0.000000)"),
        "{msg}"
    );
    let msg = data_error(init("sqrt(-1.0 - x.y)"), "init.nu");
    assert!(msg.to_lowercase().contains("nan"), "{msg}");
    // Round-off below zero is clipped, not refused.
    let ok = init("1.0 + cos(x.x)").unwrap();
    assert!(ok.iter().all(|&v| v >= 0.0));
    let same = init("eq").unwrap();
    assert!(same.iter().zip(&eq).all(|(a, b)| a == b));
}

#[test]
fn non_finite_interaction_is_a_data_error() {
    let r = sample_pair(ctx(), "game.interaction", "1.0 / (x.x - y.x)", 1, 8, L);
    let msg = data_error(r, "game.interaction");
    assert!(
        msg.contains("inf") && msg.contains("x = (0.000000"),
        "{msg}"
    );
}

/// `rand(x)` on a grid with `seed`, through `sample_init` (eq = 1).
#[test]
fn comments_are_masked_and_must_be_closed() {
    // `;` and braces inside comments are not statements; block comments nest.
    for text in [
        "cos(z.x) // one; two {three}",
        "cos(z.x) /* a; /* nested } */ still a comment */ + 1.0",
        "/**/ 1.0",
    ] {
        check_expr("game.kernel", text, ExprKind::Kernel)
            .unwrap_or_else(|e| panic!("`{text}`: {e}"));
    }
    // An open comment would swallow the generated wrapper: refused at the `/*`.
    for (text, col) in [
        ("cos(z.x) /* never closed", 9),
        ("1.0 /* /* nested */ still open", 4),
    ] {
        let msg = expr_error("game.kernel", text, ExprKind::Kernel);
        assert_eq!(caret(&msg, text), (col, 2), "{msg}");
        assert!(msg.contains("never closed") && msg.contains("*/"), "{msg}");
        assert!(!msg.contains("user_"), "generated code leaked:\n{msg}");
    }
    assert!(expr_error("f", "/* /* */", ExprKind::Kernel).contains("never closed"));
    let msg = expr_error("f", "/* */ // nothing", ExprKind::Kernel);
    assert!(msg.contains("empty"), "{msg}");
}

/// `**` is not WGSL: the message points at it and names `pow`.
#[test]
fn a_power_operator_gets_a_pow_hint() {
    let text = "cos(z.x)**2";
    let msg = expr_error("game.kernel", text, ExprKind::Kernel);
    assert_eq!(caret(&msg, text), (8, 2), "{msg}");
    assert!(msg.contains("pow(a, b)"), "{msg}");
}

/// The config of a 1D game on 128 points with this kernel and interaction.
fn warned_config(kernel: &str, interaction: &str, modes: u32) -> mflda::config::Config {
    let mut c = mflda::config::Config::embedded_default();
    c.grid.dim = 1;
    c.grid.n = 128;
    c.game.as_mut().unwrap().kernel = kernel.into();
    c.game.as_mut().unwrap().potential_mu = "0.0".into();
    c.game.as_mut().unwrap().potential_nu = "0.0".into();
    c.game.as_mut().unwrap().interaction = interaction.into();
    c.game.as_mut().unwrap().interaction_modes = modes;
    c
}

/// A band-limited interaction kept with a large truncation error is a
/// warning whose suggested `interaction_modes` really brings the error below
/// 1e-4; one that no bandwidth up to 16 resolves says so; a well resolved
/// one, and a periodic kernel, get no warning.
#[test]
fn truncation_warnings_suggest_modes_that_work() {
    let ctx = ctx();
    let text = "exp(1.5 * cos(x.x - y.x))";
    let c = warned_config("cos(z.x)", text, 2);
    let p = mflda::Problem::from_config(ctx, &c).unwrap();
    let warnings = p.payoff_warnings(ctx, c.game.as_ref().unwrap()).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert!(
        w.starts_with("warning: game.interaction is kept to 2 modes"),
        "{w}"
    );
    let at = w.find("interaction_modes=").expect("a suggestion") + "interaction_modes=".len();
    let modes: u32 = w[at..].split('`').next().unwrap().parse().unwrap();
    assert!((3..=16).contains(&modes), "{w}");
    let fixed = warned_config("cos(z.x)", text, modes);
    let q = mflda::Problem::from_config(ctx, &fixed).unwrap();
    let err = q
        .payoff
        .as_ref()
        .unwrap()
        .band
        .as_ref()
        .unwrap()
        .truncation_error;
    assert!(err < 1e-4, "{modes} modes leave {err:e}");
    assert!(q
        .payoff_warnings(ctx, fixed.game.as_ref().unwrap())
        .unwrap()
        .is_empty());

    // Its modes (k, -3k) need a box of 3k: 16 modes leave 5e-4.
    let sharp = warned_config("cos(z.x)", "exp(2.0 * cos(x.x - 3.0 * y.x))", 2);
    let p = mflda::Problem::from_config(ctx, &sharp).unwrap();
    let w = p
        .payoff_warnings(ctx, sharp.game.as_ref().unwrap())
        .unwrap()
        .join("\n");
    assert!(
        w.contains("6.91e-1") && w.contains("no game.interaction_modes up to 16"),
        "{w}"
    );
}

/// A kernel that is not periodic (`z.x` jumps from L to 0) is a warning
/// naming the key, the expression and the jump.
#[test]
fn a_non_periodic_kernel_is_a_warning() {
    let ctx = ctx();
    let c = warned_config("z.x", "0.0", 2);
    let p = mflda::Problem::from_config(ctx, &c).unwrap();
    let w = p
        .payoff_warnings(ctx, c.game.as_ref().unwrap())
        .unwrap()
        .join("\n");
    assert!(
        w.contains("game.kernel = `z.x` is not periodic") && w.contains("jumps by 6.28"),
        "{w}"
    );
    assert!(w.contains("z.x = L"), "{w}");
}

/// `sin`, `cos` and `tan` in a sampled expression are mflda's own
/// (`shaders/game/shared/trig.wgsl`), within a few f32 ulps of f64 at the
/// same f32 arguments on any adapter, also far outside [-pi, pi] where WGSL
/// promises nothing of the built-ins.
#[test]
fn sampled_trigonometry_is_accurate_to_f32() {
    let shape = Shape::square(64);
    let h = (L / 64.0) as f32;
    // Each term on its own, as text and in f64 at the same f32 argument.
    // The arguments are scaled by powers of two, which is exact: a compiler
    // may reassociate `7.0 * (j1 * H1)` (llvmpipe does), moving the argument
    // by an ulp, which at 40 is 4e-6.
    type Reference = fn(f32, f32) -> f64;
    let terms: [(&str, Reference); 5] = [
        ("sin(8.0 * x.x)", |x, _| f64::from(8.0f32 * x).sin()),
        ("cos(4.0 * x.y)", |_, y| f64::from(4.0f32 * y).cos()),
        ("tan(0.25 * x.x)", |x, _| f64::from(0.25f32 * x).tan()),
        ("cos(32.0 * x.y)", |_, y| f64::from(32.0f32 * y).cos()),
        ("sin(-16.0 * x.x)", |x, _| f64::from(-16.0f32 * x).sin()),
    ];
    for (text, f) in terms {
        let got = sample_grid(
            ctx(),
            "game.potential_mu",
            text,
            ExprKind::PotentialMu,
            shape,
            L,
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut worst = 0.0f64;
        for j2 in 0..64 {
            for j1 in 0..64 {
                let want = f(j1 as f32 * h, j2 as f32 * h);
                worst =
                    worst.max((f64::from(got[j2 * 64 + j1]) - want).abs() / want.abs().max(1.0));
            }
        }
        assert!(worst < 1e-6, "{text}: largest error {worst:.3e}");
    }
}
