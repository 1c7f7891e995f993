// ETDRK4's last combination (etd_stages.wgsl), in place on u:
//     u <- e^z u + dt [ f1 N(u) + 2 f2 (N(a) + N(b)) + f3 N(c) ].
// Keep in sync with src/dynamics/etd.rs.

override COUNT: u32;

@group(0) @binding(0) var<storage, read_write> u: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> n0: array<vec2<f32>>;   // N(u)
@group(0) @binding(2) var<storage, read> s12: array<vec2<f32>>;  // N(a) + N(b)
@group(0) @binding(3) var<storage, read> n3: array<vec2<f32>>;   // N(c)

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
    u[i] = etd_rk4_finish(i, u[i], n0[i], s12[i], n3[i]);
}
