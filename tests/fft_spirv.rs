//! The SPIR-V that naga emits for every variant of the FFT kernel (each line
//! length 2 .. 8192, rows and columns, forward and inverse) indexes no
//! function-local array by a non-constant value: such arrays are what GPU
//! compilers spill to local memory, and the generated stages
//! (src/fft/stockham_gen.rs) hold their values in scalars. The checker is
//! shown to catch the pattern on a kernel that has it. The same for the
//! kernels that fuse the right-hand side's pointwise work into FFT passes
//! (three register sets, one or two transforms).

use std::collections::HashSet;

use mflda::fft::stockham::radices;
use mflda::fft::stockham_gen::{stages, transform, transform_sequence, LinePlan, SequencePlan};
use mflda::gpu::shaders::{
    ShaderSource, FFT_STOCKHAM, RHS_DIVERGENCE_PASS, RHS_FLUX_PASS, RHS_POTENTIALS_PASS, SPECIES,
    STOCKHAM_STAGES,
};

const OP_CONSTANT_TRUE: u32 = 41;
const OP_CONSTANT_NULL: u32 = 46;
const OP_SPEC_CONSTANT_TRUE: u32 = 48;
const OP_SPEC_CONSTANT_OP: u32 = 52;
const OP_TYPE_POINTER: u32 = 32;
const OP_FUNCTION_PARAMETER: u32 = 55;
const OP_VARIABLE: u32 = 59;
const OP_ACCESS_CHAIN: u32 = 65;
const OP_PTR_ACCESS_CHAIN: u32 = 67;
const STORAGE_FUNCTION: u32 = 7;

/// SPIR-V of entry point `main` of `text` with the override `constants`.
fn spirv(text: &str, constants: &[(&str, f64)]) -> Vec<u32> {
    let module = naga::front::wgsl::parse_str(text).unwrap_or_else(|e| panic!("{e}"));
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    );
    let info = validator.validate(&module).unwrap();
    let constants: naga::back::PipelineConstants =
        constants.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let (module, info) = naga::back::pipeline_constants::process_overrides(
        &module,
        &info,
        Some((naga::ShaderStage::Compute, "main")),
        &constants,
    )
    .unwrap();
    let pipeline = naga::back::spv::PipelineOptions {
        shader_stage: naga::ShaderStage::Compute,
        entry_point: "main".into(),
    };
    naga::back::spv::write_vec(
        &module,
        &info,
        &naga::back::spv::Options::default(),
        Some(&pipeline),
    )
    .unwrap()
}

/// Access chains into function-local variables, pointer parameters into
/// them (a helper handed `ptr<function, array>`), or chains of those, with
/// an index that is not a constant, as `(result id, index id)`.
fn dynamic_local_indexing(words: &[u32]) -> Vec<(u32, u32)> {
    let mut constants = HashSet::new();
    let mut local = HashSet::new();
    let mut local_pointer_types = HashSet::new();
    let mut found = Vec::new();
    let mut at = 5; // past the header
    while at < words.len() {
        let (count, op) = ((words[at] >> 16) as usize, words[at] & 0xffff);
        assert!(count > 0, "malformed SPIR-V at word {at}");
        let inst = &words[at..at + count];
        match op {
            OP_CONSTANT_TRUE..=OP_CONSTANT_NULL | OP_SPEC_CONSTANT_TRUE..=OP_SPEC_CONSTANT_OP => {
                constants.insert(inst[2]);
            }
            OP_TYPE_POINTER if inst[2] == STORAGE_FUNCTION => {
                local_pointer_types.insert(inst[1]);
            }
            OP_FUNCTION_PARAMETER if local_pointer_types.contains(&inst[1]) => {
                local.insert(inst[2]);
            }
            OP_VARIABLE if inst[3] == STORAGE_FUNCTION => {
                local.insert(inst[2]);
            }
            OP_ACCESS_CHAIN..=OP_PTR_ACCESS_CHAIN if local.contains(&inst[3]) => {
                local.insert(inst[2]);
                for &index in &inst[4..] {
                    if !constants.contains(&index) {
                        found.push((inst[2], index));
                    }
                }
            }
            _ => {}
        }
        at += count;
    }
    found
}

/// The override constants of one pass (their values do not change the code's
/// structure, only its sizes).
fn constants(n: u32, columns: bool, inverse: bool) -> Vec<(&'static str, f64)> {
    let mut c = core_constants(n, columns);
    c.push(("INVERSE", f64::from(u8::from(inverse))));
    c
}

/// The overrides of shaders/shared/stockham_core.wgsl.
fn core_constants(n: u32, columns: bool) -> Vec<(&'static str, f64)> {
    let lines = (4096 / n).max(1);
    vec![
        ("N", f64::from(n)),
        ("LINES", f64::from(lines)),
        ("LINE_COUNT", f64::from(n)),
        ("COLUMNS", f64::from(u8::from(columns))),
        ("ROW_LEN", f64::from(n)),
        ("FIELD_LEN", f64::from(n) * f64::from(n)),
        ("WG_SIZE", f64::from((lines * n / 16).max(1))),
    ]
}

/// Two species in one pair, as in the game (the placeholder has one).
const TWO_SPECIES: &str = "const SPECIES: u32 = 2u;
const PAIRS: u32 = 1u;
fn species_tau(s: u32) -> f32 { return 1.0; }
fn species_rate(s: u32) -> f32 { return 1.0; }";

