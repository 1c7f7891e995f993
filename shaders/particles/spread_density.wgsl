// Spread drift, step 2 (src/particles/spread_drift.rs): species FIELD's
// density on the N1 x N2 grid, as the grid solver holds one (its FFT, so
// that mode 0 is 1 / h^d), from the spectrum b of its spread grid (M1 x M2,
// after the forward FFT):
//     m^(k)    = CELL^d b[k] / prod_a gaussian_hat(k_a),   CELL = 2 pi / M,
//     state[k] = SCALE m^(k) / Re m^(0),                  SCALE = 1 / h^d,
// for |k_a| < N_a / 2, 0 at the Nyquist modes: the normalised measure
// sum_j w_j delta_{X_j} / W, W = Re m^(0) its total weight, which goes to
// totals[2 FIELD] (the moment table's layout, which the Langevin kernel
// divides the weights by).

override N1: u32;
override N2: u32;
override M1: u32;
override M2: u32;
override TAU: f32;
override CELL: f32;
override SCALE: f32;
override FIELD: u32;

@group(0) @binding(0) var<storage, read> b: array<vec2<f32>>;              // [M1 M2]
@group(0) @binding(1) var<storage, read_write> state: array<vec2<f32>>;    // [S N1 N2]
@group(0) @binding(2) var<storage, read_write> totals: array<vec2<f32>>;   // [2 S]

// The deconvolution of mode (k1, k2): CELL^d / prod_a gaussian_hat(k_a).
fn deconvolve(k1: i32, k2: i32) -> f32 {
    var f = CELL / gaussian_hat(k1, TAU);
    if M2 > 1u {
        f = f * CELL / gaussian_hat(k2, TAU);
    }
    return f;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let p = id.y * groups.x * 64u + id.x;
    if p >= N1 * N2 {
        return;
    }
    let total = deconvolve(0, 0) * b[0].x;
    if p == 0u {
        totals[2u * FIELD] = vec2<f32>(total, 0.0);
    }
    let k1 = signed_mode(p % N1, N1);
    let k2 = signed_mode(p / N1, N2);
    let inside1 = abs(k1) < i32(N1 / 2u) || N1 == 1u;
    let inside2 = abs(k2) < i32(N2 / 2u) || N2 == 1u;
    var v = vec2<f32>(0.0);
    if inside1 && inside2 {
        let q = wrap_index(k2, M2) * M1 + wrap_index(k1, M1);
        v = (SCALE * deconvolve(k1, k2) / total) * b[q];
    }
    state[FIELD * N1 * N2 + p] = v;
}
