//! Typed grid fields on the GPU: a buffer that knows its grid shape, its batch
//! count and whether it holds real (`f32`) or complex (`vec2<f32>`) values.

use wgpu::util::DeviceExt;

use crate::gpu::{block, GpuContext};
use crate::{Error, Result};

/// Grid shape `(n2, n1)`, row-major, element `[j2, j1]` at `(j1 h, j2 h)`.
/// A 1D grid has `n2 == 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Points along the fast (contiguous) axis.
    pub n1: u32,
    /// Points along the slow axis (rows); 1 in 1D.
    pub n2: u32,
}

impl Shape {
    /// An `n x n` 2D grid.
    pub fn square(n: u32) -> Self {
        Shape { n1: n, n2: n }
    }

    /// A 1D grid of `n` points, stored as one row.
    pub fn line(n: u32) -> Self {
        Shape { n1: n, n2: 1 }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.n1 as usize * self.n2 as usize
    }

    /// Always false for a valid shape; present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// 1 or 2.
    pub fn dim(&self) -> u32 {
        if self.n2 == 1 {
            1
        } else {
            2
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.n2 == 1 {
            write!(f, "{}", self.n1)
        } else {
            write!(f, "{}x{}", self.n2, self.n1)
        }
    }
}

/// Element type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    /// One `f32` per point.
    Real,
    /// One `vec2<f32>` (re, im) per point.
    Complex,
}

impl Elem {
    /// Bytes per point.
    pub fn bytes(self) -> u64 {
        match self {
            Elem::Real => 4,
            Elem::Complex => 8,
        }
    }
}

/// `batch` fields of one shape in one storage buffer, field after field.
#[derive(Debug)]
pub struct GpuField {
    /// The storage buffer (usage STORAGE | COPY_SRC | COPY_DST).
    pub buffer: wgpu::Buffer,
    /// Grid shape of each field.
    pub shape: Shape,
    /// Number of fields.
    pub batch: u32,
    /// Element type.
    pub elem: Elem,
}

impl GpuField {
    /// Bytes needed for `batch` fields of `shape` and element `elem`.
    pub fn bytes_for(shape: Shape, batch: u32, elem: Elem) -> u64 {
        shape.len() as u64 * batch as u64 * elem.bytes()
    }

    /// Checks that the device can bind such a field; the error says what was
    /// asked for and what the device offers.
    pub fn check_fits(ctx: &GpuContext, shape: Shape, batch: u32, elem: Elem) -> Result<()> {
        let bytes = Self::bytes_for(shape, batch, elem);
        let max = ctx.max_binding_bytes();
        if bytes > max {
            return Err(Error::Grid(format!(
                "a {shape} grid x {batch} {elem:?} field(s) needs {} MiB in one storage binding, \
                 but {} allows at most {} MiB; use a smaller grid or a device with larger \
                 storage bindings",
                bytes >> 20,
                ctx.info.name,
                max >> 20
            )));
        }
        Ok(())
    }

