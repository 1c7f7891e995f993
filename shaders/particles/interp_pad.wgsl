// Type-2 evaluation, step 1 (src/particles/interpolate.rs): the spectrum c
// of an N1 x N2 grid (its FFT order, the grid's normalisation) onto the
// M1 x M2 oversampled grid, divided by the Gaussian's transform:
//     b[k] = SCALE c[k] / prod_a (2 sqrt(pi TAU) exp(-TAU k_a^2))
// for |k_a| < N_a / 2 (the Nyquist modes left out), 0 elsewhere, with
// SCALE = (2 pi / N)^d, so that the gather after the inverse FFT gives
// (1 / N^d) sum_k c[k] exp(i k . u) at the particles. c is field FIELD of
// the buffer. With POTENTIAL = 1, c is a packed gradient spectrum
// (i kx - ky) Phi^ (kx = UNIT k1, ky = UNIT k2, UNIT = 2 pi / L) and the
// potential Phi^ = c / (i kx - ky) goes onto the grid instead (mode 0, which
// no gradient carries, left out), so that the gather gives Phi less its mean.

override N1: u32;
override N2: u32;
override M1: u32;
override M2: u32;
override TAU: f32;
override SCALE: f32;
override FIELD: u32 = 0u;
override POTENTIAL: u32 = 0u;
override UNIT: f32 = 1.0;

@group(0) @binding(0) var<storage, read> c: array<vec2<f32>>;        // [N1 N2]
@group(0) @binding(1) var<storage, read_write> b: array<vec2<f32>>;  // [M1 M2]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let q = id.y * groups.x * 64u + id.x;
    if q >= M1 * M2 {
        return;
    }
    let k1 = signed_mode(q % M1, M1);
    let k2 = signed_mode(q / M1, M2);
    let inside1 = abs(k1) < i32(N1 / 2u) || N1 == 1u;
    let inside2 = abs(k2) < i32(N2 / 2u) || (N2 == 1u && k2 == 0);
    if !(inside1 && inside2) {
        b[q] = vec2<f32>(0.0);
        return;
    }
    let j1 = u32((k1 + i32(N1)) % i32(N1));
    let j2 = u32((k2 + i32(N2)) % i32(N2));
    var g = gaussian_hat(k1, TAU);
    if M2 > 1u {
        g = g * gaussian_hat(k2, TAU);
    }
    var v = c[FIELD * N1 * N2 + j2 * N1 + j1];
    if POTENTIAL == 1u {
        // v / (i kx - ky) = v conj(d) / |d|^2 with d = (-ky, kx).
        let d = UNIT * vec2<f32>(-f32(k2), f32(k1));
        let d2 = dot(d, d);
        v = select(vec2<f32>(v.x * d.x + v.y * d.y, v.y * d.x - v.x * d.y) / d2, vec2<f32>(0.0), d2 == 0.0);
    }
    b[q] = (SCALE / g) * v;
}
