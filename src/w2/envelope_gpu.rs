//! The c-transform `phi^c(y) = min_x d(x, y)^2 / 2 - phi(x)` on the device
//! (`shaders/w2/envelope.wgsl`), the GPU twin of
//! [`crate::w2::envelope::c_transform`]: a pass of lower envelopes along
//! rows (of `-phi`), then one along columns, each line's parabolas held in
//! scratch buffers allocated once.

use crate::gpu::field::storage_init;
use crate::gpu::pipeline::Kernel;
use crate::gpu::shaders::W2_ENVELOPE;
use crate::gpu::{GpuContext, Shape};
use crate::{Error, Result};

const WORKGROUP: u32 = 64;

/// The passes of one c-transform between two fixed buffers.
#[derive(Debug)]
pub struct CTransformGpu {
    passes: Vec<(Kernel, wgpu::BindGroup, [u32; 3])>,
    _scratch: [wgpu::Buffer; 3],
}

impl CTransformGpu {
    /// The transform of `phi` into `out` (each `shape.len()` f32, row-major
    /// `(n2, n1)`; `n2 = 1` is the circle) on the torus of side `length`.
    pub fn new(
        ctx: &GpuContext,
        shape: Shape,
        length: f64,
        phi: &wgpu::Buffer,
        out: &wgpu::Buffer,
    ) -> Result<Self> {
        let scratch = Self::scratch(ctx, shape)?;
        Self::with_scratch(ctx, shape, length, phi, out, scratch)
    }

    /// The transforms `a -> b = a^c` and `b -> a = b^c`, sharing their
    /// scratch (run in turn, never at once: 24 bytes a point saved).
    pub fn pair(
        ctx: &GpuContext,
        shape: Shape,
        length: f64,
        a: &wgpu::Buffer,
        b: &wgpu::Buffer,
    ) -> Result<[Self; 2]> {
        let scratch = Self::scratch(ctx, shape)?;
        Ok([
            Self::with_scratch(ctx, shape, length, a, b, scratch.clone())?,
            Self::with_scratch(ctx, shape, length, b, a, scratch)?,
        ])
    }

    /// Bytes of scratch a transform holds: three buffers of 8 bytes a point.
    pub fn scratch_bytes(shape: Shape) -> u64 {
        3 * 8 * shape.len() as u64
    }

    fn scratch(ctx: &GpuContext, shape: Shape) -> Result<[wgpu::Buffer; 3]> {
        if shape.n2 > 1 && shape.n1 != shape.n2 {
            return Err(Error::Usage(format!(
                "c-transform: square grids only, not {shape}"
            )));
        }
        let cells = 4 * 2 * shape.len() as u64;
        let zeros = |label: &str| storage_init(ctx, label, &vec![0u8; cells as usize], false);
        Ok([
            zeros("w2.envelope.hull"),
            zeros("w2.envelope.bounds"),
            zeros("w2.envelope.rows"),
        ])
    }

    fn with_scratch(
        ctx: &GpuContext,
        shape: Shape,
        length: f64,
        phi: &wgpu::Buffer,
        out: &wgpu::Buffer,
        scratch: [wgpu::Buffer; 3],
    ) -> Result<Self> {
        let (n1, n2) = (shape.n1, shape.n2);
        let h = length / f64::from(n1);
        let device = &ctx.device;
        let pass = |n: u32, lines: u32, point: u32, line: u32, sign: f64| {
            Kernel::new(
                device,
                &W2_ENVELOPE,
                "main",
                &[
                    ("N", f64::from(n)),
                    ("LINES", f64::from(lines)),
                    ("POINT_STRIDE", f64::from(point)),
                    ("LINE_STRIDE", f64::from(line)),
                    ("SIGN", sign),
                    ("H", h),
                ],
            )
        };
        let groups = |lines: u32| [lines.div_ceil(WORKGROUP), 1, 1];
        let rows = pass(n1, n2, 1, n1, -1.0)?;
        let mut passes = Vec::new();
        if n2 == 1 {
            let bind = rows.bind(device, &[phi, out, &scratch[0], &scratch[1]]);
            passes.push((rows, bind, groups(1)));
        } else {
            let bind = rows.bind(device, &[phi, &scratch[2], &scratch[0], &scratch[1]]);
            passes.push((rows, bind, groups(n2)));
            let cols = pass(n2, n1, n1, 1, 1.0)?;
            let bind = cols.bind(device, &[&scratch[2], out, &scratch[0], &scratch[1]]);
            passes.push((cols, bind, groups(n1)));
        }
        Ok(CTransformGpu {
            passes,
            _scratch: scratch,
        })
    }

    /// Records the transform.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        for (kernel, bind, groups) in &self.passes {
            kernel.dispatch(pass, bind, *groups);
        }
    }

    /// Dispatches per transform (1 on the circle, 2 on the torus).
    pub fn dispatches(&self) -> u32 {
        self.passes.len() as u32
    }
}
