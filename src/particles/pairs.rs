//! The all-pairs drift (docs/MATHEMATICS.md section 9): the convolution
//! terms of the particles' potentials summed over every pair of particles,
//! with the kernel and its gradient evaluated where the particles are, so
//! that the particles feel the kernel itself rather than the grid's
//! trigonometric interpolant of its samples. The exact reference of the two
//! grid-based drifts, at `O(n_s n_r)` per term and step.
//!
//! A convolution term `Phi_t(x) += sign ∫ k(±(x - y)) rho_r(y) dy` of the
//! system becomes, for the measure `sum_j w_j delta_{X_j} / W_r` of source
//! r's particles,
//!
//! ```text
//! grad Phi_t(x_i) += sign sum_j w_j (±grad k)(±(x_i - X_j)) / W_r,
//! Phi_t(x_i)      += sign sum_j w_j k(±(x_i - X_j)) / W_r,
//! ```
//!
//! each displacement wrapped to [0, L) per axis, where the grid samples `k`
//! (`shaders/particles/pairs.wgsl`: sources through workgroup memory, one
//! thread per target particle summing in the sources' order with Kahan
//! compensation). The kernel is the config's `kernel` expression and its
//! gradient `kernel_gradient`, which this drift needs (a kernel given by its
//! multiplier has no space form, and is refused). Potentials and
//! band-limited terms keep their direct Fourier sums.

use crate::config::Config;
use crate::game::expr::{
    is_zero, user_function, ExprKind, FIELD_PLACEHOLDER, GRADIENT_PLACEHOLDER,
};
use crate::gpu::field::read_buffer;
use crate::gpu::pipeline::{folded_groups, Kernel};
use crate::gpu::shaders::{PARTICLES_PAIRS, PARTICLES_PAIRS_CHECK};
use crate::gpu::GpuContext;
use crate::particles::drift::ParticleSource;
use crate::{Error, Result};

/// One convolution term as the all-pairs drift evaluates it.
#[derive(Debug, Clone, PartialEq)]
pub struct PairTerm {
    /// Species that feels the term.
    pub target: usize,
    /// Species it is summed over.
    pub source: usize,
    /// `+1` or `-1`.
    pub sign: f32,
    /// The kernel is `k(-z)` (the game's max player: `z = y - x`).
    pub reflect: bool,
    /// `k(z)`, a WGSL expression in `z`.
    pub kernel: String,
    /// `grad k(z)`, a WGSL `vec2<f32>` expression in `z`.
    pub gradient: String,
    /// The config key of the gradient, for messages.
    pub field: String,
}

/// The convolution terms of `config`'s system, in the order the grid sums
/// them (literal-zero kernels left out), or an error naming the field and
/// why the all-pairs drift cannot serve one: a kernel given by its
/// multiplier, or one without `kernel_gradient`.
pub fn pair_terms(config: &Config) -> Result<Vec<PairTerm>> {
    let missing = |field: &str| {
        Error::config(
            field,
            "drift = \"pairs\" evaluates the kernel's gradient at every pair of particles: add \
             kernel_gradient = \"...\" (a vec2<f32> expression in z, grad k(z)) beside the \
             kernel, or use drift = \"spread\"",
        )
    };
    let spectral = |field: &str| {
        Error::config(
            field,
            "drift = \"pairs\" evaluates the kernel in space, and this one is given by its \
             multiplier M(kappa) only; use drift = \"spread\" or \"fourier\", or give the \
             kernel as `kernel` with its `kernel_gradient`",
        )
    };
    let mut terms = Vec::new();
    if let Some(g) = &config.game {
        if g.kernel_spectrum.is_some() {
            return Err(spectral("game.kernel_spectrum"));
        }
        if is_zero(&g.kernel) {
            return Ok(terms);
        }
        let gradient = g
            .kernel_gradient
            .clone()
            .ok_or_else(|| missing("game.kernel_gradient"))?;
        for (target, source, sign, reflect) in [(0, 1, 1.0, false), (1, 0, -1.0, true)] {
            terms.push(PairTerm {
                target,
                source,
                sign,
                reflect,
                kernel: g.kernel.clone(),
                gradient: gradient.clone(),
                field: "game.kernel_gradient".into(),
            });
        }
        return Ok(terms);
    }
    let names = config.species_names();
    let index = |name: &str| names.iter().position(|n| n == name);
    for (i, c) in config.coupling.iter().enumerate() {
        if c.kernel_spectrum.is_some() {
            return Err(spectral(&format!("coupling[{i}].kernel_spectrum")));
        }
        let Some(kernel) = c.kernel.as_ref().filter(|k| !is_zero(k)) else {
            continue;
        };
        let gradient = c
            .kernel_gradient
            .clone()
            .ok_or_else(|| missing(&format!("coupling[{i}].kernel_gradient")))?;
        let (Some(target), Some(source)) = (index(&c.target), index(&c.source)) else {
            return Err(Error::Internal(format!(
                "coupling[{i}] names a species the validated config does not have"
            )));
        };
        terms.push(PairTerm {
            target,
            source,
            sign: 1.0,
            reflect: false,
            kernel: kernel.clone(),
            gradient,
            field: format!("coupling[{i}].kernel_gradient"),
        });
    }
    Ok(terms)
}

