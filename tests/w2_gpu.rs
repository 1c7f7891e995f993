//! The device passes of the back-and-forth method against their f64
//! references (src/w2/): the c-transform by lower envelopes, the
//! push-forward by fixed-point deposits, the H^1 gradient step by FFT.

mod common;

use std::f64::consts::TAU;

use mflda::gpu::field::{read_buffer, storage_init};
use mflda::gpu::Shape;
use mflda::w2::bfm_cpu::{inverse_laplacian, push_forward};
use mflda::w2::envelope::c_transform;
use mflda::w2::envelope_gpu::CTransformGpu;
use mflda::w2::h1_step_gpu::H1StepGpu;
use mflda::w2::push_gpu::PushGpu;

/// The c-transform of f32 data on the device against the f64 transform of
/// the same data: within 5e-7 of the values' scale (`max |phi| + L^2 / 8`,
/// a few f32 roundings of it; measured below 1e-7), on smooth and on rough
/// potentials, squares of even and odd sides and the circle.
#[test]
fn the_device_c_transform_matches_the_f64_one() {
    let ctx = common::ctx();
    let mut rng = common::rng("c_transform");
    for shape in [
        Shape::square(64),
        Shape::square(45),
        Shape::line(128),
        Shape::line(7),
    ] {
        for rough in [0.0, 0.3] {
            let smooth = common::smooth_field(&mut rng, shape, 3, 2.0);
            let noise = common::random(&mut rng, shape.len());
            let phi: Vec<f32> = smooth
                .iter()
                .zip(&noise)
                .map(|(s, r)| (*s + rough * f64::from(*r)) as f32)
                .collect();
            let bytes = 4 * shape.len() as u64;
            let input = storage_init(ctx, "phi", bytemuck::cast_slice(&phi), true);
            let out = storage_init(ctx, "phi_c", &vec![0u8; bytes as usize], true);
            let t = CTransformGpu::new(ctx, shape, TAU, &input, &out).unwrap();
            assert_eq!(t.dispatches(), if shape.n2 > 1 { 2 } else { 1 });
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            t.record(&mut encoder.begin_compute_pass(&Default::default()));
            ctx.queue.submit([encoder.finish()]);
            let got = read_buffer(ctx, &out, bytes).unwrap();
            let phi64: Vec<f64> = phi.iter().map(|&v| f64::from(v)).collect();
            let want = c_transform(&phi64, shape, TAU);
            let scale = phi64.iter().fold(0.0f64, |m, v| m.max(v.abs())) + TAU * TAU / 8.0;
            let worst = common::max_abs_diff(&got, &want);
            assert!(
                worst <= 5e-7 * scale,
                "{shape}, rough {rough}: worst error {worst:.3e} of scale {scale:.2}"
            );
            eprintln!("{shape}, rough {rough}: {:.2e} of the scale", worst / scale);
        }
    }
}

/// A unit-mass density and a potential moving it by up to a few cells.
fn pair(rng: &mut rand_chacha::ChaCha8Rng, shape: Shape) -> (Vec<f32>, Vec<f32>) {
    let h = TAU / f64::from(shape.n1);
    let cell = h.powi(shape.dim() as i32);
    let raw: Vec<f64> = common::smooth_field(rng, shape, 3, 0.8)
        .iter()
        .map(|v| v.exp())
        .collect();
    let mass: f64 = raw.iter().sum::<f64>() * cell;
    let rho = raw.iter().map(|v| (v / mass) as f32).collect();
    let psi = common::smooth_field(rng, shape, 2, 0.3)
        .iter()
        .map(|&v| v as f32)
        .collect();
    (rho, psi)
}

