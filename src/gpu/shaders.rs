//! The registry of WGSL kernels and their validation by naga.
//!
//! A kernel is its own file under `shaders/`, prefixed by the shared WGSL it uses
//! (`shaders/shared/`). Every entry of [`ALL`] is parsed and validated by naga in a
//! fast test, so a shader error fails `cargo test`, never a user's run. The same
//! [`validate_wgsl`] checks user-written expressions and renders naga's message
//! against the user's text.

use crate::{Error, Result};

/// Complex arithmetic on `vec2<f32>` (re, im).
pub const COMPLEX: &str = include_str!("../../shaders/shared/complex.wgsl");
/// Workgroup tree reductions (sum, min, max, log-sum-exp).
pub const REDUCE: &str = include_str!("../../shaders/shared/reduce.wgsl");
/// Wave numbers, odd-derivative Nyquist handling, mirror index, 2/3 mask.
pub const SPECTRAL: &str = include_str!("../../shaders/shared/spectral.wgsl");
/// e^z and phi_1..3 for ETD schemes.
pub const ETD: &str = include_str!("../../shaders/shared/etd.wgsl");
/// The ETD variable z of a state element.
pub const ETD_COEFFS: &str = include_str!("../../shaders/shared/etd_coeffs.wgsl");
/// Placeholder of a system's species constants (`SPECIES`, `PAIRS`,
/// `species_tau`, `species_rate`), replaced by `system::code::species`.
pub const SPECIES: &str = include_str!("../../shaders/shared/species.wgsl");
/// Placeholder of a system's potentials `phi_spectra(p)` and bindings 0-3,
/// replaced by `system::code::potentials`; shared by the dynamics, the
/// equilibrium and the metrics.
pub const SYSTEM_POTENTIALS: &str = include_str!("../../shaders/shared/system_potentials.wgsl");
/// Placeholder of a system's band-limited term table, replaced by
/// `system::code::band_terms`.
pub const BAND_TERMS: &str = include_str!("../../shaders/shared/band_terms.wgsl");
/// The band-limited mode box: box index and mirrored grid index.
pub const BAND_BOX: &str = include_str!("../../shaders/shared/band_box.wgsl");
/// KL terms in Bregman form.
pub const BREGMAN: &str = include_str!("../../shaders/shared/bregman.wgsl");
/// Philox4x32-10, the counter-based generator of the particles' noise, and
/// Box-Muller normals (CPU twin: `particles::rng`).
pub const PHILOX: &str = include_str!("../../shaders/shared/philox.wgsl");
/// Flat element index of elementwise kernels (workgroups of 256, folded 2D grid).
pub const INDEX: &str = include_str!("../../shaders/shared/index.wgsl");
/// The Stockham FFT's overrides, indexing, twiddles and entry point, shared
/// by the plain transform and the fused line kernels.
pub const STOCKHAM_CORE: &str = include_str!("../../shaders/shared/stockham_core.wgsl");
/// The placeholder of the FFT's generated stages (`crate::fft::stockham_gen`).
pub const STOCKHAM_STAGES: &str = include_str!("../../shaders/shared/stockham_stages.wgsl");
/// The flux `rho_s grad Phi_s` at a grid point of the absolute form; a
/// placeholder replaced by [`FLUX_TERM_PERT`] in the perturbation form.
pub const FLUX_TERM: &str = include_str!("../../shaders/shared/flux_term.wgsl");
/// The flux at a grid point of the perturbation form, with its reference
/// fields' bindings.
pub const FLUX_TERM_PERT: &str = include_str!("../../shaders/shared/flux_term_pert.wgsl");
/// The ETD stage combinations at one element (shared by the elementwise ETD
/// kernels and the fused divergence pass).
pub const ETD_STAGES: &str = include_str!("../../shaders/shared/etd_stages.wgsl");
/// A species' nonlinear term at one point from its packed flux spectrum at
/// the point and at its mirror.
pub const DIVERGENCE_TERM: &str = include_str!("../../shaders/shared/divergence_term.wgsl");
/// The fused divergence pass's store of a predictor; the placeholder the
/// other stages' stores replace.
pub const ETD_STORE_PREDICT: &str = include_str!("../../shaders/shared/etd_store_predict.wgsl");
/// The fused divergence pass's store of ETDRK4's stage c.
pub const ETD_STORE_RK4_C: &str = include_str!("../../shaders/shared/etd_store_rk4_c.wgsl");
/// The fused divergence pass's store of ETDRK4's last combination.
pub const ETD_STORE_RK4_FINISH: &str =
    include_str!("../../shaders/shared/etd_store_rk4_finish.wgsl");
