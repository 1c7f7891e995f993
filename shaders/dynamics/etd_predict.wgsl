// out = e^z u + h phi1(z) n,  z = c h, with h = DT/2 (HALF) or DT:
// ETDRK4's stages a = e^{z/2} u + dt/2 phi1(z/2) N(u) and b (same with N(a)),
// and ETDRK2's a = e^z u + dt phi1(z) N(u). Keep in sync with src/dynamics/etd.rs.

override HALF: bool;
override COUNT: u32;   // elements of the state (S fields)

@group(0) @binding(0) var<storage, read> u: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> n: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2<f32>>;

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
    out[i] = etd_predict(i, select(DT, 0.5 * DT, HALF), u[i], n[i]);
}
