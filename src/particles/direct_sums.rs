//! The direct Fourier sums' tables on the GPU ([`super::fourier`]): the
//! rows of every species' potential, the entries that make each row's
//! coefficient from the moments, and the kernel that evaluates them once per
//! step,
//!
//! ```text
//! P_t = A_t + sum_{e in row t} F_e m[slot_e]   (each m divided by its
//!                                               species' total weight
//!                                               when the weights move)
//! ```
//!
//! before the position updates read `P_t` with the row's wave vector.

use num_complex::Complex64;

use crate::gpu::field::storage_init;
use crate::gpu::pipeline::Kernel;
use crate::gpu::shaders::PARTICLES_COEFFICIENTS;
use crate::gpu::GpuContext;
use crate::particles::fourier::FourierTables;
use crate::Result;

/// The tables of [`FourierTables`] in storage buffers, the moment table the
/// species' moment passes fill, and the coefficient kernel.
#[derive(Debug)]
pub struct DirectSums {
    rows: u32,
    /// `rows` coefficients `P_t`, `vec2<f32>` each, written by the kernel.
    coeffs: wgpu::Buffer,
    /// `rows` integer wave vectors `k_t`, `vec2<i32>` each.
    row_modes: wgpu::Buffer,
    /// `rows` wave vectors of the gradient (Nyquist components zeroed).
    row_grad: wgpu::Buffer,
    /// Every species' moments side by side (16 bytes per slot), species s's
    /// from slot [`FourierTables::moment_first`]`[s]`.
    moments: wgpu::Buffer,
    kernel: Kernel,
    bind: wgpu::BindGroup,
    _tables: [wgpu::Buffer; 5],
}

fn complex_pairs(v: &[Complex64]) -> Vec<[f32; 2]> {
    v.iter().map(|c| [c.re as f32, c.im as f32]).collect()
}

impl DirectSums {
    /// Uploads `tables` (their rows may be empty: the buffers are then
    /// placeholders and [`Self::record`] dispatches nothing).
    pub fn new(ctx: &GpuContext, tables: &FourierTables) -> Result<Self> {
        let rows = tables.row_modes.len();
        let coeffs = storage_init(ctx, "particles.coeffs", &vec![0u8; 8 * rows], false);
        let row_modes = storage_init(
            ctx,
            "particles.row_modes",
            bytemuck::cast_slice(&tables.row_modes),
            false,
        );
        let row_grad = storage_init(
            ctx,
            "particles.row_grad",
            bytemuck::cast_slice(&tables.row_grad),
            false,
        );
        let slots: Vec<u32> = tables.entries.iter().map(|e| e.slot).collect();
        let factors: Vec<Complex64> = tables.entries.iter().map(|e| e.factor).collect();
        let totals: Vec<u32> = tables
            .entries
            .iter()
            .map(|e| e.total.unwrap_or(u32::MAX))
            .collect();
        let row_start = storage_init(
            ctx,
            "particles.row_start",
            bytemuck::cast_slice(&tables.row_start),
            false,
        );
        let row_const = storage_init(
            ctx,
            "particles.row_const",
            bytemuck::cast_slice(&complex_pairs(&tables.row_const)),
            false,
        );
        let entry_slot = storage_init(
            ctx,
            "particles.entry_slot",
            bytemuck::cast_slice(&slots),
            false,
        );
        let entry_factor = storage_init(
            ctx,
            "particles.entry_factor",
            bytemuck::cast_slice(&complex_pairs(&factors)),
            false,
        );
        let entry_total = storage_init(
            ctx,
            "particles.entry_total",
            bytemuck::cast_slice(&totals),
            false,
        );
        let moments = storage_init(
            ctx,
            "particles.moment_table",
            &vec![0u8; 16 * tables.moment_count()],
            true,
        );
        let kernel = Kernel::new(
            &ctx.device,
            &PARTICLES_COEFFICIENTS,
            "main",
            &[("ROWS", rows as f64)],
        )?;
        let bind = kernel.bind(
            &ctx.device,
            &[
                &row_start,
                &row_const,
                &entry_slot,
                &entry_factor,
                &moments,
                &coeffs,
                &entry_total,
            ],
        );
        Ok(DirectSums {
            rows: rows as u32,
            coeffs,
            row_modes,
            row_grad,
            moments,
            kernel,
            bind,
            _tables: [row_start, row_const, entry_slot, entry_factor, entry_total],
        })
    }

    /// Records the coefficients' evaluation (nothing when there are no rows).
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        if self.rows > 0 {
            self.kernel
                .dispatch(pass, &self.bind, [self.rows.div_ceil(64), 1, 1]);
        }
    }

    /// Dispatches per step: one, or none without rows.
    pub fn dispatches(&self) -> u32 {
        u32::from(self.rows > 0)
    }

    /// The coefficients `P_t`.
    pub fn coeffs(&self) -> &wgpu::Buffer {
        &self.coeffs
    }

    /// The rows' wave vectors.
    pub fn row_modes(&self) -> &wgpu::Buffer {
        &self.row_modes
    }

    /// The rows' gradient wave vectors.
    pub fn row_grad(&self) -> &wgpu::Buffer {
        &self.row_grad
    }

    /// The moment table the coefficients read.
    pub fn moments(&self) -> &wgpu::Buffer {
        &self.moments
    }
}
