//! The last forward FFT pass of the fluxes, the divergence and the ETD
//! stage combination in one kernel per stage
//! (`shaders/dynamics/rhs_divergence_pass.wgsl`), after the fused
//! right-hand side's flux pass ([`crate::dynamics::fused`]). The column pass
//! pairs each column with its mirror, so the divergence of the packed flux
//! `fx + i fy` (which needs `F^(-k)`) is formed in workgroup memory, and the
//! stage's combination is stored directly: neither the flux spectra nor the
//! nonlinear term of a stage combined at once reach global memory.
//!
//! It applies on 2D grids whose column pass holds at least two lines per
//! workgroup (every side up to 4096 where a workgroup has 32 KiB of memory);
//! elsewhere the plain column pass, divergence and ETD kernels run.

use crate::dynamics::Params;
use crate::fft::stockham::Axis;
use crate::fft::stockham_gen::{transform, LinePlan};
use crate::fft::FftPlan;
use crate::gpu::groups::{GroupRecorder, Label};
use crate::gpu::pipeline::Kernel;
use crate::gpu::{shaders, GpuContext, GpuField};
use crate::system::SystemOperators;
use crate::Result;

/// The combination a divergence pass stores (`shaders/shared/etd_store_*.wgsl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combination {
    /// `N` kept and `e^z u + h phi1(z) N`, `h = dt/2` (half) or `dt`;
    /// buffers `[u, N out, stage out]`.
    Predict {
        /// ETDRK4's half step rather than ETDRK2's full one.
        half: bool,
    },
    /// ETDRK4's stage c and `N(a) + N(b)`; buffers `[a, N(u), N(a) -> sum, c out]`.
    Rk4C,
    /// ETDRK4's last combination; buffers `[u in place, N(u), N(a) + N(b)]`.
    Rk4Finish,
    /// ETDRK2's last combination; buffers `[u in place, a, N(u)]`.
    Rk2Finish,
}

impl Combination {
    /// The WGSL of the store (the predictor's step fixed as a constant).
    fn store(self) -> String {
        match self {
            Combination::Predict { half } => shaders::ETD_STORE_PREDICT.replace(
                "const HALF: bool = true;",
                &format!("const HALF: bool = {half};"),
            ),
            Combination::Rk4C => shaders::ETD_STORE_RK4_C.into(),
            Combination::Rk4Finish => shaders::ETD_STORE_RK4_FINISH.into(),
            Combination::Rk2Finish => shaders::ETD_STORE_RK2_FINISH.into(),
        }
    }

    /// Bytes per element: the flux read, and the combination's reads and
    /// writes (8 B per complex value).
    fn bytes(self) -> u64 {
        8 + match self {
            Combination::Predict { .. } => 24,
            Combination::Rk4C => 40,
            Combination::Rk4Finish => 32,
            Combination::Rk2Finish => 24,
        }
    }

    fn label(self) -> Label {
        let part = match self {
            Combination::Predict { .. } => "predict",
            Combination::Rk4C => "rk4_c",
            Combination::Rk4Finish => "rk4_finish",
            Combination::Rk2Finish => "rk2_finish",
        };
        Label::part("rhs.fft_divergence_etd", part)
    }
}

/// One divergence pass per stage of a step, in step order.
#[derive(Debug)]
pub struct DivergencePasses {
    passes: Vec<(Combination, Kernel, wgpu::BindGroup)>,
    groups: [u32; 3],
    elements: u64,
}

impl DivergencePasses {
    /// The passes of `stages` (each combination with its buffers, in the
    /// order [`Combination`] lists them) over the flux field `flux` (S
    /// complex fields, transformed along rows), or None where the fusion
    /// does not apply (1D, one column per workgroup, or more workgroup lines
    /// than columns). `plan` is the
    /// species' FFT plan (its column geometry and twiddles).
    pub fn new(
        ctx: &GpuContext,
        params: &Params,
        ops: &SystemOperators,
        plan: &FftPlan,
        flux: &GpuField,
        stages: &[(Combination, Vec<&wgpu::Buffer>)],
    ) -> Result<Option<Self>> {
        let Some(columns) = plan.axis_pass(Axis::Columns) else {
            return Ok(None);
        };
        let g = &columns.geometry;
        // Mirror pairs need two lines a workgroup, and no padding lines
        // (a tiny grid's workgroup may hold more lines than it has).
        if g.lines < 2 || g.lines > g.line_count {
            return Ok(None);
        }
        let generated = transform(&LinePlan {
            radices: &g.radices,
            sets: 1,
            inverse: "false",
            second: None,
            mirror: true,
        });
        let code = ops.replacements();
        let mut passes = Vec::new();
        let mut constants = params.etd_constants();
        constants.extend(g.constants(params.shape));
        constants.push(("DEALIAS", f64::from(u8::from(params.dealias))));
        for (combination, buffers) in stages {
            let store = combination.store();
            let mut replacements: Vec<(&str, &str)> = code.to_vec();
            replacements.push((shaders::STOCKHAM_STAGES, &generated));
            replacements.push((shaders::ETD_STORE_PREDICT, &store));
            let kernel = Kernel::generated(
                &ctx.device,
                &shaders::RHS_DIVERGENCE_PASS,
                &replacements,
                "main",
                &constants,
            )?;
            let mut all = vec![columns.twiddles(), &flux.buffer];
            all.extend(buffers.iter().copied());
            let bind = kernel.bind(&ctx.device, &all);
            passes.push((*combination, kernel, bind));
        }
        Ok(Some(DivergencePasses {
            passes,
            groups: [g.groups(), ops.species() as u32, 1],
            elements: ops.species() as u64 * params.shape.len() as u64,
        }))
    }

    /// Records stage `i`'s pass as one group with its bytes: per element
    /// of the state, the flux and the combination's reads and writes (for
    /// two species per point: predictor 64 B, stage c 96 B, ETDRK4's last
    /// combination 80 B, ETDRK2's 64 B).
    pub fn record(&self, rec: &mut dyn GroupRecorder, i: usize) {
        if let Some((combination, kernel, bind)) = self.passes.get(i) {
            rec.group(
                combination.label(),
                combination.bytes() * self.elements,
                &mut |pass| kernel.dispatch(pass, bind, self.groups),
            );
        }
    }
}
