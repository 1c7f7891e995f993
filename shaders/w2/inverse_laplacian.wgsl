// The inverse of the periodic five-point Laplacian on spectra
// (src/w2/h1_step_gpu.rs): work[k] /= lambda(k),
// lambda(k) = sum_axes 4 sin^2(pi k_a / N_a) / H^2, and the mean (k = 0) to 0.

override N1: u32;
override N2: u32;
override H: f32;

const PI: f32 = 3.14159265358979;

@group(0) @binding(0) var<storage, read_write> work: array<vec2<f32>>;  // [N2 * N1] spectrum

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let j = id.y * groups.x * 256u + id.x;
    if j >= N1 * N2 {
        return;
    }
    // The index folded to |k| <= N/2 first: sin(pi k / N) near k = N in f32
    // would lose the low modes' symbol to the rounding of pi.
    let k1 = j % N1;
    let k2 = j / N1;
    let s1 = sin(PI * f32(min(k1, N1 - k1)) / f32(N1));
    let s2 = sin(PI * f32(min(k2, N2 - k2)) / f32(N2));
    let lambda = 4.0 * (s1 * s1 + s2 * s2) / (H * H);
    if lambda > 0.0 {
        work[j] = work[j] / lambda;
    } else {
        work[j] = vec2<f32>(0.0, 0.0);
    }
}
