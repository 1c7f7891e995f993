//! The ETD combination kernels (docs/MATHEMATICS.md section 3): elementwise in Fourier
//! space, with e^z and phi_k evaluated per mode in f32 (series below |z| = 1).

use crate::dynamics::Params;
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, GpuContext};
use crate::system::SystemOperators;
use crate::Result;

/// The combination kernels of both schemes for one set of parameters.
#[derive(Debug)]
pub struct EtdKernels {
    /// `out = e^{z/2} u + dt/2 phi1(z/2) n` (ETDRK4 stages a, b).
    pub predict_half: Kernel,
    /// `out = e^z u + dt phi1(z) n` (ETDRK2 predictor).
    pub predict_full: Kernel,
    /// ETDRK4 stage c, accumulating `N(a) + N(b)`.
    pub rk4_c: Kernel,
    /// ETDRK4 final combination, in place.
    pub rk4_finish: Kernel,
    /// ETDRK2 final combination, in place.
    pub rk2_finish: Kernel,
    /// Workgroup grid covering a state of S fields.
    pub groups: [u32; 3],
}

impl EtdKernels {
    /// Builds the kernels for `params` and the system of `ops` (dt, the
    /// grid and each species' tau and eta are baked in).
    pub fn new(ctx: &GpuContext, params: &Params, ops: &SystemOperators) -> Result<Self> {
        let count = ops.species() as u64 * params.shape.len() as u64;
        let code = ops.replacements();
        let mut constants = params.etd_constants();
        constants.push(("COUNT", count as f64));
        let device = &ctx.device;
        let build = |shader, extra: &[(&'static str, f64)]| {
            let mut c = constants.clone();
            c.extend_from_slice(extra);
            Kernel::generated(device, shader, &code, "main", &c)
        };
        Ok(EtdKernels {
            predict_half: build(&shaders::ETD_PREDICT, &[("HALF", 1.0)])?,
            predict_full: build(&shaders::ETD_PREDICT, &[("HALF", 0.0)])?,
            rk4_c: build(&shaders::ETD_RK4_C, &[])?,
            rk4_finish: build(&shaders::ETD_RK4_FINISH, &[])?,
            rk2_finish: build(&shaders::ETD_RK2_FINISH, &[])?,
            groups: elementwise_groups(count),
        })
    }
}
