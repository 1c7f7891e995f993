//! What a compute kernel's WGSL declares, read from naga's module instead of
//! being typed again at every call site: the bind group 0 layout (each
//! `var<storage, read>`, `var<storage, read_write>` and `var<uniform>` at
//! its binding) and the names of its pipeline-overridable constants, against
//! which the constants a call site gives are checked.

use crate::{Error, Result};

/// The group-0 layout entries the module declares (all of them, whichever
/// entry point uses them, so that specialisations of one module share bind
/// groups), in binding order: a storage buffer is read-only unless declared
/// `read_write`; every entry is visible to compute. Bindings must be
/// numbered 0, 1, ... without gaps, as [`crate::gpu::Kernel::bind`] takes
/// them; bindings of other groups are refused (the kernels bind one group),
/// and so are resources other than buffers.
pub fn group0_entries(
    name: &str,
    module: &naga::Module,
) -> Result<Vec<wgpu::BindGroupLayoutEntry>> {
    let mut entries = Vec::new();
    for (_, var) in module.global_variables.iter() {
        let Some(binding) = &var.binding else {
            continue;
        };
        let what = var.name.as_deref().unwrap_or("a binding");
        let refuse = |why: &str| Error::Shader {
            module: name.to_string(),
            message: format!(
                "`{what}` at @group({}) @binding({}): {why}",
                binding.group, binding.binding
            ),
        };
        if binding.group != 0 {
            return Err(refuse("kernels bind group 0 only"));
        }
        let ty = match var.space {
            naga::AddressSpace::Storage { access } => wgpu::BufferBindingType::Storage {
                read_only: !access.contains(naga::StorageAccess::STORE),
            },
            naga::AddressSpace::Uniform => wgpu::BufferBindingType::Uniform,
            _ => return Err(refuse("kernels bind storage and uniform buffers only")),
        };
        entries.push(wgpu::BindGroupLayoutEntry {
            binding: binding.binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        });
    }
    entries.sort_by_key(|e| e.binding);
    if let Some((i, e)) = entries
        .iter()
        .enumerate()
        .find(|(i, e)| e.binding != *i as u32)
    {
        return Err(Error::Shader {
            module: name.to_string(),
            message: format!(
                "bindings must be numbered 0, 1, ... without gaps: @binding({}) comes where \
                 {i} should",
                e.binding
            ),
        });
    }
    Ok(entries)
}

/// The module's pipeline-overridable constants: `(name, has a default)`.
pub fn overrides(module: &naga::Module) -> Vec<(String, bool)> {
    module
        .overrides
        .iter()
        .filter_map(|(_, o)| o.name.clone().map(|n| (n, o.init.is_some())))
        .collect()
}

/// Checks `constants` against the module's overrides: each must name one
/// (a misspelt name would silently leave a default in place), and every
/// override without a default must be given. The error lists the names the
/// module declares.
pub fn check_constants(name: &str, module: &naga::Module, constants: &[(&str, f64)]) -> Result<()> {
    let declared = overrides(module);
    let list = || {
        let names: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    for (key, _) in constants {
        if !declared.iter().any(|(n, _)| n == key) {
            return Err(Error::Shader {
                module: name.to_string(),
                message: format!(
                    "the constant `{key}` given to the pipeline is not an override of the \
                     module (it declares: {})",
                    list()
                ),
            });
        }
    }
    for (n, has_default) in &declared {
        if !has_default && !constants.iter().any(|(key, _)| key == n) {
            return Err(Error::Shader {
                module: name.to_string(),
                message: format!(
                    "the override `{n}` has no default and was not given (the module \
                     declares: {})",
                    list()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "
        override N: u32;
        override SCALE: f32 = 1.0;
        @group(0) @binding(2) var<storage, read_write> out: array<f32>;
        @group(0) @binding(0) var<storage> a: array<f32>;
        @group(0) @binding(1) var<uniform> u: vec4<f32>;
        @compute @workgroup_size(64)
        fn main(@builtin(global_invocation_id) id: vec3<u32>) {
            if id.x < N { out[id.x] = SCALE * a[id.x] * u.x; }
        }";

    fn module() -> naga::Module {
        naga::front::wgsl::parse_str(TEXT).unwrap()
    }

    #[test]
    fn the_layout_follows_the_declarations() {
        let e = group0_entries("t", &module()).unwrap();
        let kinds: Vec<(u32, wgpu::BindingType)> = e.iter().map(|e| (e.binding, e.ty)).collect();
        let buffer = |ty| wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        use wgpu::BufferBindingType::{Storage, Uniform};
        assert_eq!(
            kinds,
            vec![
                (0, buffer(Storage { read_only: true })),
                (1, buffer(Uniform)),
                (2, buffer(Storage { read_only: false })),
            ]
        );
    }

    #[test]
    fn constants_are_checked_against_the_overrides() {
        let m = module();
        assert!(check_constants("t", &m, &[("N", 4.0)]).is_ok());
        assert!(check_constants("t", &m, &[("N", 4.0), ("SCALE", 2.0)]).is_ok());
        let typo = check_constants("t", &m, &[("N", 4.0), ("SCALES", 2.0)]).unwrap_err();
        assert!(typo.to_string().contains("`SCALES`"), "{typo}");
        assert!(typo.to_string().contains("N, SCALE"), "{typo}");
        let missing = check_constants("t", &m, &[("SCALE", 2.0)]).unwrap_err();
        assert!(
            missing.to_string().contains("`N` has no default"),
            "{missing}"
        );
    }

    #[test]
    fn other_groups_and_gaps_are_refused() {
        let m = naga::front::wgsl::parse_str(
            "@group(1) @binding(0) var<storage> a: array<f32>;
             @compute @workgroup_size(1) fn main() { _ = a[0]; }",
        )
        .unwrap();
        let e = group0_entries("t", &m).unwrap_err();
        assert!(e.to_string().contains("group 0 only"), "{e}");
        let m = naga::front::wgsl::parse_str(
            "@group(0) @binding(1) var<storage> a: array<f32>;
             @compute @workgroup_size(1) fn main() { _ = a[0]; }",
        )
        .unwrap();
        let e = group0_entries("t", &m).unwrap_err();
        assert!(e.to_string().contains("without gaps"), "{e}");
    }
}
