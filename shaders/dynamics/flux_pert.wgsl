// Fluxes of the perturbation form, in place over the gradients. The state is
// the deviation d_s = rho_s - rho_s* from the stationary state rho*; with the
// potentials affine in the densities,
//     F_s = d_s grad Phi_s* + (rho_s* + d_s) grad Phi_s,lin[d]
// where Phi_s* = Phi_s[rho*] (all terms) and Phi_s,lin has no potential a_s.
// Every term is of the size of d, so nothing cancels as d decays.
// Keep in sync with src/dynamics/rhs.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read_write> grad: array<vec2<f32>>;  // [S] grad Phi_lin, packed
@group(0) @binding(1) var<storage, read> dens: array<vec2<f32>>;        // [PAIRS] d packed
@group(0) @binding(2) var<storage, read> star: array<vec2<f32>>;        // [PAIRS] rho* packed
@group(0) @binding(3) var<storage, read> grad_star: array<vec2<f32>>;   // [S] grad Phi*, packed

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    if p >= FIELD_LEN {
        return;
    }
    for (var s = 0u; s < SPECIES; s++) {
        let q = (s / 2u) * FIELD_LEN + p;
        let odd = s % 2u == 1u;
        let d = select(dens[q].x, dens[q].y, odd);
        let r = select(star[q].x, star[q].y, odd);
        let i = s * FIELD_LEN + p;
        grad[i] = d * grad_star[i] + (r + d) * grad[i];
    }
}
