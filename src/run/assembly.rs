//! What a run steps, measures and draws, built the same way by a fresh run
//! and a resumed one.

use crate::gpu::{Elem, GpuContext, GpuField};
use crate::output::RunDir;
use crate::plan::Plan;
use crate::run::frames::{FrameLimits, Frames};
use crate::Result;

use crate::dynamics::Stepper;
use crate::metrics::Metrics;

/// The stepper, metrics and frames' inputs of a run, built from the
/// stationary log-densities `[log rho_s*]` (S real fields on the host) and
/// the densities `eq = [rho_s*]` made from them, once the equilibrium solver
/// is gone.
pub(super) struct Assembly {
    pub stepper: Stepper,
    pub metrics: Metrics,
    /// The log-densities on the GPU, for the frames' colouring; freed with the
    /// assembly unless the frames hold it.
    pub eq_field: GpuField,
    /// `[rho_s*]` on the host.
    pub eq: Vec<Vec<f32>>,
}

impl Assembly {
    pub fn new(ctx: &GpuContext, plan: &Plan, eq_logs: &[f32], eq: Vec<Vec<f32>>) -> Result<Self> {
        let shape = plan.problem.params.shape;
        let refs: Vec<&[f32]> = eq.iter().map(|v| v.as_slice()).collect();
        let stepper = plan.stepper(ctx, &refs)?;
        let fields = eq.len() as u32;
        let eq_field = GpuField::from_data(ctx, "run.eq_logs", shape, fields, Elem::Real, eq_logs)?;
        // wgpu keeps the staging copies of uploads until a submission that
        // carries them has finished: let it free them before more is allocated.
        ctx.queue.submit(None);
        ctx.wait()?;
        let metrics = plan.metrics(ctx, &stepper, &eq_field, eq_logs)?;
        // The same for the metrics' uploads (a gradient system's own
        // potentials): else their staging copies are still held at the first
        // snapshot's readback, 4 S bytes a point above the estimate.
        ctx.queue.submit(None);
        ctx.wait()?;
        Ok(Assembly {
            stepper,
            metrics,
            eq_field,
            eq,
        })
    }

    /// The frames of the run in `dir`, if it draws any, with colour `limits`;
    /// they take the host equilibrium densities.
    pub fn frames(
        &mut self,
        ctx: &GpuContext,
        plan: &Plan,
        limits: FrameLimits,
        dir: &RunDir,
    ) -> Result<Option<Frames>> {
        if plan.schedule().frames == 0 {
            return Ok(None);
        }
        let eq = std::mem::take(&mut self.eq);
        let frames = Frames::new(
            ctx,
            plan,
            &self.stepper,
            &self.eq_field,
            eq,
            limits,
            dir.path(),
        )?;
        Ok(Some(frames))
    }

    /// The stepper and the metrics; the rest is freed now (a field left in
    /// a partly moved struct would live to the end of the caller's scope,
    /// through the whole stepping of a resumed run).
    pub fn finish(self) -> (Stepper, Metrics) {
        let Assembly {
            stepper,
            metrics,
            eq_field,
            eq,
        } = self;
        drop((eq_field, eq));
        (stepper, metrics)
    }
}
