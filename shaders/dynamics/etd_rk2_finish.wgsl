// ETDRK2 (Cox-Matthews): u <- a + dt phi2(z) (N(a) - N(u)), with a the predictor.
// Keep in sync with src/dynamics/etd.rs.

override COUNT: u32;

@group(0) @binding(0) var<storage, read_write> u: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> a: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> n0: array<vec2<f32>>;   // N(u)
@group(0) @binding(3) var<storage, read> n1: array<vec2<f32>>;   // N(a)

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i >= COUNT {
        return;
    }
    u[i] = etd_rk2_finish(i, a[i], n0[i], n1[i]);
}
