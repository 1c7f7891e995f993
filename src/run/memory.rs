//! The GPU memory a run needs at its peak, estimated from its config before
//! anything is allocated: printed by `mflda run` and written to `summary.json`.
//! Counted per grid point from the buffers the code allocates, with the parts
//! a run shares with the benchmarks taken from [`crate::bench::memory`].
//! `tests/run_memory.rs` checks it against the device's allocation counters.
//!
//! A fresh run goes through three phases: the equilibrium (the operators and
//! the solver), the setup of the time stepping (the solver is dropped first;
//! the stepper, metrics and frames are built, the initial densities set), and
//! the stepping itself. A resumed run skips the first and builds the same
//! things, so its peak is the stepping's. Sampling a band-limited interaction,
//! before everything else, takes a fixed amount that can exceed a small grid's
//! whole run.
//! The FFT twiddle tables (8 bytes per point of a line, per transform plan)
//! are small buffers in 2D; in 1D they are up to 48 bytes per point, within the
//! small buffers' allowance at every grid size mflda accepts.

use crate::bench::memory as parts;
use crate::config::Config;
use crate::game::{is_zero, BandLimited};
use crate::gpu::{GpuContext, Shape};
use crate::run::Schedule;
use crate::Problem;

/// Where a run's memory peaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Sampling the band-limited interaction `K(x, y)`, before anything else.
    Interaction,
    /// Computing the equilibrium.
    Equilibrium,
    /// Setting up the time stepping (the solver is gone).
    Setup,
    /// Time stepping (a resumed run's setup holds less).
    Stepping,
}

impl Phase {
    fn describe(self) -> &'static str {
        match self {
            Phase::Interaction => "while sampling the interaction",
            Phase::Equilibrium => "while computing the equilibrium",
            Phase::Setup => "while setting up the time stepping",
            Phase::Stepping => "while time stepping",
        }
    }
}

/// The GPU memory of one session of a run (fresh or resumed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunMemory {
    /// The grid.
    pub shape: Shape,
    /// Bytes held at the peak: buffers, the staging copies of uploads and
    /// readbacks, and [`tables`](crate::bench::memory::tables) for the small
    /// buffers.
    pub peak: u64,
    /// When the peak comes.
    pub phase: Phase,
}

impl RunMemory {
    /// A run from t = 0 of the (validated) `config`.
    pub fn fresh(config: &Config) -> Self {
        let p = Parts::new(config);
        // The solver with the operators, and the staging copy of either the
        // uniform start or the logs read back (two real fields).
        let equilibrium =
            parts::operators(p.shape) + parts::equilibrium_solver(p.shape) + 8 * p.points;
        // The log-densities uploaded for the frames (two real fields) beside
        // what is held, while the densities are set or the frames built.
        let setup = p.held + 8 * p.points + p.set_densities.max(p.frames_setup);
        Self::peak_of(
            config,
            p.shape,
            &[
                (Phase::Equilibrium, equilibrium),
                (Phase::Setup, setup),
                (Phase::Stepping, p.stepping),
            ],
        )
    }

    /// A run of `config` resumed from a checkpoint. It builds what a fresh run
    /// builds after the equilibrium; writing its state (the staging copy of
    /// two complex fields) holds less than the stepping's readbacks.
    pub fn resumed(config: &Config) -> Self {
        let p = Parts::new(config);
        Self::peak_of(config, p.shape, &[(Phase::Stepping, p.stepping)])
    }

    /// The largest of `phases` and the interaction's sampling, plus the small
    /// buffers' allowance.
    fn peak_of(config: &Config, shape: Shape, phases: &[(Phase, u64)]) -> Self {
        let (phase, bytes) = phases
            .iter()
            .copied()
            .chain([(Phase::Interaction, interaction(config))])
            .max_by_key(|p| p.1)
            .unwrap_or((Phase::Setup, 0));
        RunMemory {
            shape,
            peak: bytes.saturating_add(parts::tables(shape)),
            phase,
        }
    }

