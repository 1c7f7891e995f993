// Sums for the fixed-point residual and the Nikaido-Isoda error (docs/MATHEMATICS.md
// sections 4-5), from normalised log-densities l and log-Gibbs densities g
// (g_mu = log softmax(-V[nu]/tau), g_nu = log softmax(U[mu]/tau)):
//     channel 0, 1: sum |exp(l) - exp(g)|          (residual, times h^d later)
//     channel 2, 3: KL(rho | Gibbs) terms in Bregman form (bregman.wgsl), times
//                   h^d later: non-negative term by term, so NI >= 0 to round-off
// Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read> l: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<vec2<f32>>; // [4][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    var v = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    if p < FIELD_LEN {
        for (var player = 0u; player < 2u; player++) {
            let i = player * FIELD_LEN + p;
            let rho = exp(l[i]);
            v[player] = abs(rho - exp(g[i]));
            v[2u + player] = kl_term(rho, g[i]);
        }
    }
    for (var c = 0u; c < 4u; c++) {
        let r = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, v[c]), local);
        if local == 0u {
            partials[c * ngroups + gi] = r;
        }
    }
}
