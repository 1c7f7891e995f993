//! Algebraic properties of the GPU FFT (round trip, Parseval, linearity, shift
//! theorem), complete output coverage, and the plan's refusals, on fresh random data.

mod common;

use std::f64::consts::PI;

use common::{ctx, random, rng};
use mflda::fft::cpu::{self, relative_l2, to_complex};
use mflda::fft::{Direction, FftPlan};
use mflda::gpu::{Elem, GpuField, Shape};
use num_complex::Complex64;
use rand::Rng;

const TOL: f64 = 1e-5;

/// Runs the GPU transforms `dirs` in turn on `data` (interleaved pairs), starting
/// from a field first filled with `init` when given; returns the read-back field.
fn gpu(shape: Shape, batch: u32, data: &[f32], dirs: &[Direction], init: Option<f32>) -> Vec<f32> {
    let ctx = ctx();
    let plan = FftPlan::new(ctx, shape, batch).unwrap();
    let field = match init {
        Some(v) => {
            let poison = vec![v; data.len()];
            let f = GpuField::from_data(ctx, "test.field", shape, batch, Elem::Complex, &poison)
                .unwrap();
            f.write(ctx, data).unwrap();
            f
        }
        None => GpuField::from_data(ctx, "test.field", shape, batch, Elem::Complex, data).unwrap(),
    };
    let binding = plan.bind(ctx, &field).unwrap();
    for &dir in dirs {
        plan.run(ctx, &binding, dir);
    }
    let out = field.read(ctx).unwrap();
    ctx.take_errors().unwrap();
    out
}

fn forward(shape: Shape, batch: u32, data: &[f32]) -> Vec<Complex64> {
    to_complex(&gpu(shape, batch, data, &[Direction::Forward], None))
}

/// `||a - b|| / ||b||` in f64.
fn rel_l2(a: &[Complex64], b: &[Complex64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y).norm_sqr()).sum();
    let den: f64 = b.iter().map(|y| y.norm_sqr()).sum();
    (num / den).sqrt()
}

fn random_complex(rng: &mut impl Rng) -> Complex64 {
    Complex64::new(rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0))
}

#[test]
fn round_trip_recovers_input() {
    let shapes = [2, 16, 1024, 8192]
        .map(Shape::line)
        .into_iter()
        .chain([4, 128, 256].map(Shape::square));
    for shape in shapes {
        let mut rng = rng(&format!("round_trip-{shape}"));
        let data = random(&mut rng, shape.len() * 2 * 2);
        let dirs = [Direction::Forward, Direction::Inverse];
        let got = gpu(shape, 2, &data, &dirs, None);
        let err = relative_l2(&got, &to_complex(&data));
        assert!(err < TOL, "{shape} x2: round trip relative L2 {err:e}");
    }
}

#[test]
fn parseval_per_field() {
    let cases = [
        (Shape::line(1024), 3),
        (Shape::square(64), 3),
        (Shape { n1: 128, n2: 16 }, 2),
        (Shape { n1: 8, n2: 256 }, 2),
    ];
    for (shape, batch) in cases {
        let mut rng = rng(&format!("parseval-{shape}-{batch}"));
        let data = random(&mut rng, shape.len() * batch * 2);
        let x = to_complex(&data);
        let spec = forward(shape, batch as u32, &data);
        let n = shape.len();
        for (f, (xf, sf)) in x.chunks_exact(n).zip(spec.chunks_exact(n)).enumerate() {
            let ex: f64 = xf.iter().map(|v| v.norm_sqr()).sum::<f64>() * n as f64;
            let es: f64 = sf.iter().map(|v| v.norm_sqr()).sum();
            let err = (es - ex).abs() / ex;
            assert!(
                err < TOL,
                "{shape} field {f}: sum|X|^2 = {es}, N sum|x|^2 = {ex}, rel {err:e}"
            );
        }
    }
}

#[test]
fn linearity() {
    let shape = Shape::square(64);
    let batch = 2;
    let mut rng = rng("linearity");
    let len = shape.len() * batch as usize * 2;
    let x = random(&mut rng, len);
    let y = random(&mut rng, len);
    let (a, b) = (random_complex(&mut rng), random_complex(&mut rng));
    let z: Vec<f32> = to_complex(&x)
        .iter()
        .zip(to_complex(&y))
        .flat_map(|(u, v)| {
            let w = a * u + b * v;
            [w.re as f32, w.im as f32]
        })
        .collect();
    let (fx, fy, fz) = (
        forward(shape, batch, &x),
        forward(shape, batch, &y),
        forward(shape, batch, &z),
    );
    let want: Vec<Complex64> = fx.iter().zip(&fy).map(|(u, v)| a * u + b * v).collect();
    let err = rel_l2(&fz, &want);
    assert!(err < TOL, "a = {a}, b = {b}: relative L2 {err:e}");
}

