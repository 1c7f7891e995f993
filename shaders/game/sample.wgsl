// Samples a user expression on an (n2, n1) grid (src/game/sample.rs):
//     out[j2 * N1 + j1] = f((j1 H1, j2 H2), eq[j2 * N1 + j1])
// with H1 = L / n1 and H2 = L / n2 (H2 = 0 on a 1D grid). `main` passes
// eq = 0; `main_eq` (initial densities) reads it from the `eq` field.
// Prefixed by the game prelude, the user function (`user_field`) and index.wgsl.

override N1: u32;     // points along the fast axis
override COUNT: u32;  // n1 * n2
override H1: f32;     // spacing along the fast axis
override H2: f32;     // spacing along the slow axis

@group(0) @binding(0) var<storage, read_write> values: array<f32>;
@group(0) @binding(1) var<storage, read> eq_values: array<f32>;

fn grid_point(i: u32) -> vec2<f32> {
    let j1 = i % N1;
    let j2 = i / N1;
    return vec2<f32>(f32(j1) * H1, f32(j2) * H2);
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        values[i] = user_field(grid_point(i), 0.0);
    }
}

@compute @workgroup_size(WG)
fn main_eq(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        values[i] = user_field(grid_point(i), eq_values[i]);
    }
}
