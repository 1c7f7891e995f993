// ETDRK4 stage c = e^{z/2} a + dt/2 phi1(z/2) (2 N(b) - N(u)), and the running
// sum s = N(a) + N(b) kept in place of N(a). Keep in sync with src/dynamics/etd.rs.

override COUNT: u32;

@group(0) @binding(0) var<storage, read> a: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> n0: array<vec2<f32>>;      // N(u)
@group(0) @binding(2) var<storage, read> n2: array<vec2<f32>>;      // N(b)
@group(0) @binding(3) var<storage, read_write> n1: array<vec2<f32>>; // N(a) -> N(a) + N(b)
@group(0) @binding(4) var<storage, read_write> c: array<vec2<f32>>;

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
    let nb = n2[i];
    c[i] = etd_rk4_c(i, a[i], n0[i], nb);
    n1[i] = n1[i] + nb;
}
