//! Shared test helpers: one GPU context per test binary, seeded random data.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use mflda::config::Scheme;
use mflda::dynamics::Params;
use mflda::gpu::{AdapterRequest, GpuContext, Shape};
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
