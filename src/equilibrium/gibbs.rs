//! The Gibbs densities of given potentials as normalised log-densities,
//! `g_s = log softmax(-Phi_s / tau_s)` for every species (softmax with weights
//! h^d; for the game `g_mu = log softmax(-V/tau)`, `g_nu = log softmax(U/tau)`),
//! by log-sum-exp on the GPU. Used by the equilibrium's residual check and by
//! the equilibrium-gap metric.

use wgpu::util::DeviceExt;

use crate::dynamics::Params;
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField};
use crate::metrics::reduce::{Op, Reducer};
use crate::system::SystemOperators;
use crate::Result;

/// The kernel of `shaders/equilibrium/eq_logits.wgsl`:
/// `out_s = alpha_s l_s - scale_s Phi_s` with log-sum-exp partials; `gibbs`
/// leaves the base log-densities unread (`alpha_s = 0`).
pub(crate) fn logits_kernel(
    device: &wgpu::Device,
    params: &Params,
    ops: &SystemOperators,
    gibbs: bool,
) -> Result<Kernel> {
    Kernel::generated(
        device,
        &shaders::EQ_LOGITS,
        &ops.replacements(),
        "main",
        &[
            ("FIELD_LEN", params.shape.len() as f64),
            ("GIBBS", f64::from(u8::from(gibbs))),
        ],
    )
}

/// The `(alpha_s, scale_s)` table of [`logits_kernel`], in f32.
pub(crate) fn coefficients(ctx: &GpuContext, label: &str, coef: &[(f64, f64)]) -> wgpu::Buffer {
    let data: Vec<f32> = coef
        .iter()
        .flat_map(|&(a, s)| [a as f32, s as f32])
        .collect();
    ctx.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytemuck::cast_slice(&data),
            usage: wgpu::BufferUsages::STORAGE,
        })
}

/// The kernel of `shaders/equilibrium/eq_normalise.wgsl`: log-densities to unit mass.
pub(crate) fn normalise_kernel(
    device: &wgpu::Device,
    params: &Params,
    ops: &SystemOperators,
) -> Result<Kernel> {
    Kernel::generated(
        device,
        &shaders::EQ_NORMALISE,
        &ops.replacements(),
        "main",
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
    /// `[g_s]` after [`Self::record`] (S real fields).
    pub output: GpuField,
    _coef: wgpu::Buffer,
    groups: [u32; 3],
}

impl GibbsEval {
    /// The Gibbs densities of the potentials held in `potentials`
    /// (`Phi_2q - i Phi_2q+1`, `ceil(S / 2)` complex fields of the grid, as
    /// [`crate::dynamics::potential_eval::PotentialEval`] writes them).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        potentials: &GpuField,
    ) -> Result<Self> {
        let shape = params.shape;
        let device = &ctx.device;
        let species = ops.species();
        let logits = logits_kernel(device, params, ops, true)?;
        let normalise = normalise_kernel(device, params, ops)?;
        let groups = elementwise_groups(shape.len() as u64);
        let lse = Reducer::new(
            ctx,
            "gibbs.lse",
            &vec![Op::Lse; species],
            groups[0] * groups[1],
        )?;
        let output = GpuField::zeros(ctx, "gibbs.logs", shape, species as u32, Elem::Real)?;
        let coef: Vec<(f64, f64)> = ops
            .system
            .species
            .iter()
            .map(|s| (0.0, 1.0 / s.tau))
            .collect();
        let coef = coefficients(ctx, "gibbs.coef", &coef);
        // GIBBS: the base log-densities (binding 0) are never read.
        let logits_bind = logits.bind(
            device,
            &[
                &potentials.buffer,
                &potentials.buffer,
                &output.buffer,
                &lse.partials,
                &coef,
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
            _coef: coef,
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
