//! `mflda bench particles`: Langevin steps of the default game's particles
//! ([`crate::particles::langevin`]) for several particle counts, timed
//! against the floor of the bytes a step moves, measured with the copy kernel
//! in the same run on a working set of the positions' size. Particles are
//! uniform on the torus. With the drift by direct Fourier sums, Langevin
//! steps are timed with both schemes and Wasserstein-Fisher-Rao steps
//! (weights too, alpha = 1) with Euler-Maruyama; with the spread drift (on
//! the default grid), Langevin and WFR steps with Euler-Maruyama.

use web_time::Instant;

use serde::Serialize;

use crate::bench::copy::{self, CopyBandwidth};
use crate::bench::sizes::{header, BenchReport, Skipped};
use crate::bench::timing::{Stats, Timing};
use crate::config::{Config, Dynamics, ParticleScheme};
use crate::gpu::GpuContext;
use crate::particles::drift::Drift;
use crate::particles::fourier::FourierTables;
use crate::particles::langevin::{LangevinOptions, LangevinStepper, SpeciesRates};
use crate::{Plan, Result};

/// One particle count and scheme.
#[derive(Debug, Clone, Serialize)]
pub struct ParticleResult {
    /// Particles per species (the game has two).
    pub n: u32,
    /// `langevin` or `wfr`.
    pub dynamics: &'static str,
    /// `euler-maruyama` or `leimkuhler-matthews`.
    pub scheme: &'static str,
    /// The drift method (`fourier` or `spread`).
    pub drift: &'static str,
    /// Time per step (host wall clock around synchronised batches).
    pub time: Stats,
    /// Particle steps per second, all species: `2 n / median time`.
    pub particle_steps_per_s: f64,
    /// Bytes one step moves ([`LangevinStepper::bytes_per_step`]).
    pub bytes_per_step: u64,
    /// Kernel dispatches per step.
    pub dispatches_per_step: u32,
    /// Modes of each potential in the direct sums (0 for `spread`).
    pub drift_modes: usize,
    /// Copy bandwidth of a positions-sized working set, same run.
    pub copy: CopyBandwidth,
    /// `bytes_per_step / copy bandwidth`, milliseconds.
    pub floor_ms: f64,
    /// Median time over the floor.
    pub ratio_to_floor: f64,
}

/// The report of `mflda bench particles`.
pub type ParticleBenchReport = BenchReport<ParticleResult>;

/// Times the dynamics and schemes above for every count of `counts` (particles per species).
/// The wall clock is used (a step is several command-buffer passes), so
/// `timing.wall_clock` is set in the report.
pub fn run(ctx: &GpuContext, counts: &[u32], timing: &Timing) -> Result<ParticleBenchReport> {
    let timing = Timing {
        wall_clock: true,
        ..*timing
    };
    let plan = Plan::new(ctx, &Config::embedded_default())?;
    let tables = FourierTables::new(&plan.problem.params, plan.problem.system())?;
    let rates = SpeciesRates::of(plan.problem.system());
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for &n in counts {
        match bench_count(ctx, &plan, &tables, &rates, n, &timing) {
            Ok(r) => results.extend(r),
            Err(e) => skipped.push(Skipped {
                n,
                reason: e.to_string(),
            }),
        }
    }
    Ok(BenchReport::new(ctx, &timing, results, skipped))
}

fn bench_count(
    ctx: &GpuContext,
    plan: &Plan,
    tables: &FourierTables,
    rates: &[SpeciesRates],
    n: u32,
    timing: &Timing,
) -> Result<Vec<ParticleResult>> {
    let length = plan.problem.params.length;
    // A low-discrepancy start (the golden-ratio lattice), uniform on the torus.
    let phi = 0.618_033_988_749_895f64;
    let positions: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let i = f64::from(i) + 0.5;
            [length * (i / f64::from(n)), length * (i * phi).fract()]
        })
        .collect();
    let start = vec![positions.clone(), positions];
    let copy = copy::measure(ctx, 8 * u64::from(n), timing)?;
    let mut out = Vec::new();
    let spread = Drift::Spread {
        params: plan.problem.params.clone(),
        system: plan.problem.system().clone(),
    };
    let fourier = Drift::Fourier(tables.clone());
    for (dynamics, scheme, drift) in [
        (Dynamics::Langevin, ParticleScheme::EulerMaruyama, &fourier),
        (
            Dynamics::Langevin,
            ParticleScheme::LeimkuhlerMatthews,
            &fourier,
        ),
        (Dynamics::Wfr, ParticleScheme::EulerMaruyama, &fourier),
        (Dynamics::Langevin, ParticleScheme::EulerMaruyama, &spread),
        (Dynamics::Wfr, ParticleScheme::EulerMaruyama, &spread),
    ] {
        let options = LangevinOptions {
            dt: 0.01,
            scheme,
            seed: 0,
            wg_size: 256,
            dynamics,
            alpha: 1.0,
        };
        let mut stepper = LangevinStepper::new(ctx, drift.clone(), rates, &start, options)?;
        stepper.advance(ctx, u64::from(timing.warmup.max(1)));
        ctx.wait()?;
        let batches = 5;
        let per = u64::from(timing.reps.max(1)).div_ceil(batches).max(1);
        let mut samples = Vec::new();
        for _ in 0..batches {
            let began = Instant::now();
            stepper.advance(ctx, per);
            ctx.wait()?;
            samples.push(began.elapsed().as_secs_f64() / per as f64);
        }
        ctx.take_errors()?;
        let time = Stats::from_seconds(&samples)?;
        let bytes = stepper.bytes_per_step();
        let floor_ms = bytes as f64 / (copy.gbps * 1e6);
        let ms = time.median_us / 1e3;
        out.push(ParticleResult {
            n,
            dynamics: dynamics.as_str(),
            scheme: scheme.as_str(),
            drift: drift.method().as_str(),
            time,
            particle_steps_per_s: 2.0 * f64::from(n) / (ms / 1e3),
            bytes_per_step: bytes,
            dispatches_per_step: stepper.dispatches_per_step(),
            drift_modes: stepper.tables().rows[0].1 - stepper.tables().rows[0].0,
            copy,
            floor_ms,
            ratio_to_floor: ms / floor_ms,
        });
    }
    Ok(out)
}

/// The report as a fixed-width table.
pub fn table(report: &ParticleBenchReport) -> String {
    let mut s = header(&report.adapter, report.clock);
    s += &format!(
        "{:>10} {:>9} {:>20} {:>8} {:>10} {:>9} {:>12} {:>9} {:>6} {:>10} {:>10} {:>9}\n",
        "n",
        "dynamics",
        "scheme",
        "drift",
        "ms/step",
        "iqr ms",
        "steps/s",
        "MB/step",
        "disp",
        "copy GB/s",
        "floor ms",
        "x floor"
    );
    for r in &report.results {
        s += &format!(
            "{:>10} {:>9} {:>20} {:>8} {:>10.3} {:>9.3} {:>12.3e} {:>9.2} {:>6} {:>10.1} {:>10.4} {:>9.1}\n",
            r.n,
            r.dynamics,
            r.scheme,
            r.drift,
            r.time.median_us / 1e3,
            r.time.iqr_us / 1e3,
            r.particle_steps_per_s,
            r.bytes_per_step as f64 / 1e6,
            r.dispatches_per_step,
            r.copy.gbps,
            r.floor_ms,
            r.ratio_to_floor
        );
    }
    for k in &report.skipped {
        s += &format!("{:>10} skipped: {}\n", k.n, k.reason);
    }
    s
}
