// What the flux kernel needs, from the state [rho_s^] (see system_potentials.wgsl):
//     grad[s] = (i kx - ky) Phi_s^          (inverse FFT: dPhi_s/dx + i dPhi_s/dy)
//     dens[q] = rho_2q^ + i rho_2q+1^       (inverse FFT: rho_2q + i rho_2q+1;
//                                            the last pair of an odd S holds 0)
// Keep in sync with src/dynamics/rhs.rs.

@group(0) @binding(4) var<storage, read_write> grad: array<vec2<f32>>; // [S] gradient spectra
@group(0) @binding(5) var<storage, read_write> dens: array<vec2<f32>>; // [PAIRS] packed densities

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
    let k = kappa_odd(p);
    for (var s = 0u; s < SPECIES; s++) {
        grad[s * field_len + p] = grad_packed(k, phi[s]);
    }
    for (var q = 0u; q < PAIRS; q++) {
        let a = state[2u * q * field_len + p];
        var b = vec2<f32>(0.0);
        if 2u * q + 1u < SPECIES {
            b = state[(2u * q + 1u) * field_len + p];
        }
        dens[q * field_len + p] = vec2<f32>(a.x - b.y, a.y + b.x);
    }
}
