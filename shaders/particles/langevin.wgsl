// One Langevin step of a species' particles (docs/MATHEMATICS.md section 9):
//     X <- X - DT_ETA grad Phi(X) + SIGMA noise,   SIGMA = sqrt(2 eta tau dt),
// grad Phi(x) = -sum_t kappa'_t (Re P_t sin(kappa_t . x) + Im P_t cos(kappa_t . x))
// (kappa'_t: kappa_t with each Nyquist component zeroed, the grid's rule for
// odd derivatives) over the species' rows ROW0 .. ROW0 + ROWS of the coefficient table
// (particles/coefficients.wgsl), and noise = xi_k (Euler-Maruyama, LM = 0)
// or (xi_k + xi_{k+1}) / 2 (Leimkuhler-Matthews, LM = 1), xi_k the normals
// of block 0 at counter (particle, k) under the species' key, k the step in
// `clock`: the same draws whatever the workgroup size. Positions stay in
// [0, L). With MOVE = 0 the positions stay put (mirror descent). With
// WEIGH = 1 the weights take the Fisher-Rao step at the old positions,
//     w <- (w / W) exp(-RATE_DT Phi(X)),   RATE_DT = alpha eta dt,
// Phi(x) = sum_t (Re P_t cos(kappa_t . x) - Im P_t sin(kappa_t . x)) and W the
// species' total weight (the real part of moment slot TOTAL), so that they
// stay near a sum of one without a reduction of their own. With EXTERNAL = 1
// a gradient and potential evaluated at the particles beforehand, in `drift`
// and `potential`, are added to the rows' (the spread drift,
// src/particles/spread_drift.rs, with no rows and the totals in `moments`;
// the all-pairs drift of the convolutions, src/particles/pairs.rs). Keep in sync with
// src/particles/reference.rs (its f64 reference).

override COUNT: u32;
override ROW0: u32;
override ROWS: u32;
override DIM: u32;
override LENGTH: f32;
override DT_ETA: f32;
override SIGMA: f32;
override LM: u32;
override KEY_LO: u32;
override KEY_HI: u32;
override WG_SIZE: u32 = 256u;
override MOVE: u32 = 1u;
override WEIGH: u32 = 0u;
override RATE_DT: f32 = 0.0;
override TOTAL: u32 = 0u;
override EXTERNAL: u32 = 0u;

@group(0) @binding(0) var<storage, read_write> positions: array<vec2<f32>>; // [COUNT]
@group(0) @binding(1) var<storage, read> coeffs: array<vec2<f32>>;          // [rows] P_t
@group(0) @binding(2) var<storage, read> row_modes: array<vec2<i32>>;       // [rows] k_t
@group(0) @binding(3) var<storage, read> clock: array<u32>;                 // [step lo, step hi]
@group(0) @binding(4) var<storage, read> row_grad: array<vec2<i32>>;        // [rows] k'_t
@group(0) @binding(5) var<storage, read_write> weights: array<f32>;         // [COUNT]
@group(0) @binding(6) var<storage, read> moments: array<vec2<f32>>;         // [2 slots]
@group(0) @binding(7) var<storage, read> drift: array<vec2<f32>>;           // [COUNT] if EXTERNAL
@group(0) @binding(8) var<storage, read> potential: array<vec2<f32>>;       // [COUNT] if EXTERNAL, WEIGH

fn draws(i: u32, lo: u32, hi: u32) -> vec2<f32> {
    let z = philox_normals(philox4x32_10(vec4<u32>(i, lo, hi, 0u), vec2<u32>(KEY_LO, KEY_HI)));
    return z.xy;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.y * groups.x * WG_SIZE + id.x;
    if i >= COUNT {
        return;
    }
    let x = positions[i];
    // The position in turns of the torus, and each phase reduced to
    // [-pi, pi) from the integer wave vector, as the moments kernel does.
    let u = fract(x / LENGTH);
    let unit = 6.283185307179586 / LENGTH;
    var g = vec2<f32>(0.0);
    var phi = 0.0;
    for (var t = ROW0; t < ROW0 + ROWS; t++) {
        let k = vec2<f32>(row_modes[t]);
        let turns = fract(k.x * u.x) + fract(k.y * u.y);
        let phase = 6.283185307179586 * (fract(turns + 0.5) - 0.5);
        let p = coeffs[t];
        let sn = sin(phase);
        let cs = cos(phase);
        g -= (unit * vec2<f32>(row_grad[t])) * (p.x * sn + p.y * cs);
        phi += p.x * cs - p.y * sn;
    }
    if EXTERNAL == 1u {
        g += drift[i];
        if WEIGH == 1u {
            phi += potential[i].x;
        }
    }
    if WEIGH == 1u {
        weights[i] = weights[i] / moments[2u * TOTAL].x * exp(-RATE_DT * phi);
    }
    if MOVE == 0u {
        return;
    }
    var xi = draws(i, clock[0], clock[1]);
    if LM == 1u {
        let lo = clock[0] + 1u;
        let hi = clock[1] + select(0u, 1u, lo == 0u);
        xi = 0.5 * (xi + draws(i, lo, hi));
    }
    if DIM == 1u {
        xi.y = 0.0;
    }
    let y = x - DT_ETA * g + SIGMA * xi;
    // Rounding can land a wrapped position on L itself: that is 0.
    let w = y - LENGTH * floor(y / LENGTH);
    positions[i] = select(w, vec2<f32>(0.0), w >= vec2<f32>(LENGTH));
}
