// Anderson acceleration of the equilibrium iteration, the store
// (src/equilibrium/anderson.rs). From the iterate x = [l_s] and its image
// g = G(x) (one extragradient iteration), every species s at once:
//     f      = sqrt(exp(x) h^d) (g - x)          (residual, density-weighted)
//     dF_new = f - f_prev,  dG_new = g - g_prev   (into the ring slot bound,
//                                                 when has_prev)
//     f_prev <- f,  g_prev <- g
// and the sum of <f, f> over the grid and the species into channel
// FF_CHANNEL of the dot products' partials (aa_dot.wgsl fills the others).
// Keep in sync with src/equilibrium/anderson_gpu.rs.

override FIELD_LEN: u32;   // points of one field
override LOG_CELL: f32;    // log(h^d)
override FF_CHANNEL: u32;  // 2 m

@group(0) @binding(0) var<storage, read> x: array<f32>;              // [S]
@group(0) @binding(1) var<storage, read> g: array<f32>;              // [S]
@group(0) @binding(2) var<storage, read_write> f_prev: array<f32>;   // [S]
@group(0) @binding(3) var<storage, read_write> g_prev: array<f32>;   // [S]
@group(0) @binding(4) var<storage, read_write> df: array<f32>;       // [S] ring slot
@group(0) @binding(5) var<storage, read_write> dg: array<f32>;       // [S] ring slot
@group(0) @binding(6) var<uniform> store: vec4<u32>;                 // (has_prev, -, -, -)
@group(0) @binding(7) var<storage, read_write> partials: array<vec2<f32>>; // [2m + 1][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    let has_prev = store.x != 0u;
    var ff = 0.0;
    if p < FIELD_LEN {
        for (var s = 0u; s < SPECIES; s++) {
            let i = s * FIELD_LEN + p;
            let xi = x[i];
            let gv = g[i];
            let f = sqrt(exp(xi + LOG_CELL)) * (gv - xi);
            if has_prev {
                df[i] = f - f_prev[i];
                dg[i] = gv - g_prev[i];
            }
            f_prev[i] = f;
            g_prev[i] = gv;
            ff += f * f;
        }
    }
    let r = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, ff), local);
    if local == 0u {
        partials[FF_CHANNEL * ngroups + gi] = r;
    }
}
