// out = a + b elementwise (complex): the full state rho*^ + d^ of the
// perturbation form, for the potentials of the NI metric.
// Keep in sync with src/metrics/stats.rs.

override COUNT: u32;

@group(0) @binding(0) var<storage, read> a: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        out[i] = a[i] + b[i];
    }
}
