//! Divan benches of one extragradient iteration of the equilibrium solver on
//! the default game, for comparing commits on the same adapter (the software
//! adapter included). Each sample submits one iteration in one compute pass,
//! as the solver records it, and waits; `mflda bench equilibrium` gives
//! GPU-timestamp figures against the copy floor with a per-kernel breakdown.

use std::sync::OnceLock;

use mflda::config::Config;
use mflda::equilibrium::EquilibriumSolver;
use mflda::gpu::{AdapterRequest, GpuContext};
use mflda::Problem;

fn main() {
    divan::main();
}

fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| GpuContext::new(&AdapterRequest::default()).expect("a GPU adapter"))
}

#[divan::bench(args = [32, 64, 128], sample_count = 10)]
fn extragradient_iteration(bencher: divan::Bencher, n: u32) {
    let ctx = ctx();
    let mut config = Config::embedded_default();
    config.grid.n = n;
    let problem = Problem::from_config(ctx, &config).expect("problem");
    let opts = problem.equilibrium_options(&config.equilibrium);
    let mut solver =
        EquilibriumSolver::new(ctx, &problem.params, &problem.ops, &opts).expect("solver");
    solver.start_uniform(ctx).expect("start");
    let mut parity = 0;
    bencher
        .counter(divan::counter::BytesCount::new(
            solver.bytes_per_iteration(),
        ))
        .bench_local(|| {
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            solver.record_iteration(&mut encoder.begin_compute_pass(&Default::default()), parity);
            ctx.queue.submit([encoder.finish()]);
            ctx.wait().expect("GPU work");
            parity = 1 - parity;
        });
}
