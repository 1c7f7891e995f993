// Type-1 spreading of weighted particles onto an M1 x M2 grid of the torus
// (src/particles/spread.rs): every particle adds w exp(-d^2 / (4 TAU)) per
// axis (d the distance, in radians of the 2 pi torus, to the grid point,
// the nearest periodic image) to the SPAN points nearest it along each
// axis. The sums are exact: each contribution, in [0, 1), is turned into a
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

const TWO_PI: f32 = 6.283185307179586;

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

// The kernel's factor along one axis for the grid point g (of m) nearest-image
// distance from the particle at u (turns of the torus in [0, 1)).
fn factor(u: f32, g: i32, m: u32) -> f32 {
    var d = u * f32(m) - f32(g);
    // The nearest image: d in [-m/2, m/2).
    d = d - f32(m) * floor(d / f32(m) + 0.5);
    let r = TWO_PI * d / f32(m);
    return exp(-r * r / (4.0 * TAU));
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
            f2 = factor(u.y, g2, M2);
        }
        let j2 = u32((g2 % i32(M2) + i32(M2)) % i32(M2));
        for (var a = -SPAN; a <= SPAN; a++) {
            let g1 = c1 + a;
            let j1 = u32((g1 % i32(M1) + i32(M1)) % i32(M1));
            add_fixed(j2 * M1 + j1, w * factor(u.x, g1, M1) * f2);
        }
    }
}