    /// A zero-filled field (after checking it fits).
    pub fn zeros(
        ctx: &GpuContext,
        label: &str,
        shape: Shape,
        batch: u32,
        elem: Elem,
    ) -> Result<Self> {
        Self::check_fits(ctx, shape, batch, elem)?;
        let bytes = Self::bytes_for(shape, batch, elem);
        let scope = crate::gpu::ErrorScope::push(&ctx.device, wgpu::ErrorFilter::OutOfMemory);
        let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes,
            usage: Self::usage(),
            mapped_at_creation: false,
        });
        if let Some(e) = scope.pop() {
            return Err(Error::Device(format!(
                "out of GPU memory allocating `{label}` ({:.1} MiB for {batch} field(s) of \
                 {shape}) on {}: {e}. Free GPU memory or use a smaller grid",
                bytes as f64 / (1u64 << 20) as f64,
                ctx.info.name
            )));
        }
        Ok(GpuField {
            buffer,
            shape,
            batch,
            elem,
        })
    }

    /// A field initialised from host data: `f32` values for real fields,
    /// interleaved (re, im) pairs for complex fields.
    pub fn from_data(
        ctx: &GpuContext,
        label: &str,
        shape: Shape,
        batch: u32,
        elem: Elem,
        data: &[f32],
    ) -> Result<Self> {
        Self::check_fits(ctx, shape, batch, elem)?;
        let want = shape.len() * batch as usize * (elem.bytes() as usize / 4);
        if data.len() != want {
            return Err(Error::Usage(format!(
                "{label}: {} floats given for {batch} {elem:?} field(s) of shape {shape} \
                 ({want} floats)",
                data.len()
            )));
        }
        let buffer = ctx
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(data),
                usage: Self::usage(),
            });
        Ok(GpuField {
            buffer,
            shape,
            batch,
            elem,
        })
    }

    fn usage() -> wgpu::BufferUsages {
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST
    }

    /// Total bytes of the buffer.
    pub fn bytes(&self) -> u64 {
        Self::bytes_for(self.shape, self.batch, self.elem)
    }

    /// Overwrites the whole field with host data (same layout as [`Self::from_data`]).
    pub fn write(&self, ctx: &GpuContext, data: &[f32]) -> Result<()> {
        if data.len() as u64 * 4 != self.bytes() {
            return Err(Error::Usage(format!(
                "{} floats given for a field of {} bytes",
                data.len(),
                self.bytes()
            )));
        }
        ctx.queue
            .write_buffer(&self.buffer, 0, bytemuck::cast_slice(data));
        Ok(())
    }

    /// Reads the whole field back to the host (blocking; see [`block`]). Not
    /// for the step loop.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        block(self.read_async(ctx))
    }

    /// [`Self::read`] as a future: what a browser awaits.
    pub async fn read_async(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        read_buffer_async(ctx, &self.buffer, self.bytes()).await
    }
}

/// Copies the first `bytes` of `buffer` to the host (blocking; see [`block`])
/// as `f32`s.
pub fn read_buffer(ctx: &GpuContext, buffer: &wgpu::Buffer, bytes: u64) -> Result<Vec<f32>> {
    block(read_buffer_async(ctx, buffer, bytes))
}

/// [`read_buffer`] as a future.
pub async fn read_buffer_async(
    ctx: &GpuContext,
    buffer: &wgpu::Buffer,
    bytes: u64,
) -> Result<Vec<f32>> {
    let bytes = bytes.div_ceil(4) * 4;
    let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback.staging"),
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    ctx.queue.submit([encoder.finish()]);
    read_mapped_async(ctx, &staging).await
}

/// Maps a MAP_READ buffer whose copies have been submitted, waits, and returns
/// its contents as `f32`s (blocking; see [`block`]). For small persistent
/// staging buffers (metrics, solver dot products) and one-off readbacks alike.
pub fn read_mapped(ctx: &GpuContext, staging: &wgpu::Buffer) -> Result<Vec<f32>> {
    block(read_mapped_async(ctx, staging))
}

/// [`read_mapped`] as a future: ready once the map's callback has run (at
/// once on native backends, which are polled here; in a browser when the
/// page's event loop has delivered it).
pub async fn read_mapped_async(ctx: &GpuContext, staging: &wgpu::Buffer) -> Result<Vec<f32>> {
    let (tx, rx) = futures::channel::oneshot::channel();
    staging.map_async(wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    ctx.wait()?;
    rx.await
        .map_err(|_| Error::Device("buffer mapping was abandoned".into()))?
        .map_err(|e| Error::Device(format!("mapping a readback buffer failed: {e}")))?;
    let out = {
        let view = staging
            .get_mapped_range(..)
            .map_err(|e| Error::Device(format!("reading a mapped buffer failed: {e:?}")))?;
        bytemuck::cast_slice::<u8, f32>(&view).to_vec()
    };
    staging.unmap();
    Ok(out)
}

/// A storage buffer holding `data`, padded with zeros to at least 8 bytes (a
/// binding must not be empty); `copy` adds COPY_SRC and COPY_DST, for buffers
/// that are written from the host or read back.
pub fn storage_init(ctx: &GpuContext, label: &str, data: &[u8], copy: bool) -> wgpu::Buffer {
    let mut bytes = data.to_vec();
    bytes.resize(bytes.len().max(8), 0);
    let mut usage = wgpu::BufferUsages::STORAGE;
    if copy {
        usage |= wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC;
    }
    ctx.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: &bytes,
            usage,
        })
}