/// The fused divergence pass's store of ETDRK2's last combination.
pub const ETD_STORE_RK2_FINISH: &str =
    include_str!("../../shaders/shared/etd_store_rk2_finish.wgsl");
/// The periodic Gaussian of the non-uniform FFT.
pub const GAUSSIAN: &str = include_str!("../../shaders/shared/gaussian.wgsl");

/// One kernel: a name (its path under `shaders/` without `.wgsl`) and its parts,
/// shared code first, concatenated in order.
#[derive(Debug, Clone, Copy)]
pub struct ShaderSource {
    /// Path under `shaders/` without extension, e.g. `fft/stockham`.
    pub name: &'static str,
    /// WGSL texts concatenated to form the module.
    pub parts: &'static [&'static str],
}

macro_rules! kernel {
    ($name:literal, [$($shared:expr),*]) => {
        ShaderSource {
            name: $name,
            parts: &[$($shared,)* include_str!(concat!("../../shaders/", $name, ".wgsl"))],
        }
    };
}

/// Radix-2/4/8 Stockham FFT along rows or columns, in workgroup memory.
pub const FFT_STOCKHAM: ShaderSource =
    kernel!("fft/stockham", [COMPLEX, STOCKHAM_CORE, STOCKHAM_STAGES]);
/// Two real fields into one complex field `a + i b`.
pub const REAL_PACK: ShaderSource = kernel!("fft/real_pack", [INDEX]);
/// A complex field into its real and imaginary parts.
pub const REAL_UNPACK: ShaderSource = kernel!("fft/real_unpack", [INDEX]);
/// The spectrum of `a + i b` into the spectra of `a` and of `b`.
pub const SPECTRUM_SPLIT: ShaderSource = kernel!("fft/spectrum_split", [COMPLEX, INDEX]);
/// Two spectra `A`, `B` into `A + i B`.
pub const SPECTRUM_MERGE: ShaderSource = kernel!("fft/spectrum_merge", [INDEX]);
/// A plain copy, the memory-bandwidth yardstick of the benchmarks.
pub const COPY: ShaderSource = kernel!("bench/copy", [INDEX]);

/// The normals of one step of a species' particles (or the generator's raw
/// words), one thread per particle and block of four.
pub const PARTICLES_NOISE: ShaderSource = kernel!("particles/noise", [PHILOX]);
/// The Fourier moments `sum_i w_i exp(-i kappa . X_i)` of weighted particles,
/// reduced per workgroup.
pub const PARTICLES_MOMENTS: ShaderSource = kernel!("particles/moments", [REDUCE]);
/// The coefficients of the particles' potentials from their moments.
pub const PARTICLES_COEFFICIENTS: ShaderSource = kernel!("particles/coefficients", [COMPLEX]);
/// One Langevin step of a species' particles (Euler-Maruyama or
/// Leimkuhler-Matthews) with the drift by direct Fourier sums.
pub const PARTICLES_LANGEVIN: ShaderSource = kernel!("particles/langevin", [PHILOX]);
/// Advances the particles' step counter.
pub const PARTICLES_TICK: ShaderSource = kernel!("particles/tick", []);
/// Type-1 spreading of particles onto an oversampled grid (fixed point).
pub const PARTICLES_SPREAD: ShaderSource = kernel!("particles/spread", [GAUSSIAN]);
/// The spread grid's fixed-point sums as a complex field.
pub const PARTICLES_SPREAD_READ: ShaderSource = kernel!("particles/spread_read", []);
/// The spread drift: a species' spread spectrum as a grid density.
pub const PARTICLES_SPREAD_DENSITY: ShaderSource = kernel!("particles/spread_density", [GAUSSIAN]);
/// Type-2 evaluation: a grid spectrum onto the oversampled grid.
pub const PARTICLES_INTERP_PAD: ShaderSource = kernel!("particles/interp_pad", [GAUSSIAN]);
/// Type-2 evaluation: the oversampled grid gathered at the particles.
pub const PARTICLES_INTERP_GATHER: ShaderSource = kernel!("particles/interp_gather", [GAUSSIAN]);
/// The all-pairs drift of one convolution term; placeholder user functions
/// for the kernel and its gradient, replaced at runtime.
pub const PARTICLES_PAIRS: ShaderSource = kernel!(
    "particles/pairs",
    [
        include_str!("../../shaders/game/shared/prelude.wgsl"),
        include_str!("../../shaders/game/shared/user_field.wgsl"),
        include_str!("../../shaders/game/shared/user_gradient.wgsl")
    ]
);
/// The check of a kernel's gradient expression against central differences.
pub const PARTICLES_PAIRS_CHECK: ShaderSource = kernel!(
    "particles/pairs_check",
    [
        include_str!("../../shaders/game/shared/prelude.wgsl"),
        include_str!("../../shaders/game/shared/user_field.wgsl"),
        include_str!("../../shaders/game/shared/user_gradient.wgsl")
    ]
);
/// The squares of the particles' weights.
pub const PARTICLES_SQUARE: ShaderSource = kernel!("particles/square", []);

