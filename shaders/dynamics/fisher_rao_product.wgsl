// The products Phi_s rho_s on the grid, in place over the packed potentials
// (after their inverse FFT), two species at a time:
//     phi[q] = Phi_2q rho_2q + i Phi_2q+1 rho_2q+1
// with dens[q] = rho_2q + i rho_2q+1. Keep in sync with src/dynamics/fisher_rao.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read_write> phi: array<vec2<f32>>; // [PAIRS]
@group(0) @binding(1) var<storage, read> dens: array<vec2<f32>>;      // [PAIRS]

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    if p >= FIELD_LEN * PAIRS {
        return;
    }
    phi[p] = phi[p] * dens[p];
}
