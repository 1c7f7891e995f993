// The vector updates of the linearised-W2 conjugate-gradient iteration
// (w2lin_update.wgsl has the scalars), both players per thread:
//     advance:   x += alpha p,  r -= alpha y
//     direction: p = z + beta p
// Keep in sync with src/metrics/w2lin.rs.

@group(0) @binding(0) var<storage, read> state: array<f32>;          // see w2lin_update
@group(0) @binding(1) var<storage, read_write> x: array<vec2<f32>>;  // [2][n]
@group(0) @binding(2) var<storage, read_write> r: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> p: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read> z: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read> y: array<vec2<f32>>;

override FIELD_LEN: u32;

@compute @workgroup_size(WG)
fn advance(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i >= FIELD_LEN {
        return;
    }
    for (var b = 0u; b < 2u; b++) {
        let j = b * FIELD_LEN + i;
        let a = state[2u + b];
        x[j] += a * p[j];
        r[j] -= a * y[j];
    }
}

@compute @workgroup_size(WG)
fn direction(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i >= FIELD_LEN {
        return;
    }
    for (var b = 0u; b < 2u; b++) {
        let j = b * FIELD_LEN + i;
        p[j] = z[j] + state[4u + b] * p[j];
    }
}