/// One pass of the c-transform on the torus: lower envelopes along lines.
pub const W2_ENVELOPE: ShaderSource = kernel!("w2/envelope", []);
/// The back-and-forth method's push-forward, deposited in fixed point.
pub const W2_PUSH: ShaderSource = kernel!("w2/push", []);
/// The pushed density from the fixed-point deposits.
pub const W2_PUSH_FINISH: ShaderSource = kernel!("w2/push_finish", []);
/// A half-step's residual as a complex field.
pub const W2_RESIDUAL: ShaderSource = kernel!("w2/residual", []);
/// The inverse periodic five-point Laplacian on spectra.
pub const W2_INVERSE_LAPLACIAN: ShaderSource = kernel!("w2/inverse_laplacian", []);
/// The gradient step `phi += sigma (-Lap)^-1 r`.
pub const W2_ASCEND: ShaderSource = kernel!("w2/ascend", []);
/// A half-step's dual value, `H^-1` norm and primal cost, per workgroup.
pub const W2_SCALARS: ShaderSource = kernel!("w2/scalars", [REDUCE]);
/// A half-step's step rule, on one thread.
pub const W2_RULE: ShaderSource = kernel!("w2/rule", []);

/// One level of the multi-channel reduction tree.
pub const REDUCE_PARTIALS: ShaderSource = kernel!("metrics/reduce_partials", [REDUCE]);

/// A user grid-field expression sampled on the grid (`src/game/sample.rs`); the
/// registered version holds the placeholder user function
/// `shaders/game/shared/user_field.wgsl`, replaced at runtime.
pub const GAME_SAMPLE: ShaderSource = kernel!(
    "game/sample",
    [
        include_str!("../../shaders/game/shared/prelude.wgsl"),
        include_str!("../../shaders/game/shared/user_field.wgsl"),
        INDEX
    ]
);
/// A user interaction `K(x, y)` sampled on a product grid; placeholder user
/// function `shaders/game/shared/user_pair.wgsl`, replaced at runtime.
pub const GAME_SAMPLE_PAIR: ShaderSource = kernel!(
    "game/sample_pair",
    [
        include_str!("../../shaders/game/shared/prelude.wgsl"),
        include_str!("../../shaders/game/shared/user_pair.wgsl"),
        INDEX
    ]
);

