// Gram matrices of the LOBPCG basis S = [x, w, p] (docs/MATHEMATICS.md section 6):
// partials of B = S^T S and A = S^T H S, 12 channels in the order
//     xx xw xp ww wp pp  xHx xHw xHp wHw wHp pHp
// (pairwise tree sums). Keep in sync with src/analysis/ritz.rs (`Gram`).

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read> basis: array<f32>;              // [x, w, p]
@group(0) @binding(1) var<storage, read> image: array<f32>;              // [Hx, Hw, Hp]
@group(0) @binding(2) var<storage, read_write> partials: array<vec2<f32>>; // [12][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    var s = array<f32, 3>(0.0, 0.0, 0.0);
    var h = array<f32, 3>(0.0, 0.0, 0.0);
    if i < FIELD_LEN {
        for (var k = 0u; k < 3u; k++) {
            s[k] = basis[k * FIELD_LEN + i];
            h[k] = image[k * FIELD_LEN + i];
        }
    }
    var v = array<f32, 12>(
        s[0] * s[0], s[0] * s[1], s[0] * s[2], s[1] * s[1], s[1] * s[2], s[2] * s[2],
        s[0] * h[0], s[0] * h[1], s[0] * h[2], s[1] * h[1], s[1] * h[2], s[2] * h[2],
    );
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    for (var c = 0u; c < 12u; c++) {
        let r = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, v[c]), local);
        if local == 0u {
            partials[c * ngroups + gi] = r;
        }
    }
}
