//! Sampling user expressions on the GPU (setup time only): the registered
//! kernels `game/sample` and `game/sample_pair` with their placeholder user
//! function replaced by the one generated from the user's text.

use crate::game::expr::{check_expr, user_function, ExprKind};
use crate::game::trig::{accurate_trig, TRIG};
use crate::gpu::field::read_buffer_async;
use crate::gpu::pipeline::{elementwise_groups, storage};
use crate::gpu::shaders::{
    validate_wgsl, ShaderSource, GAME_SAMPLE, GAME_SAMPLE_PAIR, GAME_SAMPLE_SPECTRUM,
};
use crate::gpu::{GpuContext, GpuField, Shape};
use crate::{Error, Result};

/// Most samples of `K(x, y)` one product grid may hold (`P^(2d)`).
pub const MAX_PAIR_SAMPLES: u64 = 1 << 24;

/// The WGSL of `shader` with its placeholder user function replaced by the one
/// generated from `text`, its `sin`, `cos` and `tan` the accurate ones
/// ([`accurate_trig`]), whose definitions end the module.
fn module_text(shader: &ShaderSource, text: &str, kind: ExprKind) -> String {
    let generated = user_function(&accurate_trig(text, kind), kind);
    shader
        .parts
        .iter()
        .map(|part| {
            if *part == kind.placeholder() {
                generated.wgsl.as_str()
            } else {
                part
            }
        })
        .chain([TRIG])
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_length(length: f64) -> Result<()> {
    if length.is_finite() && length > 0.0 {
        Ok(())
    } else {
        Err(Error::Grid(format!(
            "the domain length L must be finite and positive, got {length}"
        )))
    }
}

/// Builds the module, runs `entry` once over `count` points with `values`
/// (read-write, binding 0) and the optional read-only `input` (binding 1), and
/// reads `values` back.
async fn run(
    ctx: &GpuContext,
    label: &str,
    source: &str,
    entry: &str,
    count: u64,
    input: Option<&GpuField>,
    constants: &[(&str, f64)],
) -> Result<Vec<f32>> {
    let device = &ctx.device;
    validate_wgsl(label, source)?;
    let scope = crate::gpu::ErrorScope::push(device, wgpu::ErrorFilter::Validation);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let mut entries = vec![storage(0, false)];
    if input.is_some() {
        entries.push(storage(1, true));
    }
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &entries,
    });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(label),
        layout: Some(&pipeline_layout),
        module: &module,
        entry_point: Some(entry),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants,
            zero_initialize_workgroup_memory: true,
        },
        cache: None,
    });
    if let Some(e) = scope.pop() {
        return Err(Error::Device(format!("building pipeline `{label}`: {e}")));
    }
    let values = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: count * 4,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let mut bound = vec![wgpu::BindGroupEntry {
        binding: 0,
        resource: values.as_entire_binding(),
    }];
    if let Some(field) = input {
        bound.push(wgpu::BindGroupEntry {
            binding: 1,
            resource: field.buffer.as_entire_binding(),
        });
    }
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout: &layout,
        entries: &bound,
    });
    let mut encoder =
        device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(label),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        let [x, y, z] = elementwise_groups(count);
        pass.dispatch_workgroups(x, y, z);
    }
    ctx.queue.submit([encoder.finish()]);
    ctx.wait()?;
    read_buffer_async(ctx, &values, count * 4).await
}

/// `(j1 h1, j2 h2)` of flat grid index `i`, for messages.
fn grid_point(shape: Shape, length: f64, i: usize) -> [f64; 2] {
    let (j1, j2) = (i % shape.n1 as usize, i / shape.n1 as usize);
    [
        j1 as f64 * length / shape.n1 as f64,
        j2 as f64 * length / shape.n2 as f64,
    ]
}

/// Evaluates the expression `text` of `kind` (not the interaction) at every
/// point of `shape`: element `[j2, j1]` (flat `j2 * n1 + j1`) is f at the point
/// `(j1 h1, j2 h2)`, `h1 = length / n1`, `h2 = length / n2` (0 in 1D), with `eq`
/// (shape `(n2, n1)`, required for and only for [`ExprKind::Init`]) at the same
/// index. Checks the expression first; a non-finite value is an
/// [`Error::Data`] naming `field` and the first bad point. `rand` in an
/// [`ExprKind::Init`] expression draws with seed 0 here; see
/// [`sample_init`](crate::game::sample_init) for a chosen seed.
pub fn sample_grid(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    kind: ExprKind,
    shape: Shape,
    length: f64,
    eq: Option<&[f32]>,
) -> Result<Vec<f32>> {
    crate::gpu::block(sample_grid_async(ctx, field, text, kind, shape, length, eq))
}

/// [`sample_grid`] as a future: what a browser awaits.
pub async fn sample_grid_async(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    kind: ExprKind,
    shape: Shape,
    length: f64,
    eq: Option<&[f32]>,
) -> Result<Vec<f32>> {
    sample_grid_seeded(ctx, field, text, kind, shape, length, eq, 0).await
}

