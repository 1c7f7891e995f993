//! The device passes of the back-and-forth method against their f64
//! references (src/w2/): the c-transform by lower envelopes.

mod common;

use std::f64::consts::TAU;

use mflda::gpu::field::{read_buffer, storage_init};
use mflda::gpu::Shape;
use mflda::w2::envelope::c_transform;
use mflda::w2::envelope_gpu::CTransformGpu;

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
            let worst = got
                .iter()
                .zip(&want)
                .map(|(g, w)| (f64::from(*g) - w).abs())
                .fold(0.0, f64::max);
            assert!(
                worst <= 5e-7 * scale,
                "{shape}, rough {rough}: worst error {worst:.3e} of scale {scale:.2}"
            );
            eprintln!("{shape}, rough {rough}: {:.2e} of the scale", worst / scale);
        }
    }
}
