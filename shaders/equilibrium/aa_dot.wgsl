// Anderson acceleration of the equilibrium iteration, the dot products of
// ring slot j (src/equilibrium/anderson.rs), summed over the grid and the
// species:
//     channel j:          <dF_j, dF_new>
//     channel DEPTH + j:  <dF_j, f>
// with dF_new the slot the store just wrote and f its residual.
// Keep in sync with src/equilibrium/anderson_gpu.rs.

override FIELD_LEN: u32;   // points of one field
override DEPTH: u32;       // ring slots m

@group(0) @binding(0) var<storage, read> df_j: array<f32>;           // [S]
@group(0) @binding(1) var<storage, read> df_new: array<f32>;         // [S]
@group(0) @binding(2) var<storage, read> f: array<f32>;              // [S]
@group(0) @binding(3) var<uniform> slot: vec4<u32>;                  // (j, -, -, -)
@group(0) @binding(4) var<storage, read_write> partials: array<vec2<f32>>; // [2m + 1][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    var a = 0.0;
    var b = 0.0;
    if p < FIELD_LEN {
        for (var s = 0u; s < SPECIES; s++) {
            let i = s * FIELD_LEN + p;
            let d = df_j[i];
            a += d * df_new[i];
            b += d * f[i];
        }
    }
    let j = slot.x;
    let ra = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, a), local);
    if local == 0u {
        partials[j * ngroups + gi] = ra;
    }
    let rb = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, b), local);
    if local == 0u {
        partials[(DEPTH + j) * ngroups + gi] = rb;
    }
}
