//! Shared test helpers: one GPU context per test binary, seeded random data.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use mflda::config::Scheme;
use mflda::dynamics::Params;
use mflda::equilibrium::EquilibriumOptions;
use mflda::game::{check_expr, ExprKind};
use mflda::gpu::{AdapterRequest, GpuContext, Shape};
use mflda::{Error, Problem};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The context every test of a binary shares (creating devices is slow on lavapipe).
pub fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| {
        GpuContext::new(&AdapterRequest::default()).unwrap_or_else(|e| panic!("no adapter: {e}"))
    })
}

/// A generator seeded from the test's name, so each test draws its own data.
pub fn rng(name: &str) -> ChaCha8Rng {
    let seed = name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    });
    ChaCha8Rng::seed_from_u64(seed)
}

/// `len` uniform values in [-1, 1), none exactly zero.
pub fn random(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len)
        .map(|_| {
            let x: f32 = rng.random_range(-1.0..1.0);
            if x == 0.0 {
                0.5
            } else {
                x
            }
        })
        .collect()
}

/// Coordinates `(x, y)` of the points of the grid `shape` on the 2 pi torus,
/// row-major (`y = 0` in 1D).
pub fn torus_points(shape: Shape) -> impl Iterator<Item = (f64, f64)> {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    let h1 = std::f64::consts::TAU / n1 as f64;
    let h2 = if n2 > 1 {
        std::f64::consts::TAU / n2 as f64
    } else {
        0.0
    };
    (0..n1 * n2).map(move |p| ((p % n1) as f64 * h1, (p / n1) as f64 * h2))
}

/// A smooth random field on the 2 pi torus grid `shape`: `amp` times the sum
/// of six Fourier modes with wave numbers `|m_i| <= max_mode`, amplitudes in
/// [-1, 1) and random phases.
pub fn smooth_field(rng: &mut ChaCha8Rng, shape: Shape, max_mode: i32, amp: f64) -> Vec<f64> {
    let modes: Vec<(f64, f64, f64, f64)> = (0..6)
        .map(|_| {
            let m1 = rng.random_range(-max_mode..=max_mode) as f64;
            let m2 = if shape.n2 > 1 {
                rng.random_range(-max_mode..=max_mode) as f64
            } else {
                0.0
            };
            let a = rng.random_range(-1.0..1.0);
            (m1, m2, a, rng.random_range(0.0..std::f64::consts::TAU))
        })
        .collect();
    torus_points(shape)
        .map(|(x, y)| {
            amp * modes
                .iter()
                .map(|(m1, m2, a, phase)| a * (m1 * x + m2 * y + phase).cos())
                .sum::<f64>()
        })
        .collect()
}

/// Parameters on the 2 pi torus with eta = 1, dt = 0.01, ETDRK4, no de-aliasing.
pub fn params(shape: Shape, tau: f64) -> Params {
    Params {
        shape,
        length: std::f64::consts::TAU,
        tau,
        eta: 1.0,
        dt: 0.01,
        dealias: false,
        scheme: Scheme::Etdrk4,
        fisher_rao: 0.0,
    }
}

/// The message of the expression error `check_expr` must give for `text`,
/// after checking that it names `field`.
pub fn expr_error(field: &str, text: &str, kind: ExprKind) -> String {
    match check_expr(field, text, kind) {
        Err(Error::Expression { field: f, message }) => {
            assert_eq!(f, field);
            let shown = Error::Expression {
                field: f,
                message: message.clone(),
            }
            .to_string();
            assert!(shown.contains(&format!("`{field}`")), "{shown}");
            message
        }
        other => panic!("`{text}`: expected an expression error, got {other:?}"),
    }
}

/// `(column, width)` of the caret line drawn under `line` in `message`.
pub fn caret(message: &str, line: &str) -> (usize, usize) {
    let lines: Vec<&str> = message.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == line)
        .unwrap_or_else(|| panic!("the user's line `{line}` is not shown:\n{message}"));
    let carets = lines[at + 1];
    let col = carets.find('^').expect("no caret");
    let width = carets[col..].chars().take_while(|&c| c == '^').count();
    (col, width)
}

/// Equilibrium options for `p` stopping at residual `tol`: up to 20000
/// iterations, the automatic step, a check every 20 iterations.
pub fn eq_options(p: &Problem, tol: f64) -> EquilibriumOptions {
    EquilibriumOptions {
        tol,
        max_iter: 20_000,
        step: None,
        payoff_sup: p.payoff.as_ref().unwrap().sup_norm_bound,
        check_every: 20,
        anderson: 0,
        interrupt: Default::default(),
    }
}

/// Whether `python3` can import `modules` (comma-separated, e.g. `"numpy,
/// pandas"`). On CI (`CI` set) they must be there: .ci/run installs them, and
/// a check skipped there would be a check that cannot fail.
pub fn python_has(modules: &str) -> bool {
    let have = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        have || std::env::var_os("CI").is_none(),
        "CI needs the Python modules {modules} (see .ci/run)"
    );
    have
}

/// Runs the `mflda` binary with `args` and waits for it.
pub fn mflda(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .output()
        .expect("the mflda binary runs")
}

/// An output's status, stdout and stderr, for assertion messages.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Random Hermitian band coefficients of `modes` modes per axis in `dim`
/// dimensions, `C[-m][-n] = conj C[m][n]` (a real interaction), entries in
/// `[-0.3, 0.3]` (row-major `[box(m)][box(n)]`).
pub fn hermitian_band(rng: &mut ChaCha8Rng, modes: u32, dim: u32) -> Vec<num_complex::Complex64> {
    use num_complex::Complex64 as C64;
    let len = (2 * modes as usize + 1).pow(dim);
    let raw: Vec<C64> = (0..len * len)
        .map(|_| C64::new(rng.random_range(-0.3..0.3), rng.random_range(-0.3..0.3)))
        .collect();
    (0..len * len)
        .map(|k| {
            let (i, j) = (k / len, k % len);
            0.5 * (raw[k] + raw[(len - 1 - i) * len + (len - 1 - j)].conj())
        })
        .collect()
}

/// `max_i |got_i - want_i|` of device values against their f64 reference.
pub fn max_abs_diff(got: &[f32], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "compared arrays differ in length");
    got.iter()
        .zip(want)
        .map(|(g, w)| (f64::from(*g) - w).abs())
        .fold(0.0, f64::max)
}
