//! Fourier moments of weighted particles on the GPU, and their f64 CPU
//! reference (docs/MATHEMATICS.md section 9):
//!
//! `m^(kappa_j) = sum_i w_i exp(-i kappa_j . X_i)`, `kappa_j = (2 pi / L) k_j`
//!
//! for integer wave vectors `k_j`, with weights `w_i` (1/n for plain
//! particles). Each thread sums 16 particles in a fixed order, each
//! workgroup its 256 threads pairwise, and the partials are finished by a
//! fixed tree ([`Reducer`]), so a result is bit-reproducible on one device.

use num_complex::Complex64;
use wgpu::util::DeviceExt;

use crate::gpu::pipeline::{elementwise_groups, Kernel, ELEMENTWISE_WG};
use crate::gpu::shaders::PARTICLES_MOMENTS;
use crate::gpu::GpuContext;
use crate::metrics::reduce::{Op, Reducer, RED_WG};
use crate::{Error, Result};

/// Particles each thread sums before the workgroup's tree (`PER_THREAD` in
/// particles/moments.wgsl).
const PER_THREAD: u64 = 16;

/// The moments kernel for `count` particles and a list of modes, bound to
/// the particles' buffers.
#[derive(Debug)]
pub struct Moments {
    kernel: Kernel,
    bind: wgpu::BindGroup,
    reducer: Reducer,
    groups: [u32; 3],
    modes: usize,
    _modes_buffer: wgpu::Buffer,
}

impl Moments {
    /// Moments at the integer wave vectors `modes` (`[k1, k2]`; `k2 = 0` in
    /// 1D) of the `count` particles in `positions` (`count` `vec2<f32>`
    /// positions `(x, y)` on the torus of side `length`, `y = 0` in 1D)
    /// with `weights` (`count` f32).
    pub fn new(
        ctx: &GpuContext,
        positions: &wgpu::Buffer,
        weights: &wgpu::Buffer,
        count: u32,
        length: f64,
        modes: &[[i32; 2]],
    ) -> Result<Self> {
        if count == 0 || modes.is_empty() {
            return Err(Error::Usage(format!(
                "Fourier moments of {count} particles at {} modes: both must be positive",
                modes.len()
            )));
        }
        if positions.size() < 8 * u64::from(count) || weights.size() < 4 * u64::from(count) {
            return Err(Error::Usage(format!(
                "Fourier moments of {count} particles: the positions need {} bytes and the \
                 weights {}, got {} and {}",
                8 * u64::from(count),
                4 * u64::from(count),
                positions.size(),
                weights.size()
            )));
        }
        if !(length.is_finite() && length > 0.0) {
            return Err(Error::Usage(format!(
                "Fourier moments on a torus of side {length}: it must be positive"
            )));
        }
        let device = &ctx.device;
        let kernel = Kernel::new(
            device,
            &PARTICLES_MOMENTS,
            "main",
            &[
                ("COUNT", f64::from(count)),
                ("MODES", modes.len() as f64),
                ("LENGTH", length),
                ("PER_THREAD", PER_THREAD as f64),
            ],
        )?;
        let modes_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("particles.modes"),
            contents: bytemuck::cast_slice(modes),
            usage: wgpu::BufferUsages::STORAGE,
        });
        // Workgroups of RED_WG threads of PER_THREAD particles each, folded
        // as elementwise kernels fold.
        const _: () = assert!(RED_WG == ELEMENTWISE_WG);
        let groups = elementwise_groups(u64::from(count).div_ceil(PER_THREAD));
        let channels = 2 * modes.len() as u64;
        let partials = channels * u64::from(groups[0] * groups[1]) * 8;
        if channels > 65535 || partials > ctx.max_binding_bytes() {
            return Err(Error::Usage(format!(
                "Fourier moments of {count} particles at {} modes: {channels} channels \
                 (at most 65535) and {partials} bytes of partials (at most {} in one binding \
                 here); take fewer modes or particles per measurement",
                modes.len(),
                ctx.max_binding_bytes()
            )));
        }
        let ops = vec![Op::Sum; 2 * modes.len()];
        let reducer = Reducer::new(ctx, "particles.moments", &ops, groups[0] * groups[1])?;
        let bind = kernel.bind(
            device,
            &[positions, weights, &modes_buffer, &reducer.partials],
        );
        Ok(Moments {
            kernel,
            bind,
            reducer,
            groups,
            modes: modes.len(),
            _modes_buffer: modes_buffer,
        })
    }

    /// Records the moments into the reducer's result (no readback).
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.kernel.dispatch(pass, &self.bind, self.groups);
        self.reducer.record(pass);
    }

    /// The reducer's result after [`Self::record`]: one `vec2<f32>` per
    /// channel, mode j's real part in channel `2 j` (`.x`), its imaginary
    /// part in channel `2 j + 1`.
    pub fn result(&self) -> &wgpu::Buffer {
        &self.reducer.result
    }

    /// Kernel dispatches of one [`Self::record`].
    pub fn dispatches(&self) -> u32 {
        1 + self.reducer.levels() as u32
    }

    /// Computes and reads the moments (blocking): one complex value per mode.
    pub fn measure(&self, ctx: &GpuContext) -> Result<Vec<Complex64>> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        self.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let v = self.reducer.read(ctx)?;
        Ok((0..self.modes)
            .map(|j| Complex64::new(v[2 * j], v[2 * j + 1]))
            .collect())
    }
}

/// The f64 reference of [`Moments`]: `sum_i w_i exp(-i (2 pi / L) k_j . X_i)`
/// for every mode `k_j`, positions `(x, y)` per particle.
pub fn moments_cpu(
    positions: &[[f64; 2]],
    weights: &[f64],
    length: f64,
    modes: &[[i32; 2]],
) -> Vec<Complex64> {
    let unit = std::f64::consts::TAU / length;
    modes
        .iter()
        .map(|k| {
            positions
                .iter()
                .zip(weights)
                .map(|(x, w)| {
                    let phase = unit * (f64::from(k[0]) * x[0] + f64::from(k[1]) * x[1]);
                    Complex64::from_polar(*w, -phase)
                })
                .sum()
        })
        .collect()
}
