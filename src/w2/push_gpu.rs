//! The push-forward of the back-and-forth method on the device
//! (`shaders/w2/push.wgsl`, `shaders/w2/push_finish.wgsl`), the GPU twin of
//! [`crate::w2::bfm_cpu::push_forward`]: bilinear deposits as fixed-point
//! integers (no float atomics, so the result is the same whatever order the
//! invocations run in), then their conversion to a density.

use crate::gpu::field::storage_init;
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::{W2_PUSH, W2_PUSH_FINISH};
use crate::gpu::{GpuContext, Shape};
use crate::{Error, Result};

/// One push-forward between fixed buffers, its accumulators allocated once.
#[derive(Debug)]
pub struct PushGpu {
    passes: [(Kernel, wgpu::BindGroup); 2],
    groups: [u32; 3],
    _acc: wgpu::Buffer,
}

impl PushGpu {
    /// `out = (x -> x - grad psi(x))_# rho` on the torus grid `shape` of
    /// side `length` (each buffer `shape.len()` f32, row-major `(n2, n1)`;
    /// `rho` of unit mass, `sum rho h^d = 1`, non-negative).
    pub fn new(
        ctx: &GpuContext,
        shape: Shape,
        length: f64,
        rho: &wgpu::Buffer,
        psi: &wgpu::Buffer,
        out: &wgpu::Buffer,
    ) -> Result<Self> {
        if shape.n2 > 1 && shape.n1 != shape.n2 {
            return Err(Error::Usage(format!(
                "push-forward: square grids only, not {shape}"
            )));
        }
        let len = shape.len();
        let h = length / f64::from(shape.n1);
        let cell = h.powi(shape.dim() as i32);
        let acc = storage_init(ctx, "w2.push.acc", &vec![0u8; 8 * len], false);
        let device = &ctx.device;
        let push = Kernel::new(
            device,
            &W2_PUSH,
            "main",
            &[
                ("N1", f64::from(shape.n1)),
                ("N2", f64::from(shape.n2)),
                ("H", h),
                ("CELL", cell),
            ],
        )?;
        let finish = Kernel::new(
            device,
            &W2_PUSH_FINISH,
            "main",
            &[("LEN", len as f64), ("CELL", cell)],
        )?;
        let push_bind = push.bind(device, &[rho, psi, &acc]);
        let finish_bind = finish.bind(device, &[&acc, out]);
        Ok(PushGpu {
            passes: [(push, push_bind), (finish, finish_bind)],
            groups: folded_groups(len as u64, 256),
            _acc: acc,
        })
    }

    /// Records the deposits and their conversion (two dispatches).
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        for (kernel, bind) in &self.passes {
            kernel.dispatch(pass, bind, self.groups);
        }
    }
}
