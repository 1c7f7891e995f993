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

/// The largest grid that `mflda info` reports (and the grid-size error
/// suggests) really runs, in 1D and 2D: every field a run binds fits,
/// including the perturbation form, and in 1D the linearised W2 metric and
/// the frames with deviations (their fields have the layouts of the 2D
/// run's, which on a software adapter would take minutes). One step, a rough
/// equilibrium (its warning expected).
#[test]
fn the_largest_grid_reported_runs() {
    let ctx = GpuContext::new(&AdapterRequest::default()).unwrap();
    for dim in [1, 2] {
        let n = mflda::Problem::largest_grid(&ctx, dim).min(mflda::config::MAX_N);
        let mut c = mflda::config::Config::embedded_default();
        c.grid.dim = dim;
        c.grid.n = n;
        c.game.as_mut().unwrap().interaction_modes = 1;
        c.equilibrium.max_iter = 2;
        c.time.t_end = c.time.step();
        c.time.perturbation = true;
        c.output.w2lin = dim == 1;
        c.output.frames_every = Some(if dim == 1 { c.time.step() } else { 0.0 });
        c.output.frame_deviation = true;
        c.output.frame_size = 64;
        let dir =
            std::env::temp_dir().join(format!("mflda-test-largest-{dim}d-{}", std::process::id()));
        let opts = mflda::run::RunOptions {
            out: dir.clone(),
            force: true,
            quiet: true,
            interrupt: Default::default(),
            equilibrium_from: None,
        };
        let summary =
            mflda::run::execute(&ctx, &c, &opts).unwrap_or_else(|e| panic!("{dim}D n = {n}: {e}"));
        assert_eq!((summary.n, summary.steps), (n, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
