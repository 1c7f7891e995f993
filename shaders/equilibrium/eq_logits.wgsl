// Unnormalised log-densities of the extragradient step (docs/MATHEMATICS.md
// sections 4 and 8), for every species s:
//     out_s = alpha_s l_s - scale_s Phi_s,
// with (alpha_s, scale_s) = (1 - step tau_s, step) for an iterate, or
// (0, 1 / tau_s) (GIBBS) for the Gibbs densities softmax(-Phi_s / tau_s). For
// the game, Phi_mu = V and Phi_nu = -U. Also writes the log-sum-exp partials
// of every species (channel s). Keep in sync with src/equilibrium/gibbs.rs.

override FIELD_LEN: u32;
// Gibbs densities: the base log-densities (binding 0) are not read.
override GIBBS: bool;

@group(0) @binding(0) var<storage, read> base: array<f32>;            // [S] l_s
@group(0) @binding(1) var<storage, read> pot: array<vec2<f32>>;       // [PAIRS] Phi_2q - i Phi_2q+1
@group(0) @binding(2) var<storage, read_write> out: array<f32>;       // [S] out_s
@group(0) @binding(3) var<storage, read_write> partials: array<vec2<f32>>; // [S][groups]
@group(0) @binding(4) var<storage, read> coef: array<vec2<f32>>;      // [S] (alpha_s, scale_s)

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let g = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    for (var s = 0u; s < SPECIES; s++) {
        var leaf = red_identity(OP_LSE);
        if p < FIELD_LEN {
            let w = pot[(s / 2u) * FIELD_LEN + p];
            let phi = select(w.x, -w.y, s % 2u == 1u);
            let c = coef[s];
            var x = -c.y * phi;
            if !GIBBS {
                x += c.x * base[s * FIELD_LEN + p];
            }
            out[s * FIELD_LEN + p] = x;
            leaf = red_leaf(OP_LSE, x);
        }
        let r = workgroup_reduce(OP_LSE, leaf, local);
        if local == 0u {
            partials[s * ngroups + g] = r;
        }
    }
}