/// A user multiplier `M(kappa)` sampled at the grid's wave vectors;
/// placeholder user function `shaders/game/shared/user_spectrum.wgsl`,
/// replaced at runtime.
pub const GAME_SAMPLE_SPECTRUM: ShaderSource = kernel!(
    "game/sample_spectrum",
    [
        include_str!("../../shaders/game/shared/prelude.wgsl"),
        include_str!("../../shaders/game/shared/user_spectrum.wgsl"),
        INDEX
    ]
);
/// Band-limited interaction on its mode box.
pub const BAND: ShaderSource = kernel!("dynamics/band", [COMPLEX, SPECTRAL, BAND_BOX, BAND_TERMS]);
/// Potentials, gradient spectra and packed densities from the state.
pub const POTENTIALS: ShaderSource = kernel!(
    "dynamics/potentials",
    [
        COMPLEX,
        SPECTRAL,
        INDEX,
        SPECIES,
        BAND_BOX,
        SYSTEM_POTENTIALS
    ]
);
/// Fluxes mu grad V and -nu grad U on the grid.
pub const FLUX: ShaderSource = kernel!("dynamics/flux", [INDEX, SPECIES]);
/// Fluxes of the perturbation form.
pub const FLUX_PERT: ShaderSource = kernel!("dynamics/flux_pert", [INDEX, SPECIES]);
/// The potentials' spectral products in the load of the first inverse FFT
/// pass (columns), for one pair of species.
pub const RHS_POTENTIALS_PASS: ShaderSource = kernel!(
    "dynamics/rhs_potentials_pass",
    [
        COMPLEX,
        SPECTRAL,
        SPECIES,
        BAND_BOX,
        SYSTEM_POTENTIALS,
        STOCKHAM_CORE,
        STOCKHAM_STAGES
    ]
);
/// The last inverse row pass, the fluxes and the first forward row pass in
/// one kernel, for one pair of species.
pub const RHS_FLUX_PASS: ShaderSource = kernel!(
    "dynamics/rhs_flux_pass",
    [COMPLEX, SPECIES, FLUX_TERM, STOCKHAM_CORE, STOCKHAM_STAGES]
);
/// The fluxes' forward column pass, the divergence and an ETD stage
/// combination in one kernel, per species.
pub const RHS_DIVERGENCE_PASS: ShaderSource = kernel!(
    "dynamics/rhs_divergence_pass",
    [
        COMPLEX,
        SPECTRAL,
        SPECIES,
        ETD,
        ETD_COEFFS,
        ETD_STAGES,
        DIVERGENCE_TERM,
        STOCKHAM_CORE,
        ETD_STORE_PREDICT,
        STOCKHAM_STAGES
    ]
);
/// Nonlinear terms as divergences of the flux spectra.
pub const DIVERGENCE: ShaderSource = kernel!(
    "dynamics/divergence",
    [COMPLEX, SPECTRAL, INDEX, SPECIES, DIVERGENCE_TERM]
);
/// Fisher-Rao term: the potentials packed two species at a time.
pub const FISHER_RAO_POTENTIALS: ShaderSource = kernel!(
    "dynamics/fisher_rao_potentials",
    [
        COMPLEX,
        SPECTRAL,
        INDEX,
        SPECIES,
        BAND_BOX,
        SYSTEM_POTENTIALS
    ]
);
/// Fisher-Rao term: the products Phi_s rho_s on the grid.
pub const FISHER_RAO_PRODUCT: ShaderSource =
    kernel!("dynamics/fisher_rao_product", [INDEX, SPECIES]);
/// Fisher-Rao term: added to the nonlinear terms from the products' spectra.
pub const FISHER_RAO_REACTION: ShaderSource = kernel!(
    "dynamics/fisher_rao_reaction",
    [COMPLEX, SPECTRAL, INDEX, SPECIES]
);
/// ETD predictor stage.
pub const ETD_PREDICT: ShaderSource = kernel!(
    "dynamics/etd_predict",
    [SPECTRAL, SPECIES, ETD, ETD_COEFFS, ETD_STAGES, INDEX]
);
/// ETDRK4 stage c.
pub const ETD_RK4_C: ShaderSource = kernel!(
    "dynamics/etd_rk4_c",
    [SPECTRAL, SPECIES, ETD, ETD_COEFFS, ETD_STAGES, INDEX]
);
/// ETDRK4 final combination.
pub const ETD_RK4_FINISH: ShaderSource = kernel!(
    "dynamics/etd_rk4_finish",
    [SPECTRAL, SPECIES, ETD, ETD_COEFFS, ETD_STAGES, INDEX]
);
/// ETDRK2 final combination.
pub const ETD_RK2_FINISH: ShaderSource = kernel!(
    "dynamics/etd_rk2_finish",
    [SPECTRAL, SPECIES, ETD, ETD_COEFFS, ETD_STAGES, INDEX]
);

/// Equilibrium: packed spectrum to [mu^, nu^].
pub const EQ_SPLIT: ShaderSource =
    kernel!("equilibrium/eq_split", [COMPLEX, SPECTRAL, INDEX, SPECIES]);
