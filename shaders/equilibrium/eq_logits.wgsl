// Unnormalised log-densities of the extragradient step (docs/MATHEMATICS.md section 4),
//     out_mu = ALPHA l_mu - SCALE V,    out_nu = ALPHA l_nu + SCALE U,
// with ALPHA = 1 - s tau, SCALE = s for an iterate, or ALPHA = 0, SCALE = 1/tau
// for the Gibbs densities softmax(-V/tau), softmax(U/tau). Also writes the
// log-sum-exp partials of both players (channels 0: mu, 1: nu).
// Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;
override ALPHA: f32;
override SCALE: f32;

@group(0) @binding(0) var<storage, read> base: array<f32>;            // [l_mu, l_nu]
@group(0) @binding(1) var<storage, read> pot: array<vec2<f32>>;       // V + i U
@group(0) @binding(2) var<storage, read_write> out: array<f32>;       // [out_mu, out_nu]
@group(0) @binding(3) var<storage, read_write> partials: array<vec2<f32>>; // [2][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let g = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    var lm = red_identity(OP_LSE);
    var ln = red_identity(OP_LSE);
    if p < FIELD_LEN {
        let vu = pot[p];
        var xm = -SCALE * vu.x;
        var xn = SCALE * vu.y;
        if ALPHA != 0.0 {
            xm += ALPHA * base[p];
            xn += ALPHA * base[FIELD_LEN + p];
        }
        out[p] = xm;
        out[FIELD_LEN + p] = xn;
        lm = red_leaf(OP_LSE, xm);
        ln = red_leaf(OP_LSE, xn);
    }
    let rm = workgroup_reduce(OP_LSE, lm, local);
    let rn = workgroup_reduce(OP_LSE, ln, local);
    if local == 0u {
        partials[g] = rm;
        partials[ngroups + g] = rn;
    }
}
