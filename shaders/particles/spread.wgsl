// Type-1 spreading of weighted particles onto an M1 x M2 grid of the torus
// (src/particles/spread.rs): every particle adds w exp(-d^2 / (4 TAU)) per
// axis (d the distance, in radians of the 2 pi torus, to the grid point,
// the nearest periodic image) at the 2 SPAN + 1 points nearest it along
// each axis (shared/gaussian.wgsl). The sums are exact: each contribution, in [0, 1), is turned into a
// 64-bit fixed-point integer (2^52 units of 1) and added with two u32
// atomics, the low word's carry going into the high word, so the result is
// the same whatever order the threads add in. Keep in sync with the f64
// reference in src/particles/spread.rs.

override COUNT: u32;
override M1: u32;
override M2: u32;
override DIM: u32;
override LENGTH: f32;
override TAU: f32;
override SPAN: i32;

@group(0) @binding(0) var<storage, read> positions: array<vec2<f32>>;   // [COUNT]
@group(0) @binding(1) var<storage, read> weights: array<f32>;           // [COUNT]
@group(0) @binding(2) var<storage, read_write> acc: array<atomic<u32>>; // [2 M1 M2] (lo, hi)

// Adds v in [0, 4096) as v 2^52 in 64-bit fixed point at grid index g.
fn add_fixed(g: u32, v: f32) {
    let t = v * 1048576.0;            // v 2^20: exact
    let hi = floor(t);
    let lo = u32((t - hi) * 4294967296.0);
    let old = atomicAdd(&acc[2u * g], lo);
    let carry = select(0u, 1u, old + lo < old);
    let high = u32(hi) + carry;
    if high != 0u {
        atomicAdd(&acc[2u * g + 1u], high);
    }
}


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.y * groups.x * 64u + id.x;
    if i >= COUNT {
        return;
    }
    let u = fract(positions[i] / LENGTH);
    let w = weights[i];
    let c1 = i32(floor(u.x * f32(M1) + 0.5));
    let c2 = i32(floor(u.y * f32(M2) + 0.5));
    var lo2 = 0;
    var hi2 = 0;
    if DIM == 2u {
        lo2 = -SPAN;
        hi2 = SPAN;
    }
    for (var b = lo2; b <= hi2; b++) {
        let g2 = c2 + b;
        var f2 = 1.0;
        if DIM == 2u {
            f2 = gaussian_factor(u.y, g2, M2, TAU);
        }
        let j2 = wrap_index(g2, M2);
        for (var a = -SPAN; a <= SPAN; a++) {
            let g1 = c1 + a;
            let j1 = wrap_index(g1, M1);
            add_fixed(j2 * M1 + j1, w * gaussian_factor(u.x, g1, M1, TAU) * f2);
        }
    }
}