/// Equilibrium: V^ + i U^.
pub const EQ_POTENTIALS: ShaderSource = kernel!(
    "equilibrium/eq_potentials",
    [
        COMPLEX,
        SPECTRAL,
        INDEX,
        SPECIES,
        BAND_BOX,
        SYSTEM_POTENTIALS
    ]
);
/// Equilibrium: extragradient or Gibbs log-densities with log-sum-exp partials.
pub const EQ_LOGITS: ShaderSource = kernel!("equilibrium/eq_logits", [INDEX, REDUCE, SPECIES]);
/// Equilibrium: normalisation of log-densities.
pub const EQ_NORMALISE: ShaderSource = kernel!("equilibrium/eq_normalise", [INDEX, SPECIES]);
/// Equilibrium: packed densities from log-densities.
pub const EQ_EXP: ShaderSource = kernel!("equilibrium/eq_exp", [INDEX, SPECIES]);
/// Equilibrium: residual and KL sums.
pub const EQ_RESIDUAL: ShaderSource =
    kernel!("equilibrium/eq_residual", [INDEX, REDUCE, BREGMAN, SPECIES]);
/// Equilibrium: the Anderson history's store.
pub const AA_STORE: ShaderSource = kernel!("equilibrium/aa_store", [INDEX, REDUCE, SPECIES]);
/// Equilibrium: the Anderson history's dot products, one ring slot.
pub const AA_DOT: ShaderSource = kernel!("equilibrium/aa_dot", [INDEX, REDUCE, SPECIES]);
/// Equilibrium: one term of the Anderson mix of the next iterate.
pub const AA_MIX: ShaderSource = kernel!("equilibrium/aa_mix", [INDEX, REDUCE, SPECIES]);

/// Metrics: per-species statistics against the stationary state.
pub const FIELD_STATS: ShaderSource =
    kernel!("metrics/field_stats", [INDEX, REDUCE, BREGMAN, SPECIES]);
/// Metrics: the full state of the perturbation form.
pub const ADD_STATE: ShaderSource = kernel!("metrics/add_state", [INDEX]);
/// Metrics: equilibrium-gap (Nikaido-Isoda) and free-energy terms.
pub const NI_TERMS: ShaderSource = kernel!("metrics/ni_terms", [INDEX, REDUCE, BREGMAN, SPECIES]);
/// Linearised W2: right-hand side and start of the conjugate gradients.
pub const W2LIN_SETUP: ShaderSource = kernel!("metrics/w2lin_setup", [SPECTRAL, INDEX]);
/// Linearised W2: the operator `-div(rho* grad .)` and its preconditioner.
pub const W2LIN_APPLY: ShaderSource = kernel!("metrics/w2lin_apply", [SPECTRAL, INDEX, REDUCE]);
/// Linearised W2: the scalar recurrences of the conjugate gradients.
pub const W2LIN_UPDATE: ShaderSource = kernel!("metrics/w2lin_update", []);
/// Linearised W2: the vector updates of the conjugate gradients.
pub const W2LIN_VECTORS: ShaderSource = kernel!("metrics/w2lin_vectors", [INDEX]);

/// Colour map with area-average downsampling.
pub const COLORMAP: ShaderSource = kernel!("render/colormap", []);

/// Poincare constant: LOBPCG update and residual.
pub const POINCARE_STEP: ShaderSource = kernel!("analysis/poincare_step", [INDEX, REDUCE]);
/// Poincare constant: deflated, preconditioned residual.
pub const POINCARE_PRECOND: ShaderSource =
    kernel!("analysis/poincare_precond", [SPECTRAL, INDEX, REDUCE]);
/// Poincare constant: Gram-Schmidt of the preconditioned residual.
pub const POINCARE_ORTHO: ShaderSource = kernel!("analysis/poincare_ortho", [INDEX, REDUCE]);
/// Poincare constant: Gram matrices of the LOBPCG basis.
pub const POINCARE_GRAM: ShaderSource = kernel!("analysis/poincare_gram", [INDEX, REDUCE]);
/// `H = -Lap + q` in Hartley coordinates around two FFTs.
pub const HARTLEY_APPLY: ShaderSource = kernel!("analysis/hartley_apply", [SPECTRAL, INDEX]);

