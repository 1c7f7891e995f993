//! Compute pipelines: a kernel's bind group layout is derived from its WGSL
//! ([`crate::gpu::reflect`]), and the constants it is given are checked
//! against the overrides the WGSL declares.

use crate::gpu::reflect::{check_constants, group0_entries};
use crate::gpu::shaders::{validate_wgsl, ShaderSource};
use crate::{Error, Result};

/// A storage-buffer entry of a bind group layout, visible to compute (for a
/// layout written by hand; a [`Kernel`] reads its own from the WGSL).
pub fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A compute kernel: its bind group layout and pipeline, built once per device.
#[derive(Debug)]
pub struct Kernel {
    /// Layout of group 0, in binding order.
    pub layout: wgpu::BindGroupLayout,
    /// The pipeline.
    pub pipeline: wgpu::ComputePipeline,
    label: String,
}

impl Kernel {
    /// Builds the kernel `entry` of `shader` with the given pipeline-overridable
    /// constants; its group-0 layout is the one the WGSL declares.
    pub fn new(
        device: &wgpu::Device,
        shader: &ShaderSource,
        entry: &str,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        Self::generated(device, shader, &[], entry, constants)
    }

    /// Builds the kernel with an existing group-0 layout, so that several
    /// specialisations of one shader share bind groups.
    pub fn with_layout(
        device: &wgpu::Device,
        shader: &ShaderSource,
        entry: &str,
        layout: &wgpu::BindGroupLayout,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        Self::from_text(
            device,
            shader.name,
            &shader.source(),
            entry,
            layout,
            constants,
        )
    }

    /// Builds kernel `entry` of the WGSL `text` (a generated module, named
    /// `name` in messages) with an existing group-0 layout.
    pub fn from_text(
        device: &wgpu::Device,
        name: &str,
        text: &str,
        entry: &str,
        layout: &wgpu::BindGroupLayout,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let module = validate_wgsl(name, text)?;
        Self::build(device, name, text, &module, entry, layout, constants)
    }

    /// Builds kernel `entry` of `shader` with its placeholders replaced
    /// ([`ShaderSource::source_with`]); its group-0 layout is the one the
    /// WGSL declares ([`group0_entries`]).
    pub fn generated(
        device: &wgpu::Device,
        shader: &ShaderSource,
        replacements: &[(&str, &str)],
        entry: &str,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let text = shader.source_with(replacements);
        let module = validate_wgsl(shader.name, &text)?;
        let entries = group0_entries(shader.name, &module)?;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(shader.name),
            entries: &entries,
        });
        Self::build(
            device,
            shader.name,
            &text,
            &module,
            entry,
            &layout,
            constants,
        )
    }

    fn build(
        device: &wgpu::Device,
        name: &str,
        text: &str,
        module: &naga::Module,
        entry: &str,
        layout: &wgpu::BindGroupLayout,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let label = format!("{name}::{entry}");
        check_constants(name, module, constants)?;
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(name),
            source: wgpu::ShaderSource::Wgsl(text.into()),
        });
        // Layout/shader mismatches and bad constants surface here as an Err
        // rather than as an invalid pipeline at the first dispatch.
        let scope = crate::gpu::ErrorScope::push(device, wgpu::ErrorFilter::Validation);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(&label),
            bind_group_layouts: &[Some(layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(&label),
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
        Ok(Kernel {
            layout: layout.clone(),
            pipeline,
            label,
        })
    }

    /// A bind group binding `buffers` whole, in binding order 0, 1, ...
    pub fn bind(&self, device: &wgpu::Device, buffers: &[&wgpu::Buffer]) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&self.label),
            layout: &self.layout,
            entries: &entries,
        })
    }

    /// Records one dispatch of `groups` workgroups with `bind_group` at group 0.
    pub fn dispatch(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        bind_group: &wgpu::BindGroup,
        groups: [u32; 3],
    ) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
    }
}

/// Threads per workgroup of elementwise kernels (`WG` in `shaders/shared/index.wgsl`).
pub const ELEMENTWISE_WG: u32 = 256;

/// Workgroup grid covering `count` elements with [`ELEMENTWISE_WG`] threads each,
/// folded into y when x would exceed the 65535 groups every device allows.
/// Keep in sync with `flat_index` in `shaders/shared/index.wgsl`.
pub fn elementwise_groups(count: u64) -> [u32; 3] {
    folded_groups(count, ELEMENTWISE_WG)
}

/// Workgroup grid covering `count` elements with `wg` threads each, folded
/// into y above 65535 groups: thread `(x, y)` of group `(gx, gy)` handles
/// element `gy groups.x wg + gx wg + x`, as the kernels compute it.
pub fn folded_groups(count: u64, wg: u32) -> [u32; 3] {
    let groups = count.div_ceil(u64::from(wg)).max(1);
    if groups <= 65535 {
        return [groups as u32, 1, 1];
    }
    let y = groups.div_ceil(65535);
    let x = groups.div_ceil(y);
    [x as u32, y as u32, 1]
}