/// [`sample_grid`] with `seed` for `rand` (used by [`ExprKind::Init`] only).
#[allow(
    clippy::too_many_arguments,
    reason = "sample_grid's arguments and the seed"
)]
pub(crate) async fn sample_grid_seeded(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    kind: ExprKind,
    shape: Shape,
    length: f64,
    eq: Option<&[f32]>,
    seed: u64,
) -> Result<Vec<f32>> {
    if kind == ExprKind::Interaction {
        return Err(Error::Usage(format!(
            "{field}: an interaction K(x, y) is sampled with sample_pair, not on one grid"
        )));
    }
    if eq.is_some() != (kind == ExprKind::Init) {
        return Err(Error::Usage(format!(
            "{field}: the equilibrium density `eq` is passed for initial densities only"
        )));
    }
    if shape.is_empty() {
        return Err(Error::Usage(format!(
            "{field}: the grid {shape} has no points"
        )));
    }
    check_length(length)?;
    check_expr(field, text, kind)?;
    let count = shape.len() as u64;
    GpuField::check_fits(ctx, shape, 1, crate::gpu::Elem::Real)?;
    let eq_field = eq
        .map(|data| GpuField::from_data(ctx, "game.eq", shape, 1, crate::gpu::Elem::Real, data))
        .transpose()?;
    let source = module_text(&GAME_SAMPLE, text, kind);
    let mut constants = vec![
        ("N1", shape.n1 as f64),
        ("COUNT", count as f64),
        ("H1", length / shape.n1 as f64),
        ("H2", length / shape.n2 as f64),
        ("L", length),
    ];
    if kind == ExprKind::Init {
        // `rand`'s constants (shaders/game/shared/rand.wgsl), present only then.
        constants.extend([
            ("RAND_N1", shape.n1 as f64),
            ("RAND_N2", shape.n2 as f64),
            ("RAND_INV_H1", shape.n1 as f64 / length),
            ("RAND_INV_H2", shape.n2 as f64 / length),
            ("RAND_SEED_LO", (seed & 0xffff_ffff) as f64),
            ("RAND_SEED_HI", (seed >> 32) as f64),
        ]);
    }
    let entry = if eq_field.is_some() {
        "main_eq"
    } else {
        "main"
    };
    let label = format!("game/sample ({field})");
    let values = run(
        ctx,
        &label,
        &source,
        entry,
        count,
        eq_field.as_ref(),
        &constants,
    )
    .await?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        let [p1, p2] = grid_point(shape, length, i);
        let var = kind.variables()[0].0;
        let at = if eq.is_some() {
            format!(" (eq = {})", eq.map_or(0.0, |e| e[i]))
        } else {
            String::new()
        };
        return Err(Error::Data {
            field: field.to_string(),
            message: format!(
                "`{}` is {} at {var} = ({p1:.6}, {p2:.6}){at}, grid element [{}, {}]; the \
                 expression must be finite at every grid point, including 0 and the edges \
                 of [0, L) (watch log, sqrt, pow and division)",
                text.trim(),
                values[i],
                i / shape.n1 as usize,
                i % shape.n1 as usize
            ),
        });
    }
    Ok(values)
}

/// Evaluates the interaction `text` (variables `x`, `y`) on the product of two
/// `p^dim` grids of spacing `H = length / p`: flat index
/// `((iy2 p + iy1) p + ix2) p + ix1` holds `K((ix1 H, ix2 H), (iy1 H, iy2 H))` in
/// 2D, `iy1 p + ix1` holds `K((ix1 H, 0), (iy1 H, 0))` in 1D. A non-finite value
/// is an [`Error::Data`] naming `field` and the first bad pair of points.
pub fn sample_pair(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    dim: u32,
    p: u32,
    length: f64,
) -> Result<Vec<f32>> {
    crate::gpu::block(sample_pair_async(ctx, field, text, dim, p, length))
}