    /// One line for the user: the estimate, its phase, and the limits the
    /// device reports (wgpu gives no total memory to compare with).
    pub fn describe(&self, ctx: &GpuContext) -> String {
        let grid = match self.shape.dim() {
            1 => format!("{} points", self.shape.n1),
            _ => format!("{}^2", self.shape.n1),
        };
        format!(
            "GPU memory: about {} for {grid}, at its peak {} (device limits: buffer {}, \
             storage binding {}; no total reported)",
            parts::human(self.peak),
            self.phase.describe(),
            parts::human(ctx.limits.max_buffer_size),
            parts::human(ctx.max_binding_bytes())
        )
    }
}

/// Bytes of the parts of a run, fresh or resumed.
struct Parts {
    shape: Shape,
    points: u64,
    /// Held from the stepper's creation to the end: operators, stepper (with
    /// the perturbation form's reference) and metrics.
    held: u64,
    /// Setting the initial densities: the transient fields and staging copies.
    set_densities: u64,
    /// Building the frames and rendering the first: the images and one read back.
    frames_setup: u64,
    /// The time stepping: `held`, the frames (with the equilibrium
    /// log-densities, two real fields, when a 2D colouring reads them), the
    /// last good state (two complex fields), and the largest readback (a
    /// checkpoint's state, 16 bytes per point, at least as large as a
    /// snapshot's or a frame's).
    stepping: u64,
}

impl Parts {
    fn new(config: &Config) -> Self {
        let shape = Problem::params(config).shape;
        let points = shape.len() as u64;
        let mut held = parts::operators(shape) + parts::stepper(shape) + metrics(config, points);
        if config.time.perturbation {
            // The reference spectra (16), `mu* + i nu*` (8) and its gradients (16).
            held += 40 * points;
        }
        let (images, readback) = frames(config, shape);
        let reads_eq = config.time.perturbation || config.output.frame_deviation;
        let frames_eq_logs = if images > 0 && reads_eq {
            8 * points
        } else {
            0
        };
        Parts {
            shape,
            points,
            held,
            set_densities: parts::set_densities(shape),
            frames_setup: images + readback,
            stepping: held + images + frames_eq_logs + 16 * points + readback.max(16 * points),
        }
    }
}

/// The metrics: the potentials (one complex field), the Gibbs pair and a copy
/// of the equilibrium logs (two real fields each); in the perturbation form the
/// full state (two complex fields); with `output.w2lin`, the linearised-W2
/// solver's two real weight pairs and six complex pairs.
fn metrics(config: &Config, points: u64) -> u64 {
    let mut bytes = 24;
    if config.time.perturbation {
        bytes += 16;
    }
    if config.output.w2lin {
        bytes += 2 * 8 + 6 * 16;
    }
    bytes * points
}

/// The frames' GPU images and the largest readback of one frame, bytes. In 2D
/// each colouring (densities, and deviations with `output.frame_deviation`)
/// holds an RGBA image of both players downsampled to at most `frame_size`
/// per side; in 1D a frame reads the densities back.
fn frames(config: &Config, shape: Shape) -> (u64, u64) {
    if Schedule::new(config).frames == 0 {
        return (0, 0);
    }
    if shape.dim() == 1 {
        return (0, 8 * shape.len() as u64);
    }
    let factor = (shape.n1 / config.output.frame_size.max(1)).max(1);
    let image = 2 * 4 * (shape.n1 / factor) as u64 * (shape.n2 / factor) as u64;
    let maps = 1 + u64::from(config.output.frame_deviation);
    (maps * image, image)
}

/// Sampling the band-limited interaction: `P^(2 dim)` values and their readback.
fn interaction(config: &Config) -> u64 {
    let terms: Vec<(&str, u32)> = match &config.game {
        Some(g) => vec![(g.interaction.as_str(), g.interaction_modes)],
        None => config
            .coupling
            .iter()
            .filter_map(|c| c.interaction.as_deref().map(|g| (g, c.interaction_modes)))
            .collect(),
    };
    // The largest one: they are sampled one after the other.
    terms
        .into_iter()
        .filter(|(g, _)| !is_zero(g))
        .map(|(_, modes)| {
            let p = BandLimited::samples_for(modes) as u64;
            p.checked_pow(2 * config.grid.dim)
                .map_or(u64::MAX, |count| count.saturating_mul(8))
        })
        .max()
        .unwrap_or(0)
}
