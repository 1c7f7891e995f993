// [rho_s^] from the spectra D_q of rho_2q + i rho_2q+1 (all real):
//     rho_2q^ = (D_m + conj D_-m) / 2,   rho_2q+1^ = -i (D_m - conj D_-m) / 2.
// Keep in sync with src/equilibrium/solver.rs.

@group(0) @binding(0) var<storage, read> packed: array<vec2<f32>>;   // [PAIRS]
@group(0) @binding(1) var<storage, read_write> state: array<vec2<f32>>; // [S]

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
    let mp = mirror(p);
    for (var q = 0u; q < PAIRS; q++) {
        let d = packed[q * field_len + p];
        let e = cconj(packed[q * field_len + mp]);
        state[2u * q * field_len + p] = 0.5 * (d + e);
        if 2u * q + 1u < SPECIES {
            state[(2u * q + 1u) * field_len + p] = 0.5 * mul_mi(d - e, false);
        }
    }
}
