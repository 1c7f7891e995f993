// Fluxes of the perturbation form, in place over the gradients. The state is
// the deviation d = (d_mu, d_nu) from the equilibrium (mu*, nu*); with the
// payoff bilinear,
//     F_mu = d_mu grad V* + (mu* + d_mu) grad V_lin[d_nu]
//     F_nu = -(d_nu grad U* + (nu* + d_nu) grad U_lin[d_mu])
// where V* = V[nu*] (all payoff terms) and V_lin has no constant potential. Every
// term is of the size of d, so nothing cancels as d decays.
// Keep in sync with src/dynamics/rhs.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read_write> grad: array<vec2<f32>>;  // [grad V_lin, grad U_lin] packed
@group(0) @binding(1) var<storage, read> dens: array<vec2<f32>>;        // d_mu + i d_nu
@group(0) @binding(2) var<storage, read> star: array<vec2<f32>>;        // mu* + i nu*
@group(0) @binding(3) var<storage, read> grad_star: array<vec2<f32>>;   // [grad V*, grad U*] packed

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
    let d = dens[p];
    let s = star[p];
    let q = FIELD_LEN + p;
    grad[p] = d.x * grad_star[p] + (s.x + d.x) * grad[p];
    grad[q] = -(d.y * grad_star[q] + (s.y + d.y) * grad[q]);
}
