// Samples a user interaction K(x, y) on the product grid of P^d x P^d points,
// spacing H = L / P (src/game/sample.rs, src/game/band.rs):
//     2D: out[((iy2 * P + iy1) * P + ix2) * P + ix1] = K((ix1 H, ix2 H), (iy1 H, iy2 H))
//     1D: out[iy1 * P + ix1] = K((ix1 H, 0), (iy1 H, 0))
// Prefixed by the game prelude, the user function (`user_pair`) and index.wgsl.

override P: u32;      // samples per axis
override DIM: u32;    // 1 or 2
override COUNT: u32;  // P^(2 DIM)
override H: f32;      // L / P

@group(0) @binding(0) var<storage, read_write> values: array<f32>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i >= COUNT {
        return;
    }
    var x = vec2<f32>(0.0, 0.0);
    var y = vec2<f32>(0.0, 0.0);
    if DIM == 1u {
        x.x = f32(i % P) * H;
        y.x = f32(i / P) * H;
    } else {
        x.x = f32(i % P) * H;
        x.y = f32((i / P) % P) * H;
        y.x = f32((i / (P * P)) % P) * H;
        y.y = f32(i / (P * P * P)) * H;
    }
    values[i] = user_pair(x, y);
}
