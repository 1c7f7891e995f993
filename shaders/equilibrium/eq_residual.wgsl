// Sums for the fixed-point residual and the equilibrium gap (docs/MATHEMATICS.md
// sections 4, 5 and 8), from normalised log-densities l and log-Gibbs
// densities g (g_s = log softmax(-Phi_s / tau_s)):
//     channel s:     sum |exp(l_s) - exp(g_s)|          (residual, times h^d later)
//     channel S + s: KL(rho_s | Gibbs_s) terms in Bregman form (bregman.wgsl),
//                    times tau_s h^d later: non-negative term by term, so the
//                    gap is >= 0 to round-off (for the game, the NI error)
// Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read> l: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<vec2<f32>>; // [2S][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    for (var s = 0u; s < SPECIES; s++) {
        var diff = 0.0;
        var kl = 0.0;
        if p < FIELD_LEN {
            let i = s * FIELD_LEN + p;
            let rho = exp(l[i]);
            diff = abs(rho - exp(g[i]));
            kl = kl_term(rho, g[i]);
        }
        let r = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, diff), local);
        if local == 0u {
            partials[s * ngroups + gi] = r;
        }
        let k = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, kl), local);
        if local == 0u {
            partials[(SPECIES + s) * ngroups + gi] = k;
        }
    }
}