/// A fused kernel: its template, its generated body for a radix plan, its
/// other overrides.
type FusedKernel<'a> = (&'a ShaderSource, fn(&[u32]) -> String, &'a [(&'a str, f64)]);

/// Every line length of the fused kernels: the potentials in the inverse
/// column pass (three sets, one transform), the flux between the row passes
/// (one set kept, two in turn, each transformed there and back) and the divergence pass (one set, mirror
/// pairs and the exchange to -k), each in both orientations.
#[test]
fn no_fused_variant_indexes_a_local_array_dynamically() {
    let spectral: &[(&str, f64)] = &[("N1", 64.0), ("N2", 64.0), ("LENGTH", 6.0)];
    let etd: &[(&str, f64)] = &[
        ("N1", 64.0),
        ("N2", 64.0),
        ("LENGTH", 6.0),
        ("DT", 0.01),
        ("DEALIAS", 1.0),
    ];
    let kernels: [FusedKernel; 3] = [
        (
            &RHS_POTENTIALS_PASS,
            |radices| {
                transform(&LinePlan {
                    radices,
                    sets: 3,
                    inverse: "true",
                    second: None,
                    mirror: false,
                })
            },
            spectral,
        ),
        (
            &RHS_FLUX_PASS,
            |radices| {
                transform_sequence(&SequencePlan {
                    radices,
                    shared: 1,
                    each: 2,
                    inverse: "true",
                    second: "false",
                })
            },
            &[],
        ),
        (
            &RHS_DIVERGENCE_PASS,
            |radices| {
                transform(&LinePlan {
                    radices,
                    sets: 1,
                    inverse: "false",
                    second: None,
                    mirror: true,
                })
            },
            etd,
        ),
    ];
    let mut variants = 0;
    for l in 1..=13 {
        let n = 1u32 << l;
        let radices = radices(n);
        for (shader, body, extra) in kernels {
            let generated = body(&radices);
            let text = shader.source_with(&[
                (STOCKHAM_STAGES, generated.as_str()),
                (SPECIES, TWO_SPECIES),
            ]);
            for columns in [false, true] {
                let mut c = core_constants(n, columns);
                if shader.name == RHS_DIVERGENCE_PASS.name && n == 8192 {
                    // Mirror pairs need two lines a workgroup (the host falls
                    // back to the plain passes where memory allows only one).
                    c.retain(|(k, _)| *k != "LINES" && *k != "WG_SIZE");
                    c.extend([("LINES", 2.0), ("WG_SIZE", 2.0 * 8192.0 / 16.0)]);
                }
                c.extend_from_slice(extra);
                let bad = dynamic_local_indexing(&spirv(&text, &c));
                assert!(
                    bad.is_empty(),
                    "{} N = {n}, columns {columns}: {} dynamic indexings of function-local \
                     arrays (result, index ids): {bad:?}",
                    shader.name,
                    bad.len()
                );
                variants += 1;
            }
        }
    }
    assert_eq!(variants, 78);
}

#[test]
fn no_fft_variant_indexes_a_local_array_dynamically() {
    let mut variants = 0;
    for l in 1..=13 {
        let n = 1u32 << l;
        let generated = stages(&radices(n));
        let text = FFT_STOCKHAM.source_with(&[(STOCKHAM_STAGES, generated.as_str())]);
        for columns in [false, true] {
            for inverse in [false, true] {
                let words = spirv(&text, &constants(n, columns, inverse));
                let bad = dynamic_local_indexing(&words);
                assert!(
                    bad.is_empty(),
                    "N = {n}, columns {columns}, inverse {inverse}: {} dynamic indexings of \
                     function-local arrays (result, index ids): {bad:?}",
                    bad.len()
                );
                variants += 1;
            }
        }
    }
    assert_eq!(variants, 52);
}

/// The checker finds the pattern: a register array indexed in a loop whose
/// trip count is an override, as the FFT's stages were written before.
#[test]
fn the_checker_finds_a_dynamically_indexed_register_array() {
    let text = "
        override R: u32;
        @group(0) @binding(0) var<storage, read_write> data: array<f32>;
        @compute @workgroup_size(64)
        fn main(@builtin(global_invocation_id) id: vec3<u32>) {
            var v: array<f32, 16>;
            for (var q = 0u; q < R; q++) {
                v[q] = data[id.x * 16u + q];
            }
            var s = 0.0;
            for (var q = 0u; q < R; q++) {
                s += v[q] * v[(q + 1u) % R];
            }
            data[id.x] = s;
        }";
    let found = dynamic_local_indexing(&spirv(text, &[("R", 8.0)]));
    assert!(found.len() >= 2, "{found:?}");
    // And through a pointer parameter, as the old stages' butterfly took
    // the register array.
    let text = "
        @group(0) @binding(0) var<storage, read_write> data: array<f32>;
        fn swap(v: ptr<function, array<f32, 8>>, i: u32) {
            let a = (*v)[i];
            (*v)[i] = (*v)[7u - i];
            (*v)[7u - i] = a;
        }
        @compute @workgroup_size(64)
        fn main(@builtin(global_invocation_id) id: vec3<u32>) {
            var v: array<f32, 8>;
            v[0] = data[id.x];
            swap(&v, id.x % 4u);
            data[id.x] = v[0] + v[7];
        }";
    let found = dynamic_local_indexing(&spirv(text, &[]));
    assert!(
        !found.is_empty(),
        "indexing through a parameter went unseen"
    );
}
