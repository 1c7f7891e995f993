// Samples a user multiplier M(kappa) at the wave vector of every index of an
// (n2, n1) grid (src/game/sample.rs), numpy's layout:
//     out[j2 * N1 + j1] = M(2 pi / L (m(j1), m(j2))),  m(j) = j for j < n/2, j - n above.
// Prefixed by the game prelude, the user function (`user_spectrum`) and index.wgsl.

override N1: u32;     // points along the fast axis
override N2: u32;     // points along the slow axis (1 in 1D)
override COUNT: u32;  // n1 * n2

@group(0) @binding(0) var<storage, read_write> values: array<vec2<f32>>;

fn axis_wave_number(j: u32, n: u32) -> f32 {
    if j < (n + 1u) / 2u {
        return f32(j);
    }
    return f32(i32(j) - i32(n));
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        let m = vec2<f32>(axis_wave_number(i % N1, N1), axis_wave_number(i / N1, N2));
        values[i] = user_spectrum(2.0 * PI / L * m);
    }
}
