// One application of the linearised-W2 operator or of its preconditioner to
// both players' spectra (src/metrics/w2lin.rs), with D the spectral gradient
// i kappa_odd and w a weight on the grid:
//     grad:   work[b] = D src[b]  (packed: the inverse FFT gives gx + i gy)
//     weight: work[b] *= w_b(x)  (on the grid, after the inverse FFT)
//     div:    dst[b] = -div work[b] = D^H work[b] (after the forward FFT),
//             with partials of Re <dot[b], dst[b]> (channels b = 0, 1).
// PRECOND = false, w = rho*:      dst = A src = -div(rho* grad src).
// PRECOND = true,  w = 1 / rho*:  dst = M src = L^+ D^H (1/rho*) D L^+ src with
// L^+ the pseudo-inverse of |kappa_odd|^2; M A = 1 exactly in 1D up to the two
// null modes, and close to it in 2D where rho* varies slowly.
// Keep in sync with src/metrics/w2lin.rs.

override PRECOND: bool = false;

@group(0) @binding(0) var<storage, read> weight_grid: array<f32>;      // [w_mu, w_nu]
@group(0) @binding(1) var<storage, read> src: array<vec2<f32>>;       // [2][n]
@group(0) @binding(2) var<storage, read_write> dst: array<vec2<f32>>; // [2][n]
@group(0) @binding(3) var<storage, read> dot_with: array<vec2<f32>>;  // [2][n]
@group(0) @binding(4) var<storage, read_write> work: array<vec2<f32>>; // [2][n]
@group(0) @binding(5) var<storage, read_write> partials: array<vec2<f32>>; // [2][groups]

// 1 / |kappa_odd|^2, 0 on the null modes; 1 without PRECOND.
fn scale(k: vec2<f32>) -> f32 {
    if !PRECOND {
        return 1.0;
    }
    let s = dot(k, k);
    return select(0.0, 1.0 / s, s > 0.0);
}

@compute @workgroup_size(WG)
fn grad(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    if i >= n {
        return;
    }
    let k = kappa_odd(i);
    let s = scale(k);
    for (var b = 0u; b < 2u; b++) {
        work[b * n + i] = grad_packed(k, s * src[b * n + i]);
    }
}

@compute @workgroup_size(WG)
fn weight(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    if i >= n {
        return;
    }
    work[i] *= weight_grid[i];
    work[n + i] *= weight_grid[n + i];
}

@compute @workgroup_size(RED_WG)
fn div(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    var d = vec2<f32>(0.0);
    if i < n {
        let k = kappa_odd(i);
        let s = scale(k);
        let mi = mirror(i);
        for (var b = 0u; b < 2u; b++) {
            let t = work[b * n + i];
            let tm = work[b * n + mi];
            let tc = vec2<f32>(tm.x, -tm.y);
            // The spectra of the real components: gx^ = (t + tc) / 2 and
            // gy^ = (t - tc) / 2i; -div = -(i kx gx^ + i ky gy^).
            let sx = 0.5 * (t + tc);
            let dy = 0.5 * (t - tc);
            let y = s * vec2<f32>(k.x * sx.y - k.y * dy.x, -k.x * sx.x - k.y * dy.y);
            dst[b * n + i] = y;
            let o = dot_with[b * n + i];
            d[b] = o.x * y.x + o.y * y.y;
        }
    }
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    for (var b = 0u; b < 2u; b++) {
        let sum = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, d[b]), local);
        if local == 0u {
            partials[b * ngroups + gi] = sum;
        }
    }
}