/// The device push-forward against the f64 one of the same f32 data: within
/// 5e-6 of the largest pushed value (f32 displacements; measured below
/// 1.5e-6), of unit mass, and the same bits on a second run.
#[test]
fn the_device_push_forward_matches_the_f64_one_and_repeats_bit_for_bit() {
    let ctx = common::ctx();
    let mut rng = common::rng("push_forward");
    for shape in [Shape::square(64), Shape::square(33), Shape::line(200)] {
        let (rho, psi) = pair(&mut rng, shape);
        let bytes = 4 * shape.len() as u64;
        let rho_b = storage_init(ctx, "rho", bytemuck::cast_slice(&rho), true);
        let psi_b = storage_init(ctx, "psi", bytemuck::cast_slice(&psi), true);
        let out = storage_init(ctx, "pushed", &vec![0u8; bytes as usize], true);
        let push = PushGpu::new(ctx, shape, TAU, &rho_b, &psi_b, &out).unwrap();
        let run = || {
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            push.record(&mut encoder.begin_compute_pass(&Default::default()));
            ctx.queue.submit([encoder.finish()]);
            read_buffer(ctx, &out, bytes).unwrap()
        };
        let got = run();
        let again = run();
        assert!(
            got.iter()
                .zip(&again)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{shape}: a second push differs"
        );
        let f64s = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
        let want = push_forward(&f64s(&rho), &f64s(&psi), shape, TAU);
        let top = want.iter().fold(0.0f64, |m, v| m.max(*v));
        let worst = common::max_abs_diff(&got, &want);
        let cell = (TAU / f64::from(shape.n1)).powi(shape.dim() as i32);
        let mass: f64 = got.iter().map(|&v| f64::from(v)).sum::<f64>() * cell;
        eprintln!(
            "{shape}: {:.2e} of the top, mass - 1 = {:.1e}",
            worst / top,
            mass - 1.0
        );
        assert!(
            worst <= 5e-6 * top,
            "{shape}: worst {worst:.3e} of {top:.3e}"
        );
        assert!((mass - 1.0).abs() < 1e-5, "{shape}: mass {mass}");
    }
}

/// The device gradient step `phi + sigma (-Lap_h)^-1 (target - pushed)`
/// against the f64 one of the same f32 data: within 1e-5 of the step's
/// largest value (f32 FFTs of white noise; measured below 4e-6) plus an f32 rounding of
/// `phi`.
#[test]
fn the_device_h1_step_matches_the_f64_one() {
    let ctx = common::ctx();
    let mut rng = common::rng("h1_step");
    for shape in [Shape::square(64), Shape::line(128)] {
        let len = shape.len();
        let phi = common::random(&mut rng, len);
        let target: Vec<f32> = common::random(&mut rng, len)
            .iter()
            .map(|v| 1.0 + 0.5 * v)
            .collect();
        let pushed: Vec<f32> = common::random(&mut rng, len)
            .iter()
            .map(|v| 1.0 + 0.5 * v)
            .collect();
        let sigma = 0.7f32;
        let buffer =
            |label: &str, v: &[f32]| storage_init(ctx, label, bytemuck::cast_slice(v), true);
        let (t_b, p_b, phi_b) = (
            buffer("target", &target),
            buffer("pushed", &pushed),
            buffer("phi", &phi),
        );
        let s_b = buffer("sigma", &[sigma]);
        let step = H1StepGpu::new(ctx, shape, TAU, &t_b, &p_b, &phi_b, &s_b).unwrap();
        assert!(step.dispatches() >= 4);
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        step.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let got = read_buffer(ctx, &phi_b, 4 * len as u64).unwrap();
        let r: Vec<f64> = target
            .iter()
            .zip(&pushed)
            .map(|(a, b)| f64::from(*a) - f64::from(*b))
            .collect();
        let d = inverse_laplacian(&r, shape, TAU);
        let top = d.iter().fold(0.0f64, |m, v| m.max(v.abs())) * f64::from(sigma);
        let mut worst = 0.0f64;
        for j in 0..len {
            let want = f64::from(phi[j]) + f64::from(sigma) * d[j];
            let err = (f64::from(got[j]) - want).abs();
            assert!(
                err <= 1e-5 * top + 2.0 * f64::from(f32::EPSILON) * want.abs(),
                "{shape}, point {j}: {} against {want}",
                got[j]
            );
            worst = worst.max(err);
        }
        eprintln!("{shape}: {:.2e} of the step", worst / top);
    }
}
