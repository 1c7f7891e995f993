// One classical Gram-Schmidt pass of the preconditioned residual w against
// psi_0, x and p (docs/MATHEMATICS.md section 6), run twice:
//     w <- w - (psi . w) psi - (x . w) x - (p . w) p
// with `dots` channels 1-3 holding psi . w, x . w, p . w (poincare_precond's
// layout), and partials of w . w, psi . w, x . w, p . w for the next pass.
// Keep in sync with src/analysis/lobpcg.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read> fixed: array<f32>;              // [psi, q]
@group(0) @binding(1) var<storage, read> dots: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> basis: array<f32>;        // [x, w, p]
@group(0) @binding(3) var<storage, read_write> partials: array<vec2<f32>>; // [4][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = FIELD_LEN;
    let i = flat_index(group, groups, local);
    var v = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    if i < n {
        let psi = fixed[i];
        let x = basis[i];
        let p = basis[2u * n + i];
        let w = basis[n + i] - dots[1].x * psi - dots[2].x * x - dots[3].x * p;
        basis[n + i] = w;
        v = array<f32, 4>(w * w, psi * w, x * w, p * w);
    }
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    for (var c = 0u; c < 4u; c++) {
        let s = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, v[c]), local);
        if local == 0u {
            partials[c * ngroups + gi] = s;
        }
    }
}
