//! Divan benches of one time step of the default coupled game (all payoff
//! terms), for comparing commits on the same adapter (the software adapter
//! included). Each sample submits one step in one compute pass, as the run
//! loop records it, and waits, so small sizes measure submission latency as
//! well; `mflda bench step` gives GPU-timestamp figures against the copy floor
//! with a per-kernel breakdown.

use std::sync::OnceLock;

use mflda::config::{Config, Scheme};
use mflda::gpu::{AdapterRequest, GpuContext};
use mflda::Problem;

fn main() {
    divan::main();
}

fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| GpuContext::new(&AdapterRequest::default()).expect("a GPU adapter"))
}

/// Times one step of `scheme` on an `n` x `n` grid from the uniform densities.
fn step(bencher: divan::Bencher, n: u32, scheme: Scheme) {
    let ctx = ctx();
    let mut config = Config::embedded_default();
    config.grid.n = n;
    config.time.scheme = scheme;
    let problem = Problem::from_config(ctx, &config).expect("problem");
    let stepper = problem.stepper(ctx).expect("stepper");
    let area = problem.params.length.powi(2);
    let uniform = vec![(1.0 / area) as f32; problem.params.shape.len()];
    stepper
        .set_densities(ctx, &uniform, &uniform)
        .expect("densities");
    bencher
        .counter(divan::counter::BytesCount::new(stepper.bytes_moved()))
        .bench(|| {
            stepper.advance(ctx, 1);
            ctx.wait().expect("GPU work");
        });
}

#[divan::bench(args = [32, 64, 128], sample_count = 10)]
fn etdrk2_step(bencher: divan::Bencher, n: u32) {
    step(bencher, n, Scheme::Etdrk2);
}

#[divan::bench(args = [32, 64, 128], sample_count = 10)]
fn etdrk4_step(bencher: divan::Bencher, n: u32) {
    step(bencher, n, Scheme::Etdrk4);
}
