// The vector and scalar updates of the preconditioned conjugate-gradient
// iteration of the linearised W2 (src/metrics/w2lin.rs), both players in
// lockstep with their own scalars. One iteration, with y = A p and z = M r:
//     alpha = g / <p, y>,  x += alpha p,  r -= alpha y,
//     z = M r,  g' = <r, z>,  beta = g' / g,  p = z + beta p,  g = g'.
// sum_k alpha_k g_k = <b, x> grows to ||f||^2 (up to h^d / N): each iteration
// records its term alpha g and its new g' in `history`.
// state: [g_mu, g_nu, alpha_mu, alpha_nu, beta_mu, beta_nu, iteration, 0].
// Keep in sync with src/metrics/w2lin.rs.

override MAX_ITER: u32;

@group(0) @binding(0) var<storage, read> red_a: array<vec2<f32>>;     // <p, A p> per player
@group(0) @binding(1) var<storage, read> red_m: array<vec2<f32>>;     // <r, M r> per player
@group(0) @binding(2) var<storage, read_write> state: array<f32>;     // [8]
@group(0) @binding(3) var<storage, read_write> history: array<vec2<f32>>; // [MAX_ITER][2]

// After the first preconditioning: g = <r0, z0>, beta = 0 (so p = z0).
@compute @workgroup_size(1)
fn start() {
    for (var b = 0u; b < 2u; b++) {
        state[b] = red_m[b].x;
        state[2u + b] = 0.0;
        state[4u + b] = 0.0;
    }
    state[6] = 0.0;
}

@compute @workgroup_size(1)
fn alpha() {
    let it = u32(state[6]);
    for (var b = 0u; b < 2u; b++) {
        let g = state[b];
        let pap = red_a[b].x;
        let a = select(0.0, g / pap, pap > 0.0 && g > 0.0);
        state[2u + b] = a;
        if it < MAX_ITER {
            history[it * 2u + b].x = a * g;
        }
    }
}

@compute @workgroup_size(1)
fn beta() {
    let it = u32(state[6]);
    for (var b = 0u; b < 2u; b++) {
        let g = state[b];
        let g_new = max(red_m[b].x, 0.0);
        state[4u + b] = select(0.0, g_new / g, g > 0.0);
        state[b] = g_new;
        if it < MAX_ITER {
            history[it * 2u + b].y = g_new;
        }
    }
    state[6] = f32(it + 1u);
}
