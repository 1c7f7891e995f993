// H = -Lap + q applied to field SLOT of `basis`, in Hartley coordinates
// X = Hart(x), Hart(x)_m = sum_j x_j cas(kappa_m . x_j) = Re F - Im F for the
// DFT F (src/analysis/schrodinger.rs):
//     H X = |kappa|^2 X + Hart(q Hart(X) / N),   N = N1 N2.
// Three entries around two forward FFTs of `spec`:
//     load:      spec = X + 0i
//     potential: spec = q (Re spec - Im spec) / N + 0i
//     finish:    image[SLOT] = |kappa|^2 X + Re spec - Im spec
// Keep in sync with src/analysis/lobpcg.rs.

override SLOT: u32 = 0u;

@group(0) @binding(0) var<storage, read> fixed: array<f32>;              // [psi, q]
@group(0) @binding(1) var<storage, read> basis: array<f32>;              // [x, w, p]
@group(0) @binding(2) var<storage, read_write> spec: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> image: array<f32>;        // [Hx, Hw, Hp]

@compute @workgroup_size(WG)
fn load(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    if i < n {
        spec[i] = vec2<f32>(basis[SLOT * n + i], 0.0);
    }
}

@compute @workgroup_size(WG)
fn potential(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    if i < n {
        let f = spec[i];
        spec[i] = vec2<f32>(fixed[n + i] * ((f.x - f.y) / f32(n)), 0.0);
    }
}

@compute @workgroup_size(WG)
fn finish(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    if i < n {
        let g = spec[i];
        let k = kappa(i);
        image[SLOT * n + i] = dot(k, k) * basis[SLOT * n + i] + (g.x - g.y);
    }
}