/// [`sample_pair`] as a future: what a browser awaits.
pub async fn sample_pair_async(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    dim: u32,
    p: u32,
    length: f64,
) -> Result<Vec<f32>> {
    if !(1..=2).contains(&dim) || p == 0 {
        return Err(Error::Usage(format!(
            "{field}: sample_pair needs dim 1 or 2 and p >= 1, got dim {dim}, p {p}"
        )));
    }
    check_length(length)?;
    let count = (p as u64).pow(2 * dim);
    if count > MAX_PAIR_SAMPLES || count * 4 > ctx.max_binding_bytes() {
        return Err(Error::Grid(format!(
            "{field}: {p}^{} = {count} samples of K(x, y) is more than this solver samples \
             (at most {MAX_PAIR_SAMPLES} and {} bytes); lower the bandwidth",
            2 * dim,
            ctx.max_binding_bytes()
        )));
    }
    check_expr(field, text, ExprKind::Interaction)?;
    let source = module_text(&GAME_SAMPLE_PAIR, text, ExprKind::Interaction);
    let constants = [
        ("P", p as f64),
        ("DIM", dim as f64),
        ("COUNT", count as f64),
        ("H", length / p as f64),
        ("L", length),
    ];
    let label = format!("game/sample_pair ({field})");
    let values = run(ctx, &label, &source, "main", count, None, &constants).await?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        let h = length / p as f64;
        let p = p as usize;
        let (x, y) = if dim == 1 {
            ([i % p, 0], [i / p, 0])
        } else {
            ([i % p, (i / p) % p], [(i / (p * p)) % p, i / (p * p * p)])
        };
        return Err(Error::Data {
            field: field.to_string(),
            message: format!(
                "`{}` is {} at x = ({:.6}, {:.6}), y = ({:.6}, {:.6}); the interaction must \
                 be finite for all x, y in [0, L)^d (watch log, sqrt, pow and division)",
                text.trim(),
                values[i],
                x[0] as f64 * h,
                x[1] as f64 * h,
                y[0] as f64 * h,
                y[1] as f64 * h
            ),
        });
    }
    Ok(values)
}

/// Which form a multiplier expression has: [`ExprKind::Spectrum`] when it is
/// a real (`f32`) expression, else [`ExprKind::SpectrumComplex`] when it is a
/// `vec2<f32>` (re, im). Errors are the real form's (naga's message against
/// the user's text), which also says that a `vec2<f32>` is accepted.
pub fn check_spectrum(field: &str, text: &str) -> Result<ExprKind> {
    match check_expr(field, text, ExprKind::Spectrum) {
        Ok(()) => Ok(ExprKind::Spectrum),
        Err(real) => match check_expr(field, text, ExprKind::SpectrumComplex) {
            Ok(()) => Ok(ExprKind::SpectrumComplex),
            Err(_) => Err(real),
        },
    }
}

/// Evaluates the multiplier `text` (variable `kappa`, real or `vec2` (re,
/// im), [`check_spectrum`]) at the wave vector `2 pi m / L` of every index of
/// `shape` in numpy's layout, as `(re, im)`. The value at `kappa = 0` is
/// replaced by 0 (it never enters the drift, and `-1 / dot(kappa, kappa)` is
/// infinite there); a non-finite value anywhere else is an [`Error::Data`]
/// naming `field` and the wave vector.
pub fn sample_spectrum(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    shape: Shape,
    length: f64,
) -> Result<Vec<[f32; 2]>> {
    crate::gpu::block(sample_spectrum_async(ctx, field, text, shape, length))
}

/// [`sample_spectrum`] as a future: what a browser awaits.
pub async fn sample_spectrum_async(
    ctx: &GpuContext,
    field: &str,
    text: &str,
    shape: Shape,
    length: f64,
) -> Result<Vec<[f32; 2]>> {
    check_length(length)?;
    let kind = check_spectrum(field, text)?;
    let count = shape.len() as u64;
    GpuField::check_fits(ctx, shape, 1, crate::gpu::Elem::Complex)?;
    let source = module_text(&GAME_SAMPLE_SPECTRUM, text, kind);
    let constants = [
        ("N1", shape.n1 as f64),
        ("N2", shape.n2 as f64),
        ("COUNT", count as f64),
        ("L", length),
    ];
    let label = format!("game/sample_spectrum ({field})");
    // Two f32 per point: `run` sizes its buffer by the count of f32s.
    let raw = run(ctx, &label, &source, "main", 2 * count, None, &constants).await?;
    let mut values: Vec<[f32; 2]> = raw.chunks(2).map(|c| [c[0], c[1]]).collect();
    values[0] = [0.0, 0.0];
    // The multiplier of a real kernel is Hermitian, M(-kappa) = conj M(kappa),
    // which the packed transforms rely on: keep the Hermitian part (a real
    // expression's even part; the self-conjugate modes real).
    let spectral = crate::fft::spectral::Spectral::new(shape, length);
    let sampled = values.clone();
    for (p, v) in values.iter_mut().enumerate() {
        let m = sampled[spectral.mirror(p)];
        *v = [0.5 * (v[0] + m[0]), 0.5 * (v[1] - m[1])];
    }
    if let Some(i) = values
        .iter()
        .position(|v| !(v[0].is_finite() && v[1].is_finite()))
    {
        let s = crate::fft::spectral::Spectral::new(shape, length);
        let (k1, k2) = s.kappa(i);
        let (m1, m2) = s.wave_vector(i);
        return Err(Error::Data {
            field: field.to_string(),
            message: format!(
                "`{}` is ({}, {}) at kappa = ({k1:.6}, {k2:.6}) (wave numbers ({m1}, {m2})); \
                 the multiplier must be finite at every wave vector of the grid except \
                 kappa = 0, whose value is ignored",
                text.trim(),
                values[i][0],
                values[i][1]
            ),
        });
    }
    Ok(values)
}