/// Points at which [`check_gradient`] compares.
const CHECK_POINTS: u32 = 256;

/// Refuses a gradient expression that is not the kernel's: at
/// [`CHECK_POINTS`] points of `[h, L - h)^d` (a golden-ratio lattice) it must
/// agree with the kernel's central differences of step `h = L / 4096` to 1e-2
/// of their largest value (their own error is below 1e-4 of it for kernels
/// that vary over more than a few hundredths of L). `code` holds the two
/// generated functions.
pub fn check_gradient(
    ctx: &GpuContext,
    term: &PairTerm,
    code: &[(&str, &str)],
    length: f64,
    dim: u32,
) -> Result<()> {
    let device = &ctx.device;
    let h = length / 4096.0;
    let kernel = Kernel::generated(
        device,
        &PARTICLES_PAIRS_CHECK,
        code,
        "main",
        &[
            ("POINTS", f64::from(CHECK_POINTS)),
            ("DIM", f64::from(dim)),
            ("H", h),
            ("L", length),
        ],
    )?;
    let out = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("particles.pairs_check"),
        size: 16 * u64::from(CHECK_POINTS),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let bind = kernel.bind(device, &[&out]);
    let mut encoder = device.create_command_encoder(&Default::default());
    kernel.dispatch(
        &mut encoder.begin_compute_pass(&Default::default()),
        &bind,
        [CHECK_POINTS.div_ceil(64), 1, 1],
    );
    ctx.queue.submit([encoder.finish()]);
    let v = read_buffer(ctx, &out, 16 * u64::from(CHECK_POINTS))?;
    let rows: Vec<[f64; 4]> = v
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]].map(f64::from))
        .collect();
    let scale = rows.iter().map(|r| r[2].hypot(r[3])).fold(0.0f64, f64::max);
    let worst = rows
        .iter()
        .map(|r| ((r[0] - r[2]).hypot(r[1] - r[3]), r))
        .fold((0.0f64, &rows[0]), |a, b| if b.0 > a.0 { b } else { a });
    let finite = rows.iter().flatten().all(|v| v.is_finite());
    let agrees = finite && worst.0 <= 1e-2 * scale;
    if !agrees {
        let r = worst.1;
        return Err(Error::config(
            &term.field,
            format!(
                "is not the gradient of the kernel `{}`: it gives ({:.6}, {:.6}) where central \
                 differences of the kernel give ({:.6}, {:.6}); write grad k(z) of that kernel \
                 as a vec2<f32> expression in z",
                term.kernel, r[0], r[1], r[2], r[3]
            ),
        ));
    }
    Ok(())
}

/// One term's kernel and bindings.
#[derive(Debug)]
struct TermKernel {
    kernel: Kernel,
    bind: wgpu::BindGroup,
    groups: [u32; 3],
}

/// The all-pairs drift of every convolution term, built once.
#[derive(Debug)]
pub struct PairDrift {
    terms: Vec<TermKernel>,
    /// Per species: `grad Phi` of its convolution terms at its particles
    /// (`vec2<f32>` each; 0 when none targets it).
    gradients: Vec<wgpu::Buffer>,
    /// Per species: their `Phi` at its particles (`vec2<f32>` each, the real part).
    values: Vec<wgpu::Buffer>,
    pairs: u64,
    bytes: u64,
}

