//! Every WGSL module validates with naga, and every kernel file is registered.

use mflda::gpu::reflect::group0_entries;
use mflda::gpu::shaders::{validate_wgsl, ALL};

#[test]
fn every_registered_kernel_validates() {
    for shader in ALL {
        if let Err(e) = shader.validate() {
            panic!("{e}");
        }
    }
}

/// Every kernel's bind group layout derives from its declarations (group 0,
/// bindings 0, 1, ... without gaps, buffers only), with at least one binding.
#[test]
fn every_registered_kernel_has_a_reflected_layout() {
    for shader in ALL {
        let text = shader.source();
        let module = validate_wgsl(shader.name, &text).unwrap();
        let entries =
            group0_entries(shader.name, &module).unwrap_or_else(|e| panic!("{}: {e}", shader.name));
        assert!(!entries.is_empty(), "{} binds nothing", shader.name);
    }
}

#[test]
fn every_kernel_file_is_registered() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().unwrap() != "shared" {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "wgsl") {
                let rel = path.strip_prefix(&root).unwrap().with_extension("");
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    assert!(!files.is_empty());
    for f in files {
        assert!(
            ALL.iter().any(|s| s.name == f),
            "shaders/{f}.wgsl is not in gpu::shaders::ALL, so nothing validates it"
        );
    }
}

#[test]
fn invalid_wgsl_reports_naga_message_against_the_text() {
    let text = "fn f() -> f32 { return 1.0 + vec2<f32>(1.0); }";
    let err = validate_wgsl("user expression", text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("user expression"), "{err}");
    assert!(
        err.contains("vec2"),
        "message should quote the offending text: {err}"
    );
}
