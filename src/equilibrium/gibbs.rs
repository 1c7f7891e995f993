//! The Gibbs pair of given potentials as normalised log-densities,
//! `g_mu = log softmax(-V/tau)`, `g_nu = log softmax(U/tau)` (softmax with
//! weights h^d), by log-sum-exp on the GPU. Used by the equilibrium's residual
//! check and by the NI metric.

use crate::dynamics::Params;
use crate::gpu::pipeline::{elementwise_groups, storage, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::metrics::reduce::{Op, Reducer};
use crate::Result;

/// The kernel of `shaders/equilibrium/eq_logits.wgsl`:
/// `out = (alpha l_mu - scale V, alpha l_nu + scale U)` with log-sum-exp partials.
pub(crate) fn logits_kernel(
    device: &wgpu::Device,
    params: &Params,
    alpha: f64,
    scale: f64,
) -> Result<Kernel> {
    Kernel::new(
        device,
        &shaders::EQ_LOGITS,
        "main",
        &[
            storage(0, true),
            storage(1, true),
            storage(2, false),
            storage(3, false),
        ],
        &[
            ("FIELD_LEN", params.shape.len() as f64),
            ("ALPHA", alpha),
            ("SCALE", scale),
        ],
    )
}

/// The kernel of `shaders/equilibrium/eq_normalise.wgsl`: log-densities to unit mass.
pub(crate) fn normalise_kernel(device: &wgpu::Device, params: &Params) -> Result<Kernel> {
    Kernel::new(
        device,
        &shaders::EQ_NORMALISE,
        "main",
        &[storage(0, true), storage(1, false)],
        &[
            ("FIELD_LEN", params.shape.len() as f64),
            ("LOG_CELL", params.cell().ln()),
        ],
    )
}

/// Evaluates the Gibbs log-densities of the potentials in one buffer.
#[derive(Debug)]
pub struct GibbsEval {
    logits: Kernel,
    normalise: Kernel,
    lse: Reducer,
    logits_bind: wgpu::BindGroup,
    normalise_bind: wgpu::BindGroup,
    /// `[g_mu, g_nu]` after [`Self::record`] (two real fields).
    pub output: GpuField,
    groups: [u32; 3],
}

impl GibbsEval {
    /// The Gibbs pair of the potentials `V + i U` held in `potentials` (one
    /// complex field of the grid).
    pub fn new(ctx: &GpuContext, params: &Params, potentials: &GpuField) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let logits = logits_kernel(device, params, 0.0, 1.0 / params.tau)?;
        let normalise = normalise_kernel(device, params)?;
        let groups = elementwise_groups(shape.len() as u64);
        let lse = Reducer::new(ctx, "gibbs.lse", &[Op::Lse, Op::Lse], groups[0] * groups[1])?;
        let output = GpuField::zeros(ctx, "gibbs.logs", shape, 2, Elem::Real)?;
        // ALPHA = 0: the base log-densities (binding 0) are never read.
        let logits_bind = logits.bind(
            device,
            &[
                &potentials.buffer,
                &potentials.buffer,
                &output.buffer,
                &lse.partials,
            ],
        );
        let normalise_bind = normalise.bind(device, &[&lse.result, &output.buffer]);
        Ok(GibbsEval {
            logits,
            normalise,
            lse,
            logits_bind,
            normalise_bind,
            output,
            groups,
        })
    }

    /// Records the evaluation into [`Self::output`].
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.logits.dispatch(pass, &self.logits_bind, self.groups);
        self.lse.record(pass);
        self.normalise
            .dispatch(pass, &self.normalise_bind, self.groups);
    }
}
