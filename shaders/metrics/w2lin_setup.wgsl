// Linearised W2 (docs/MATHEMATICS.md section 5), setup of the conjugate-gradient solve of
//     A phi = -div(rho* grad phi) = f,   ||f||^2_{H^-1(rho*)} = int f phi,
// for both players at once, in spectral coordinates (src/metrics/w2lin.rs):
//     load:  work[b] = f_b + 0i, f = rho - rho* (or the deviation itself in the
//            perturbation form), b = 0 for mu, 1 for nu;
//     split: after a forward FFT of work, b = work with the null modes of the
//            spectral gradient zeroed (every component of kappa_odd zero: the
//            mean and the Nyquist corners), r = b, x = p = 0.
// Keep in sync with src/metrics/w2lin.rs.

override PERTURBATION: bool = false;

@group(0) @binding(0) var<storage, read> dens: array<vec2<f32>>;        // mu + i nu (or deviations)
@group(0) @binding(1) var<storage, read> rho: array<f32>;               // [mu*, nu*]
@group(0) @binding(2) var<storage, read_write> work: array<vec2<f32>>;  // [2][n]
@group(0) @binding(3) var<storage, read_write> x: array<vec2<f32>>;     // [2][n]
@group(0) @binding(4) var<storage, read_write> r: array<vec2<f32>>;     // [2][n]
@group(0) @binding(5) var<storage, read_write> p: array<vec2<f32>>;     // [2][n]

@compute @workgroup_size(WG)
fn load(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let n = N1 * N2;
    let i = flat_index(group, groups, local);
    if i >= n {
        return;
    }
    var f = dens[i];
    if !PERTURBATION {
        f -= vec2<f32>(rho[i], rho[n + i]);
    }
    work[i] = vec2<f32>(f.x, 0.0);
    work[n + i] = vec2<f32>(f.y, 0.0);
}

@compute @workgroup_size(WG)
fn split(
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
    let null_mode = k.x == 0.0 && k.y == 0.0;
    for (var b = 0u; b < 2u; b++) {
        let j = b * n + i;
        r[j] = select(work[j], vec2<f32>(0.0), null_mode);
        x[j] = vec2<f32>(0.0);
        p[j] = vec2<f32>(0.0);
    }
}
