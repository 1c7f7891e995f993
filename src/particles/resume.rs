//! `mflda particles --resume DIR [--t-end T]`: a particle run continued from
//! its newest valid checkpoint, to its end or to a later one. The
//! checkpoint holds every position and weight in f32 as the device keeps
//! them, the grid flow's state and the step counter the noise is drawn by,
//! so the continuation is bit for bit the uninterrupted run on the same
//! device.

use std::path::Path;

use crate::equilibrium::species_from_logs;
use crate::gpu::GpuContext;
use crate::output::MetricsCsv;
use crate::particles::drift::Drift;
use crate::particles::langevin::{LangevinStepper, SpeciesRates};
use crate::particles::run::{counts, langevin_options, Run, CHECKPOINT_KIND};
use crate::particles::summary::{columns, ParticleSummary};
use crate::plan::Plan;
use crate::render::metrics_table::MetricsTable;
use crate::run::frames::FrameLimits;
use crate::run::{open_checkpoint, set_end, RunOptions};
use crate::{Error, Result};

/// Continues the particle run in `path` from its newest valid checkpoint,
/// to its end (`t_end` None; a complete run is then an error that suggests
/// `--t-end`) or to the later end time `t_end`, which its config.toml then
/// records.
pub fn resume(
    ctx: &GpuContext,
    path: &Path,
    t_end: Option<f64>,
    opts: &RunOptions,
) -> Result<ParticleSummary> {
    let (dir, mut config, checkpoint) = open_checkpoint(path, opts, CHECKPOINT_KIND)?;
    set_end(&dir, &mut config, checkpoint.step, t_end, "mflda particles")?;
    let config = config.particles_companion()?;
    let plan = Plan::new(ctx, &config)?;
    let particles = config.particles_or_default();
    let counts = counts(ctx, &plan, &particles)?;
    let drift = Drift::resolve(&plan, &particles, &counts)?;
    if let Some(w) = drift.warning(&counts) {
        eprintln!("{w}");
    }
    let names = plan.names();
    let mut x0 = Vec::with_capacity(names.len());
    for (name, &n) in names.iter().zip(&counts) {
        let x = checkpoint.array(&format!("x_{name}"))?;
        if x.len() != 2 * n as usize {
            return Err(Error::Data {
                field: "checkpoint".into(),
                message: format!(
                    "{} positions of `{name}` for particles.n = {n}",
                    x.len() / 2
                ),
            });
        }
        x0.push(
            x.chunks_exact(2)
                .map(|p| [f64::from(p[0]), f64::from(p[1])])
                .collect::<Vec<_>>(),
        );
    }
    let rates = SpeciesRates::of(plan.problem.system());
    let options = langevin_options(&plan, &particles)?;
    let mut stepper = LangevinStepper::new(ctx, drift, &rates, &x0, options)?;
    drop(x0);
    for (s, name) in names.iter().enumerate() {
        stepper.set_weights(ctx, s, checkpoint.array(&format!("w_{name}"))?)?;
    }
    stepper.set_step(ctx, checkpoint.step);
    let eq_logs = checkpoint.array("eq_logs")?.to_vec();
    let stars = species_from_logs(&eq_logs, names.len());
    let grid = if particles.compare {
        let star_refs: Vec<&[f32]> = stars.iter().map(Vec::as_slice).collect();
        let g = plan.stepper(ctx, &star_refs)?;
        g.write_state(ctx, checkpoint.array("grid")?)?;
        Some(g)
    } else {
        None
    };
    let csv_path = dir.file("metrics.csv");
    MetricsCsv::truncate_after(&csv_path, checkpoint.t)?;
    let dim = plan.problem.params.shape.dim();
    let columns = columns(&names, dim, particles.compare);
    let column_names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let csv = MetricsCsv::open_append(&csv_path, &column_names)?;
    let last = MetricsTable::read(&csv_path)?
        .rows
        .pop()
        .unwrap_or_default();
    opts.say(format!(
        "resuming at t = {} (step {}), to t = {}",
        checkpoint.t, checkpoint.step, config.time.t_end
    ));
    let mut run = Run::assemble(
        ctx,
        plan,
        &dir,
        particles,
        stepper,
        grid,
        &stars,
        eq_logs,
        csv,
        checkpoint.step,
    )?;
    run.set_last(last);
    let limits: Option<FrameLimits> =
        serde_json::from_value(checkpoint.meta["frame_limits"].clone()).unwrap_or(None);
    run.with_frames(limits)?.finish(opts)
}