impl PairDrift {
    /// The drift of `terms` on a torus of side `length` in `dim` dimensions
    /// at the particles of `sources` (one per species). Each term's gradient
    /// is first checked against its kernel ([`check_gradient`]).
    pub fn new(
        ctx: &GpuContext,
        terms: &[PairTerm],
        length: f64,
        dim: u32,
        sources: &[ParticleSource<'_>],
    ) -> Result<Self> {
        let device = &ctx.device;
        let zeroed = |label: &str, count: u32| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 8 * u64::from(count),
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        };
        let gradients: Vec<wgpu::Buffer> = sources
            .iter()
            .map(|s| zeroed("particles.pairs_grad", s.count))
            .collect();
        let values: Vec<wgpu::Buffer> = sources
            .iter()
            .map(|s| zeroed("particles.pairs_value", s.count))
            .collect();
        let mut kernels = Vec::with_capacity(terms.len());
        let (mut pairs, mut bytes) = (0u64, 0u64);
        for (i, term) in terms.iter().enumerate() {
            let (Some(t), Some(r)) = (sources.get(term.target), sources.get(term.source)) else {
                return Err(Error::Usage(format!(
                    "pair term {i} couples species {} and {}, of {} particle sets",
                    term.target,
                    term.source,
                    sources.len()
                )));
            };
            let field = user_function(&term.kernel, ExprKind::Kernel);
            let gradient = user_function(&term.gradient, ExprKind::KernelGradient);
            let code = [
                (FIELD_PLACEHOLDER, field.wgsl.as_str()),
                (GRADIENT_PLACEHOLDER, gradient.wgsl.as_str()),
            ];
            check_gradient(ctx, term, &code, length, dim)?;
            let earlier = terms[..i].iter().any(|e| e.target == term.target);
            let kernel = Kernel::generated(
                device,
                &PARTICLES_PAIRS,
                &code,
                "main",
                &[
                    ("COUNT", f64::from(t.count)),
                    ("SOURCES", f64::from(r.count)),
                    ("L", length),
                    ("SIGN", f64::from(term.sign)),
                    ("REFLECT", f64::from(u8::from(term.reflect))),
                    ("ACCUMULATE", f64::from(u8::from(earlier))),
                    ("DIM", f64::from(dim)),
                ],
            )?;
            let bind = kernel.bind(
                device,
                &[
                    t.positions,
                    r.positions,
                    r.weights,
                    &gradients[term.target],
                    &values[term.target],
                ],
            );
            let here = u64::from(t.count) * u64::from(r.count);
            pairs += here;
            bytes += 12 * here.div_ceil(256) + u64::from(t.count) * (24 + 16 * u64::from(earlier));
            kernels.push(TermKernel {
                kernel,
                bind,
                groups: folded_groups(u64::from(t.count), 256),
            });
        }
        Ok(PairDrift {
            terms: kernels,
            gradients,
            values,
            pairs,
            bytes,
        })
    }

    /// Records every term, in order.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        for t in &self.terms {
            t.kernel.dispatch(pass, &t.bind, t.groups);
        }
    }

    /// Species `s`'s convolution gradient at its particles.
    pub fn gradient(&self, s: usize) -> &wgpu::Buffer {
        &self.gradients[s]
    }

    /// Species `s`'s convolution potential at its particles (real parts).
    pub fn value(&self, s: usize) -> &wgpu::Buffer {
        &self.values[s]
    }

    /// Pairs evaluated per step (each a kernel value and gradient).
    pub fn pairs(&self) -> u64 {
        self.pairs
    }

    /// Kernel dispatches of [`Self::record`].
    pub fn dispatches(&self) -> u32 {
        self.terms.len() as u32
    }

    /// Device memory moved by [`Self::record`], in bytes: per term each
    /// source's position and weight (12 B) once per target workgroup of 256,
    /// each target's position read and values written (24 B; 16 more when
    /// added to an earlier term's).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}
