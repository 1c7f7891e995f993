// The all-pairs drift of one convolution term (src/particles/pairs.rs): at
// each target particle x_i, over every source particle X_j in a fixed order,
//     g_i   (+)= SIGN sum_j w_j grad_x k(z_ij) / W,
//     phi_i (+)= SIGN sum_j w_j k(z_ij) / W,          W = sum_j w_j,
// with z_ij = x_i - X_j (REFLECT = 0) or X_j - x_i (REFLECT = 1, the kernel
// k(-z); its gradient in x is then -grad k), each component wrapped to
// [0, L) as the grid samples k. "(+)=" writes when ACCUMULATE = 0 and adds
// to the values of earlier terms when 1. The sources come through
// workgroup memory a tile of 256 at a time; each thread sums its own
// particle's terms in the sources' order with Kahan compensation, so the
// result does not depend on the scheduling. user_field(z, 0) is k(z) and
// user_gradient(z) its gradient, both generated from the config; L is the
// side length (the prelude's pipeline constant).

override COUNT: u32;        // target particles
override SOURCES: u32;      // source particles
override SIGN: f32;
override REFLECT: u32;
override ACCUMULATE: u32;
override DIM: u32;          // 1: the gradient's y component is dropped

@group(0) @binding(0) var<storage, read> targets: array<vec2<f32>>;       // [COUNT]
@group(0) @binding(1) var<storage, read> sources: array<vec2<f32>>;       // [SOURCES]
@group(0) @binding(2) var<storage, read> source_w: array<f32>;            // [SOURCES]
@group(0) @binding(3) var<storage, read_write> grad: array<vec2<f32>>;    // [COUNT]
@group(0) @binding(4) var<storage, read_write> value: array<vec2<f32>>;   // [COUNT] (phi, 0)

const TILE: u32 = 256u;
var<workgroup> tile_x: array<vec2<f32>, TILE>;
var<workgroup> tile_w: array<f32, TILE>;

// Kahan's compensated sum of a vec4: (sum, compensation).
fn kahan(acc: ptr<function, vec4<f32>>, comp: ptr<function, vec4<f32>>, v: vec4<f32>) {
    let y = v - *comp;
    let t = *acc + y;
    *comp = (t - *acc) - y;
    *acc = t;
}

fn wrap(z: vec2<f32>) -> vec2<f32> {
    let w = z - L * floor(z / L);
    return select(w, vec2<f32>(0.0), w >= vec2<f32>(L));
}

@compute @workgroup_size(256)
fn main(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = id.y * groups.x * TILE + id.x;
    let live = i < COUNT;
    let x = targets[min(i, COUNT - 1u)];
    var acc = vec4<f32>(0.0);
    var comp = vec4<f32>(0.0);
    for (var start = 0u; start < SOURCES; start += TILE) {
        let j = start + local;
        if j < SOURCES {
            tile_x[local] = sources[j];
            tile_w[local] = source_w[j];
        }
        workgroupBarrier();
        let here = min(TILE, SOURCES - start);
        for (var t = 0u; t < here; t++) {
            let w = tile_w[t];
            var z = x - tile_x[t];
            var flip = 1.0;
            if REFLECT == 1u {
                z = -z;
                flip = -1.0;
            }
            z = wrap(z);
            var g = flip * user_gradient(z);
            if DIM == 1u {
                g.y = 0.0;
            }
            kahan(&acc, &comp, vec4<f32>(w * g, w * user_field(z, 0.0), w));
        }
        workgroupBarrier();
    }
    if !live {
        return;
    }
    let scale = SIGN / acc.w;
    var g = scale * acc.xy;
    var phi = scale * acc.z;
    if ACCUMULATE == 1u {
        g += grad[i];
        phi += value[i].x;
    }
    grad[i] = g;
    value[i] = vec2<f32>(phi, 0.0);
}
