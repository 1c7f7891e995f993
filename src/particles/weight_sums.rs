//! The sums a weighted particle run's metrics need, on the device: per
//! species `W = sum_i w_i` and `sum_i w_i^2`, hence Kish's effective sample
//! size `W^2 / sum_i w_i^2`, by the fixed-order moment reduction at mode 0
//! of the weights and of their squares (`particles/square.wgsl`), so that a
//! metrics row reads back four numbers per species rather than the weights.

use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::PARTICLES_SQUARE;
use crate::gpu::GpuContext;
use crate::particles::langevin::LangevinStepper;
use crate::particles::moments::Moments;
use crate::Result;

/// The two sums of every species' weights.
#[derive(Debug)]
pub struct WeightSums {
    square: Vec<(Kernel, wgpu::BindGroup, [u32; 3])>,
    totals: Vec<Moments>,
    squares: Vec<Moments>,
    _squared: Vec<wgpu::Buffer>,
}

impl WeightSums {
    /// The sums of `stepper`'s weights on a torus of side `length` (one
    /// buffer of squares per species, allocated here once).
    pub fn new(ctx: &GpuContext, stepper: &LangevinStepper, length: f64) -> Result<Self> {
        let device = &ctx.device;
        let mut out = WeightSums {
            square: Vec::new(),
            totals: Vec::new(),
            squares: Vec::new(),
            _squared: Vec::new(),
        };
        for s in 0..stepper.species() {
            let count = stepper.count(s);
            let squared = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("particles.weights_squared"),
                size: 4 * u64::from(count),
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            });
            let kernel = Kernel::new(
                device,
                &PARTICLES_SQUARE,
                "main",
                &[("COUNT", f64::from(count))],
            )?;
            let bind = kernel.bind(device, &[stepper.weights_buffer(s), &squared]);
            let positions = stepper.positions_buffer(s);
            let zero = [[0, 0]];
            out.totals.push(Moments::new(
                ctx,
                positions,
                stepper.weights_buffer(s),
                count,
                length,
                &zero,
            )?);
            out.squares.push(Moments::new(
                ctx, positions, &squared, count, length, &zero,
            )?);
            out.square
                .push((kernel, bind, folded_groups(u64::from(count), 256)));
            out._squared.push(squared);
        }
        Ok(out)
    }

    /// `(sum w, (sum w)^2 / sum w^2)` of species `s` (blocking).
    pub fn measure(&self, ctx: &GpuContext, s: usize) -> Result<(f64, f64)> {
        let (kernel, bind, groups) = &self.square[s];
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        kernel.dispatch(
            &mut encoder.begin_compute_pass(&Default::default()),
            bind,
            *groups,
        );
        ctx.queue.submit([encoder.finish()]);
        let total = self.totals[s].measure(ctx)?[0].re;
        let squares = self.squares[s].measure(ctx)?[0].re;
        Ok((total, total * total / squares))
    }
}
