// Anderson acceleration of the equilibrium iteration, one term of the mix
// (src/equilibrium/anderson.rs): the next iterate, unnormalised, is
//     out = g_prev - sum_j gamma_j dG_j,
// one dispatch per ring slot j with gamma_j != 0 (FIRST starts from g_prev,
// the others update out in place), each writing the log-sum-exp partials of
// every species (channel s) for the normalisation that follows the last.
// Keep in sync with src/equilibrium/anderson_gpu.rs.

override FIELD_LEN: u32;   // points of one field
override FIRST: bool;      // out = g_prev - gamma_j dG_j, else out -= gamma_j dG_j

@group(0) @binding(0) var<storage, read> g_prev: array<f32>;         // [S]
@group(0) @binding(1) var<storage, read> dg_j: array<f32>;           // [S]
@group(0) @binding(2) var<storage, read> gamma: array<f32>;          // [m]
@group(0) @binding(3) var<uniform> slot: vec4<u32>;                  // (j, -, -, -)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;      // [S]
@group(0) @binding(5) var<storage, read_write> partials: array<vec2<f32>>; // [S][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    let c = gamma[slot.x];
    for (var s = 0u; s < SPECIES; s++) {
        var leaf = red_identity(OP_LSE);
        if p < FIELD_LEN {
            let i = s * FIELD_LEN + p;
            var v: f32;
            if FIRST {
                v = g_prev[i];
            } else {
                v = out[i];
            }
            v -= c * dg_j[i];
            out[i] = v;
            leaf = red_leaf(OP_LSE, v);
        }
        let r = workgroup_reduce(OP_LSE, leaf, local);
        if local == 0u {
            partials[s * ngroups + gi] = r;
        }
    }
}
