// ETDRK4 (Cox-Matthews, Kassam-Trefethen coefficients), in place on u:
//     u <- e^z u + dt [ f1 N(u) + 2 f2 (N(a) + N(b)) + f3 N(c) ]
//     f1 = phi1 - 3 phi2 + 4 phi3,  f2 = phi2 - 2 phi3,  f3 = -phi2 + 4 phi3.
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
    let f = etd_phis(etd_z(i, DT));
    let f1 = f.y - 3.0 * f.z + 4.0 * f.w;
    let f2 = f.z - 2.0 * f.w;
    let f3 = -f.z + 4.0 * f.w;
    u[i] = f.x * u[i] + DT * (f1 * n0[i] + (2.0 * f2) * s12[i] + f3 * n3[i]);
}
