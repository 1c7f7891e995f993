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
//! Every count is written for a system of S species held two to a complex
//! field (`P = ceil(S / 2)` fields); for the game (S = 2) they are the
//! benchmarks' parts.
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
        let z = &p.size;
        // The solver with the operators and the Anderson ring (2m + 2 real
        // fields), and the staging copy of either the start or the logs read
        // back (S real fields).
        let ring = match u64::from(config.anderson()) {
            0 => 0,
            m => (2 * m + 2) * z.real(),
        };
        let equilibrium = (z.operators + z.solver() + ring + z.real()) * p.points;
        // The log-densities uploaded for the frames (S real fields) beside
        // what is held, while the densities are set or the frames built.
        let setup = p.held + z.real() * p.points + p.set_densities.max(p.frames_setup);
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

/// Bytes per point of the fields of a system: S species, P complex fields
/// holding them two at a time, and its operators (each distinct multiplier
/// and each potential spectrum, one complex field each).
struct SystemSize {
    species: u64,
    pairs: u64,
    operators: u64,
}

impl SystemSize {
    fn new(config: &Config) -> Self {
        if config.is_game() {
            // One multiplier and the two potentials.
            return SystemSize {
                species: 2,
                pairs: 1,
                operators: 24,
            };
        }
        let species = config.species.len() as u64;
        let (kernels, potentials) = config.operator_counts();
        SystemSize {
            species,
            pairs: species.div_ceil(2),
            operators: 8 * (kernels + potentials) as u64,
        }
    }

    /// S complex fields.
    fn complex(&self) -> u64 {
        8 * self.species
    }

    /// S real fields.
    fn real(&self) -> u64 {
        4 * self.species
    }

    /// The stepper: state, two stages and three nonlinear terms, and the
    /// right-hand side's gradients and packed densities (120 for the game).
    fn stepper(&self) -> u64 {
        6 * self.complex() + self.complex() + 8 * self.pairs
    }

    /// The equilibrium solver: two log buffers and `l_bar`, packed
    /// densities, the spectra, the packed potentials and the Gibbs logs (64
    /// for the game).
    fn solver(&self) -> u64 {
        3 * self.real() + 8 * self.pairs + self.complex() + 8 * self.pairs + self.real()
    }
}

/// Bytes of the parts of a run, fresh or resumed.
struct Parts {
    size: SystemSize,
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
        let size = SystemSize::new(config);
        let mut held = (size.operators + size.stepper() + metrics(config, &size)) * points;
        if config.time.perturbation {
            // The reference spectra, the packed `rho*` and its gradients (40
            // for the game).
            held += (2 * size.complex() + 8 * size.pairs) * points;
        }
        if config.time.fisher_rao > 0.0 {
            // The Fisher-Rao term's packed potentials and products.
            held += 8 * size.pairs * points;
        }
        let (images, readback) = frames(config, shape, size.species);
        let reads_eq = config.time.perturbation || config.output.frame_deviation;
        let frames_eq_logs = if images > 0 && reads_eq {
            size.real() * points
        } else {
            0
        };
        let state = size.complex() * points;
        Parts {
            shape,
            points,
            held,
            set_densities: parts::set_densities(shape),
            frames_setup: images + readback,
            stepping: held + images + frames_eq_logs + state + readback.max(state),
            size,
        }
    }
}

/// The metrics per point: the packed potentials, the Gibbs logs and a copy
/// of the stationary logs (24 for the game), the species' own potentials
/// for a gradient system (which a species config may be: counted whenever
/// it is not the game); in the perturbation form the full state; with
/// `output.w2lin`, the linearised-W2 solver's two real weight pairs and six
/// complex pairs.
fn metrics(config: &Config, size: &SystemSize) -> u64 {
    let mut bytes = 8 * size.pairs + 2 * size.real();
    if !config.is_game() {
        bytes += size.real();
    }
    if config.time.perturbation {
        bytes += size.complex();
    }
    if config.output.w2lin {
        bytes += 2 * 8 + 6 * 16;
    }
    bytes
}

/// The frames' GPU images and the largest readback of one frame, bytes. In 2D
/// each colouring (densities, and deviations with `output.frame_deviation`)
/// holds an RGBA image of every species downsampled to at most `frame_size`
/// per side; in 1D a frame reads the densities back (the packed fields).
fn frames(config: &Config, shape: Shape, species: u64) -> (u64, u64) {
    if Schedule::new(config).frames == 0 {
        return (0, 0);
    }
    if shape.dim() == 1 {
        return (0, 8 * species.div_ceil(2) * shape.len() as u64);
    }
    let factor = (shape.n1 / config.output.frame_size.max(1)).max(1);
    let image = species * 4 * (shape.n1 / factor) as u64 * (shape.n2 / factor) as u64;
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