#[test]
fn shift_theorem() {
    for shape in [Shape { n1: 64, n2: 32 }, Shape::line(256)] {
        let batch = 2;
        let mut rng = rng(&format!("shift-{shape}"));
        let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
        let data = random(&mut rng, n1 * n2 * batch * 2);
        let s1 = rng.random_range(1..n1);
        let s2 = if n2 > 1 { rng.random_range(1..n2) } else { 0 };
        let x = to_complex(&data);
        let mut shifted = Vec::with_capacity(data.len());
        for f in 0..batch {
            for j2 in 0..n2 {
                for j1 in 0..n1 {
                    let src = f * n1 * n2 + ((j2 + n2 - s2) % n2) * n1 + (j1 + n1 - s1) % n1;
                    shifted.extend([x[src].re as f32, x[src].im as f32]);
                }
            }
        }
        let spec = forward(shape, batch as u32, &data);
        let got = forward(shape, batch as u32, &shifted);
        let want: Vec<Complex64> = spec
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let p = i % (n1 * n2);
                let (m1, m2) = (p % n1, p / n1);
                let phase =
                    -2.0 * PI * ((m1 * s1) as f64 / n1 as f64 + (m2 * s2) as f64 / n2 as f64);
                v * Complex64::from_polar(1.0, phase)
            })
            .collect();
        let err = rel_l2(&got, &want);
        assert!(err < TOL, "{shape} shift ({s1}, {s2}): relative L2 {err:e}");
    }
}

#[test]
fn every_output_element_written() {
    let cases = [
        (Shape::line(1024), 2),
        (Shape::line(8), 3),
        (Shape::square(64), 1),
        (Shape { n1: 32, n2: 8 }, 2),
        (Shape::square(16), 3),
    ];
    for (shape, batch) in cases {
        let mut rng = rng(&format!("poison-{shape}-{batch}"));
        let data = random(&mut rng, shape.len() * batch * 2);
        let got = gpu(
            shape,
            batch as u32,
            &data,
            &[Direction::Forward],
            Some(f32::NAN),
        );
        if let Some(i) = got.iter().position(|v| !v.is_finite()) {
            panic!("{shape} x{batch}: float {i} is {} after the FFT", got[i]);
        }
        let mut want = to_complex(&data);
        cpu::fft(&mut want, shape, batch, Direction::Forward);
        let err = relative_l2(&got, &want);
        assert!(err < TOL, "{shape} x{batch}: relative L2 {err:e}");
        let max = want.iter().map(|v| v.norm()).fold(0.0, f64::max);
        let (worst, at) = to_complex(&got)
            .iter()
            .zip(&want)
            .map(|(g, w)| (g - w).norm())
            .enumerate()
            .fold(
                (0.0, 0),
                |(m, at), (i, e)| if e > m { (e, i) } else { (m, at) },
            );
        assert!(
            worst < 1e-4 * max,
            "{shape} x{batch}: element {at} off by {worst:e} (max |X| = {max})"
        );
    }
}

#[test]
fn plan_refuses_wrong_fields_and_shapes() {
    let ctx = ctx();
    let shape = Shape::square(16);
    let plan = FftPlan::new(ctx, shape, 1).unwrap();
    let mut rng = rng("plan_refuses");
    let field = |shape: Shape, batch: u32, elem: Elem, rng: &mut _| {
        let len = shape.len() * batch as usize * (elem.bytes() as usize / 4);
        GpuField::from_data(ctx, "test.field", shape, batch, elem, &random(rng, len)).unwrap()
    };
    let good = field(shape, 1, Elem::Complex, &mut rng);
    assert!(plan.bind(ctx, &good).is_ok(), "the right field is refused");
    let big = field(Shape::square(32), 1, Elem::Complex, &mut rng);
    assert!(plan.bind(ctx, &big).is_err(), "a 32x32 field is accepted");
    let real = field(shape, 1, Elem::Real, &mut rng);
    assert!(plan.bind(ctx, &real).is_err(), "a real field is accepted");
    let two = field(shape, 2, Elem::Complex, &mut rng);
    assert!(plan.bind(ctx, &two).is_err(), "a batch of 2 is accepted");
    let rect = field(Shape { n1: 8, n2: 32 }, 1, Elem::Complex, &mut rng);
    assert!(plan.bind(ctx, &rect).is_err(), "a 32x8 field is accepted");

    for bad in [Shape::line(3), Shape { n1: 16, n2: 12 }, Shape::line(1)] {
        match FftPlan::new(ctx, bad, 1) {
            Ok(_) => panic!("a plan for {bad} was built"),
            Err(e) => assert!(e.to_string().contains("power"), "{bad}: {e}"),
        }
    }
    assert!(
        FftPlan::new(ctx, shape, 0).is_err(),
        "a batch of 0 is accepted"
    );
    ctx.take_errors().unwrap();
}

#[test]
fn too_large_for_device_is_a_clear_error() {
    let ctx = ctx();
    let shape = Shape::line(1 << 20);
    let max = mflda::fft::stockham::max_fft_len(ctx);
    assert!(max < 1 << 20, "device claims to fit a 2^20 line ({max})");
    match FftPlan::new(ctx, shape, 1) {
        Ok(_) => panic!("a plan for {shape} was built"),
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains("workgroup"), "message: {text}");
            assert!(text.contains(&max.to_string()), "message: {text}");
        }
    }
    // A 2D grid whose columns are too long is refused the same way.
    let tall = Shape { n1: 2, n2: 1 << 20 };
    let text = FftPlan::new(ctx, tall, 1).unwrap_err().to_string();
    assert!(text.contains("workgroup"), "message: {text}");
}