/// Every kernel of the crate; the validation test walks this list and checks
/// that every `.wgsl` file under `shaders/` (outside `shared/`) appears in it.
pub const ALL: &[ShaderSource] = &[
    PARTICLES_NOISE,
    PARTICLES_MOMENTS,
    PARTICLES_COEFFICIENTS,
    PARTICLES_LANGEVIN,
    PARTICLES_TICK,
    PARTICLES_SQUARE,
    W2_ENVELOPE,
    W2_PUSH,
    W2_PUSH_FINISH,
    W2_RESIDUAL,
    W2_INVERSE_LAPLACIAN,
    W2_ASCEND,
    W2_SCALARS,
    W2_RULE,
    PARTICLES_SPREAD,
    PARTICLES_SPREAD_READ,
    PARTICLES_SPREAD_DENSITY,
    PARTICLES_PAIRS,
    PARTICLES_PAIRS_CHECK,
    PARTICLES_INTERP_PAD,
    PARTICLES_INTERP_GATHER,
    FFT_STOCKHAM,
    REAL_PACK,
    REAL_UNPACK,
    SPECTRUM_SPLIT,
    SPECTRUM_MERGE,
    COPY,
    REDUCE_PARTIALS,
    GAME_SAMPLE,
    GAME_SAMPLE_PAIR,
    GAME_SAMPLE_SPECTRUM,
    BAND,
    POTENTIALS,
    FLUX,
    FLUX_PERT,
    RHS_POTENTIALS_PASS,
    RHS_FLUX_PASS,
    RHS_DIVERGENCE_PASS,
    DIVERGENCE,
    FISHER_RAO_POTENTIALS,
    FISHER_RAO_PRODUCT,
    FISHER_RAO_REACTION,
    ETD_PREDICT,
    ETD_RK4_C,
    ETD_RK4_FINISH,
    ETD_RK2_FINISH,
    EQ_SPLIT,
    EQ_POTENTIALS,
    EQ_LOGITS,
    EQ_NORMALISE,
    EQ_RESIDUAL,
    AA_STORE,
    AA_DOT,
    AA_MIX,
    EQ_EXP,
    FIELD_STATS,
    NI_TERMS,
    W2LIN_SETUP,
    W2LIN_APPLY,
    W2LIN_UPDATE,
    W2LIN_VECTORS,
    ADD_STATE,
    COLORMAP,
    POINCARE_STEP,
    POINCARE_PRECOND,
    POINCARE_ORTHO,
    POINCARE_GRAM,
    HARTLEY_APPLY,
];

impl ShaderSource {
    /// The full WGSL text of the module.
    pub fn source(&self) -> String {
        self.parts.join("\n")
    }

    /// The WGSL text with each placeholder part (a shared text such as
    /// [`SPECIES`]) replaced by its generated text, in `(placeholder, text)`
    /// pairs; parts that are no placeholder are kept.
    pub fn source_with(&self, replacements: &[(&str, &str)]) -> String {
        self.parts
            .iter()
            .map(|part| {
                replacements
                    .iter()
                    .find(|(placeholder, _)| *placeholder == *part)
                    .map_or(*part, |(_, text)| *text)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Parses and validates the module with naga.
    pub fn validate(&self) -> Result<naga::Module> {
        validate_wgsl(self.name, &self.source())
    }

    /// Creates the wgpu shader module (validated by naga first, so errors carry
    /// naga's rendered message rather than a device-level panic).
    pub fn module(&self, device: &wgpu::Device) -> Result<wgpu::ShaderModule> {
        let text = self.source();
        validate_wgsl(self.name, &text)?;
        Ok(device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(self.name),
            source: wgpu::ShaderSource::Wgsl(text.into()),
        }))
    }
}

/// Parses and validates WGSL `text` with naga; on failure the error holds naga's
/// message rendered against `text` (line, column and a caret under the fault).
pub fn validate_wgsl(name: &str, text: &str) -> Result<naga::Module> {
    let module = naga::front::wgsl::parse_str(text).map_err(|e| Error::Shader {
        module: name.to_string(),
        message: e.emit_to_string_with_path(text, name),
    })?;
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    );
    validator.validate(&module).map_err(|e| Error::Shader {
        module: name.to_string(),
        message: e.emit_to_string_with_path(text, name),
    })?;
    Ok(module)
}
