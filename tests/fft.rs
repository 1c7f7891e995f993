//! GPU FFT against the CPU f64 reference (rustfft), on fresh random data.

mod common;

use common::{ctx, random, rng};
use mflda::fft::cpu::{self, relative_l2, to_complex};
use mflda::fft::{Direction, FftPlan};
use mflda::gpu::{Elem, GpuField, Shape};

const TOL: f64 = 1e-5;

/// GPU transform of `data` (interleaved pairs) in direction `dir`.
fn gpu_fft(shape: Shape, batch: u32, data: &[f32], dir: Direction) -> Vec<f32> {
    let ctx = ctx();
    let plan = FftPlan::new(ctx, shape, batch).unwrap();
    let field = GpuField::from_data(ctx, "test.field", shape, batch, Elem::Complex, data).unwrap();
    let binding = plan.bind(ctx, &field).unwrap();
    plan.run(ctx, &binding, dir);
    let out = field.read(ctx).unwrap();
    ctx.take_errors().unwrap();
    out
}

fn check(shape: Shape, batch: u32, name: &str) {
    let mut rng = rng(&format!("{name}-{shape}-{batch}"));
    let data = random(&mut rng, shape.len() * batch as usize * 2);
    for dir in [Direction::Forward, Direction::Inverse] {
        let mut want = to_complex(&data);
        cpu::fft(&mut want, shape, batch as usize, dir);
        let got = gpu_fft(shape, batch, &data, dir);
        let err = relative_l2(&got, &want);
        assert!(
            err < TOL,
            "{dir:?} {shape} x{batch}: relative L2 error {err:e}"
        );
    }
}

#[test]
fn one_dimensional_all_sizes_2_to_1024() {
    for l in 1..=10 {
        check(Shape::line(1 << l), 1, "1d");
    }
}

#[test]
fn one_dimensional_large() {
    for n in [2048, 4096, 8192] {
        check(Shape::line(n), 2, "1d-large");
    }
}

#[test]
fn two_dimensional_up_to_256() {
    for l in 1..=8 {
        check(Shape::square(1 << l), 1, "2d");
    }
}

#[test]
fn batched_and_rectangular() {
    check(Shape::square(64), 3, "batch");
    check(Shape { n1: 32, n2: 128 }, 2, "rect");
    check(Shape { n1: 256, n2: 4 }, 2, "rect");
}
