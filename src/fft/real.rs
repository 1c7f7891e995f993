//! Two real fields in one complex transform, so that real data costs half the
//! FFT work:
//! - [`PairOp::Pack`]: `z = a + i b` from real `a`, `b`;
//! - [`PairOp::Split`]: from `Z = FFT(a + i b)`, the spectra
//!   `A_m = (Z_m + conj Z_{-m}) / 2` and `B_m = -i (Z_m - conj Z_{-m}) / 2`;
//! - [`PairOp::Merge`]: `Z = A + i B` from two spectra of real fields;
//! - [`PairOp::Unpack`]: `a = Re z`, `b = Im z` after the inverse transform.

use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::shaders::{self, ShaderSource};
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::{Error, Result};

/// One of the four elementwise pair operations (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairOp {
    /// Real `a`, `b` to complex `a + i b`.
    Pack,
    /// Complex `z` to real `Re z`, `Im z`.
    Unpack,
    /// Spectrum of `a + i b` to the spectra of `a` and `b`.
    Split,
    /// Spectra `A`, `B` to `A + i B`.
    Merge,
}

impl PairOp {
    const ALL: [PairOp; 4] = [PairOp::Pack, PairOp::Unpack, PairOp::Split, PairOp::Merge];

    fn shader(self) -> &'static ShaderSource {
        match self {
            PairOp::Pack => &shaders::REAL_PACK,
            PairOp::Unpack => &shaders::REAL_UNPACK,
            PairOp::Split => &shaders::SPECTRUM_SPLIT,
            PairOp::Merge => &shaders::SPECTRUM_MERGE,
        }
    }

    /// Element types of the three bound fields, in binding order.
    pub fn elems(self) -> [Elem; 3] {
        use Elem::{Complex as C, Real as R};
        match self {
            PairOp::Pack => [R, R, C],
            PairOp::Unpack => [C, R, R],
            PairOp::Split | PairOp::Merge => [C, C, C],
        }
    }
}

/// The four pair kernels for `batch` pairs of fields of one shape.
#[derive(Debug)]
pub struct RealPair {
    /// Shape of each field.
    pub shape: Shape,
    /// Fields per operand.
    pub batch: u32,
    kernels: Vec<Kernel>,
}

/// A pair operation bound to its three fields.
#[derive(Debug)]
pub struct PairBinding {
    op: PairOp,
    bind_group: wgpu::BindGroup,
}

impl RealPair {
    /// Builds the kernels.
    pub fn new(ctx: &GpuContext, shape: Shape, batch: u32) -> Result<Self> {
        let count = shape.len() as f64 * batch as f64;
        let kernels = PairOp::ALL
            .iter()
            .map(|op| {
                let mut constants = vec![("COUNT", count)];
                if *op == PairOp::Split {
                    constants.push(("N1", shape.n1 as f64));
                    constants.push(("N2", shape.n2 as f64));
                }
                Kernel::new(&ctx.device, op.shader(), "main", &constants)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RealPair {
            shape,
            batch,
            kernels,
        })
    }

    /// Binds `op` to `fields` (inputs first, outputs last, as in the module docs),
    /// checking their shapes, batches and element types.
    pub fn bind(
        &self,
        ctx: &GpuContext,
        op: PairOp,
        fields: [&GpuField; 3],
    ) -> Result<PairBinding> {
        for (i, (f, want)) in fields.iter().zip(op.elems()).enumerate() {
            if f.shape != self.shape || f.batch != self.batch || f.elem != want {
                return Err(Error::Usage(format!(
                    "{op:?} operand {i}: expected {} {want:?} field(s) of {}, got {} {:?} of {}",
                    self.batch, self.shape, f.batch, f.elem, f.shape
                )));
            }
        }
        let kernel = &self.kernels[op as usize];
        let bind_group = kernel.bind(
            &ctx.device,
            &[&fields[0].buffer, &fields[1].buffer, &fields[2].buffer],
        );
        Ok(PairBinding { op, bind_group })
    }

    /// Records the bound operation.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, binding: &PairBinding) {
        let count = self.shape.len() as u64 * self.batch as u64;
        self.kernels[binding.op as usize].dispatch(
            pass,
            &binding.bind_group,
            elementwise_groups(count),
        );
    }
}
