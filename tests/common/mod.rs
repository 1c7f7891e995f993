//! Shared test helpers: one GPU context per test binary, seeded random data.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use mflda::config::Scheme;
use mflda::dynamics::Params;
use mflda::game::{check_expr, ExprKind};
use mflda::gpu::{AdapterRequest, GpuContext, Shape};
use mflda::Error;
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
