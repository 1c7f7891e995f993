//! The colour-mapping kernel (`shaders/render/colormap.wgsl`): turns the
//! components of a field on the GPU into small RGBA images, downsampled by area
//! averages, so that a frame never reads a full-resolution field back.

use wgpu::util::DeviceExt;

use crate::gpu::field::read_buffer;
use crate::gpu::pipeline::Kernel;
use crate::gpu::{shaders, GpuContext, Shape};
use crate::render::colormap::{Colormap, Limits, Scale};
use crate::{Error, Result};

/// What to colour: a buffer holding `components` fields of `shape`, either
/// packed two to a complex field (`stride` 2: the stepper's `rho_2q + i
/// rho_2q+1`, component c the part `c % 2` of field `c / 2`) or one real field
/// (`stride` 1, one component).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The buffer.
    pub buffer: &'a wgpu::Buffer,
    /// Grid shape (2D).
    pub shape: Shape,
    /// Floats per grid point: 1 (real field) or 2 (complex field).
    pub stride: u32,
    /// Components to colour: 1 for a real field, up to twice the complex
    /// fields for a packed one.
    pub components: u32,
}

/// How to colour it.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// The colour map.
    pub map: Colormap,
    /// Linear or log.
    pub scale: Scale,
    /// Colour limits, fixed for a run.
    pub limits: Limits,
    /// Output pixels per grid point along each axis is `1 / factor`.
    pub factor: u32,
}

/// Uniform block. Keep in sync with `Limits` in colormap.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct LimitsBlock {
    lo: f32,
    hi: f32,
    _pad: [f32; 2],
}

/// A colour-mapping pass bound to one source, with its output buffers.
#[derive(Debug)]
pub struct GpuColormap {
    kernel: Kernel,
    bind: wgpu::BindGroup,
    out: wgpu::Buffer,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    components: u32,
    _buffers: [wgpu::Buffer; 3],
}

impl GpuColormap {
    /// Builds the pass. `reference` is `(log-densities, sign)`: log-densities
    /// one field per component, one after the other; the image shows
    /// `field + sign exp(log-density)` (sign -1: a deviation from the reference;
    /// +1: a deviation turned back into a density).
    pub fn new(
        ctx: &GpuContext,
        source: Source<'_>,
        reference: Option<(&wgpu::Buffer, f32)>,
        style: Style,
    ) -> Result<Self> {
        let Source {
            shape,
            stride,
            components,
            ..
        } = source;
        let f = style.factor.max(1);
        if !shape.n1.is_multiple_of(f)
            || !shape.n2.is_multiple_of(f)
            || components == 0
            || (stride == 1 && components > 1)
        {
            return Err(Error::Usage(format!(
                "cannot colour {components} component(s) of a {shape} grid downsampled by {f}"
            )));
        }
        if style.scale == Scale::Log && style.limits.lo <= 0.0 {
            return Err(Error::config(
                "output.color_min",
                format!(
                    "a log scale needs positive colour limits (got {})",
                    style.limits.lo
                ),
            ));
        }
        let (width, height) = (shape.n1 / f, shape.n2 / f);
        let device = &ctx.device;
        let kernel = Kernel::new(
            device,
            &shaders::COLORMAP,
            "main",
            &[
                ("N1", shape.n1 as f64),
                ("FACTOR", f as f64),
                ("OUT_W", width as f64),
                ("OUT_H", height as f64),
                ("STRIDE", stride as f64),
                ("LOG", f64::from(u8::from(style.scale == Scale::Log))),
                ("REF_SIGN", reference.map_or(0.0, |r| r.1 as f64)),
            ],
        )?;
        let packed: Vec<u32> = style
            .map
            .lut()
            .iter()
            .map(|c| u32::from_le_bytes(*c))
            .collect();
        let lut = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("colormap.lut"),
            contents: bytemuck::cast_slice(&packed),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let block = LimitsBlock {
            lo: style.limits.lo,
            hi: style.limits.hi,
            _pad: [0.0; 2],
        };
        let limits = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("colormap.limits"),
            contents: bytemuck::bytes_of(&block),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let out = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("colormap.image"),
            size: components as u64 * width as u64 * height as u64 * 4,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        // Without a reference the binding is never read; a small stand-in fills it.
        let dummy = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("colormap.no_reference"),
            size: 16,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let reference = reference.map_or(&dummy, |r| r.0);
        let bind = kernel.bind(device, &[source.buffer, reference, &lut, &limits, &out]);
        Ok(GpuColormap {
            kernel,
            bind,
            out,
            width,
            height,
            components,
            _buffers: [lut, limits, dummy],
        })
    }

    /// Records the colouring of every component.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.kernel.dispatch(
            pass,
            &self.bind,
            [
                self.width.div_ceil(16),
                self.height.div_ceil(16),
                self.components,
            ],
        );
    }

    /// Reads the images back (small: `width x height` RGBA per component).
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<Vec<u8>>> {
        let bytes = self.out.size();
        let words = read_buffer(ctx, &self.out, bytes)?;
        let raw: &[u8] = bytemuck::cast_slice(&words);
        Ok(raw
            .chunks_exact((self.width * self.height * 4) as usize)
            .map(<[u8]>::to_vec)
            .collect())
    }
}
