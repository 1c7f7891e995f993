// The potentials of every species packed two to a complex field (see
// system_potentials.wgsl): out[q] = Phi_2q^ - i Phi_2q+1^, whose inverse FFT is
// Phi_2q - i Phi_2q+1 on the grid (both real; for the game, V + i U since
// Phi_nu = -U). Keep in sync with src/dynamics/potential_eval.rs.

@group(0) @binding(4) var<storage, read_write> out: array<vec2<f32>>; // [PAIRS]

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
    let phi = phi_spectra(p);
    for (var q = 0u; q < PAIRS; q++) {
        var v = phi[2u * q];
        if 2u * q + 1u < SPECIES {
            let w = phi[2u * q + 1u];
            v += vec2<f32>(w.y, -w.x);
        }
        out[q * field_len + p] = v;
    }
}
