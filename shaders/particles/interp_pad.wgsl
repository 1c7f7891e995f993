// Type-2 evaluation, step 1 (src/particles/interpolate.rs): the spectrum c
// of an N1 x N2 grid (its FFT order, the grid's normalisation) onto the
// M1 x M2 oversampled grid, divided by the Gaussian's transform:
//     b[k] = SCALE c[k] / prod_a (2 sqrt(pi TAU) exp(-TAU k_a^2))
// for |k_a| < N_a / 2 (the Nyquist modes left out), 0 elsewhere, with
// SCALE = (2 pi / N)^d, so that the gather after the inverse FFT gives
// (1 / N^d) sum_k c[k] exp(i k . u) at the particles.

override N1: u32;
override N2: u32;
override M1: u32;
override M2: u32;
override TAU: f32;
override SCALE: f32;

@group(0) @binding(0) var<storage, read> c: array<vec2<f32>>;        // [N1 N2]
@group(0) @binding(1) var<storage, read_write> b: array<vec2<f32>>;  // [M1 M2]

// The signed wave number of index j of an m-point axis.
fn signed(j: u32, m: u32) -> i32 {
    return select(i32(j), i32(j) - i32(m), j >= (m + 1u) / 2u);
}

fn hat(k: i32) -> f32 {
    let kf = f32(k);
    return 2.0 * sqrt(3.141592653589793 * TAU) * exp(-TAU * kf * kf);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let q = id.y * groups.x * 64u + id.x;
    if q >= M1 * M2 {
        return;
    }
    let k1 = signed(q % M1, M1);
    let k2 = signed(q / M1, M2);
    let inside1 = abs(k1) < i32(N1 / 2u) || N1 == 1u;
    let inside2 = abs(k2) < i32(N2 / 2u) || (N2 == 1u && k2 == 0);
    if !(inside1 && inside2) {
        b[q] = vec2<f32>(0.0);
        return;
    }
    let j1 = u32((k1 + i32(N1)) % i32(N1));
    let j2 = u32((k2 + i32(N2)) % i32(N2));
    var g = hat(k1);
    if M2 > 1u {
        g = g * hat(k2);
    }
    b[q] = (SCALE / g) * c[j2 * N1 + j1];
}
