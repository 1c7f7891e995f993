// [mu^, nu^] from the spectrum D of mu + i nu (both real):
//     mu^ = (D_m + conj D_-m) / 2,   nu^ = -i (D_m - conj D_-m) / 2.
// Keep in sync with src/equilibrium/solver.rs.

@group(0) @binding(0) var<storage, read> packed: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> state: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let field_len = N1 * N2;
    if p >= field_len {
        return;
    }
    let d = packed[p];
    let e = cconj(packed[mirror(p)]);
    state[p] = 0.5 * (d + e);
    state[field_len + p] = 0.5 * mul_mi(d - e, false);
}
