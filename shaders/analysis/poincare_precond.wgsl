// Deflation and preconditioning of the LOBPCG residual (docs/MATHEMATICS.md section 6),
// in Hartley coordinates, where -Lap is diagonal:
//     r <- r - (psi . r) psi,    w <- r / (|kappa|^2 + SIGMA)
// with partials of |r|^2, psi . w, x . w, p . w (channels 0-3, the layout
// poincare_ortho reads). `dots[0].x` is psi . r, reduced from poincare_step.
// Keep in sync with src/analysis/lobpcg.rs.

override SIGMA: f32;

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
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    var v = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    if i < n {
        let psi = fixed[i];
        let r = basis[n + i] - dots[0].x * psi;
        let k = kappa(i);
        let w = r / (dot(k, k) + SIGMA);
        basis[n + i] = w;
        v = array<f32, 4>(r * r, psi * w, basis[i] * w, basis[2u * n + i] * w);
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
