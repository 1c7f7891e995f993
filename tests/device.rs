//! Device trouble becomes a clear error, never a panic.

use mflda::fft::{Direction, FftPlan};
use mflda::gpu::{AdapterRequest, Elem, GpuContext, GpuField, Shape};

#[test]
fn a_lost_device_is_reported_with_the_way_to_resume() {
    // A context of its own: the device is destroyed here.
    let ctx = GpuContext::new(&AdapterRequest::default()).unwrap();
    let shape = Shape::square(32);
    let plan = FftPlan::new(&ctx, shape, 1).unwrap();
    let field = GpuField::zeros(&ctx, "test.field", shape, 1, Elem::Complex).unwrap();
    let binding = plan.bind(&ctx, &field).unwrap();
    ctx.device.destroy();
    plan.run(&ctx, &binding, Direction::Forward);
    let err = ctx.wait().unwrap_err().to_string();
    assert!(err.contains("device was lost"), "{err}");
    assert!(err.contains("--resume"), "{err}");
    // Later work fails with an error too.
    assert!(field.read(&ctx).is_err());
}

#[test]
fn a_field_larger_than_a_binding_names_the_size_and_the_limit() {
    let ctx = GpuContext::new(&AdapterRequest::default()).unwrap();
    let max = ctx.max_binding_bytes();
    let side = ((max / 8) as f64).sqrt() as u32 * 2;
    let err = GpuField::zeros(&ctx, "huge", Shape::square(side), 1, Elem::Complex)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("MiB") && err.contains(&(max >> 20).to_string()),
        "{err}"
    );
}
