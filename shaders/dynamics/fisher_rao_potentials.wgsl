// The potentials themselves for the Fisher-Rao term, from the state [rho_s^]
// (see system_potentials.wgsl), packed two species at a time:
//     phi[q] = Phi_2q^ + i Phi_2q+1^   (inverse FFT: Phi_2q + i Phi_2q+1;
//                                      the last pair of an odd S holds 0)
// Keep in sync with src/dynamics/fisher_rao.rs.

@group(0) @binding(4) var<storage, read_write> phi: array<vec2<f32>>; // [PAIRS]

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
    let spectra = phi_spectra(p);
    for (var q = 0u; q < PAIRS; q++) {
        let a = spectra[2u * q];
        var b = vec2<f32>(0.0);
        if 2u * q + 1u < SPECIES {
            b = spectra[2u * q + 1u];
        }
        phi[q * field_len + p] = vec2<f32>(a.x - b.y, a.y + b.x);
    }
}
