//! Divan benches of the GPU FFT, for comparing commits on the same adapter
//! (the software adapter included). Each sample submits one transform and waits,
//! so small sizes measure submission latency as well; `mflda bench fft` gives
//! GPU-timestamp figures against the copy floor.

use std::sync::OnceLock;

use mflda::bench::copy::CopyKernel;
use mflda::fft::{Direction, FftPlan};
use mflda::gpu::{AdapterRequest, Elem, GpuContext, GpuField, Shape};

fn main() {
    divan::main();
}

fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| GpuContext::new(&AdapterRequest::default()).expect("a GPU adapter"))
}

#[divan::bench(args = [64, 256, 512], sample_count = 10)]
fn fft_2d_forward_inverse(bencher: divan::Bencher, n: u32) {
    let ctx = ctx();
    let shape = Shape::square(n);
    let plan = FftPlan::new(ctx, shape, 1).expect("plan");
    let field = GpuField::zeros(ctx, "bench.field", shape, 1, Elem::Complex).expect("field");
    let binding = plan.bind(ctx, &field).expect("binding");
    bencher
        .counter(divan::counter::BytesCount::new(2 * plan.bytes_moved()))
        .bench(|| {
            plan.run(ctx, &binding, Direction::Forward);
            plan.run(ctx, &binding, Direction::Inverse);
            ctx.wait().expect("GPU work");
        });
}

#[divan::bench(args = [64, 256, 512], sample_count = 10)]
fn copy_bandwidth_floor(bencher: divan::Bencher, n: u32) {
    let ctx = ctx();
    let copy = CopyKernel::new(ctx, Shape::square(n).len() as u64 * 8).expect("copy kernel");
    bencher
        .counter(divan::counter::BytesCount::new(2 * copy.bytes))
        .bench(|| {
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            copy.record(&mut encoder.begin_compute_pass(&Default::default()));
            ctx.queue.submit([encoder.finish()]);
            ctx.wait().expect("GPU work");
        });
}
