// The push-forward (x -> x - grad psi(x))_# rho of the back-and-forth method
// (src/w2/push_gpu.rs; the f64 reference is src/w2/bfm_cpu.rs): each grid
// point's mass rho[i] CELL moves to its image, in grid units
// p = j - grad psi(x_j) / H (centred differences), and is split bilinearly
// among the four nearest points (two on the circle, N2 = 1). Deposits are
// fixed-point integers, so their sum does not depend on the order in which
// invocations land: a mass fraction f in [0, 1] is f 2^56, held as a pair of
// u32 (low word, high word) with the low word's carry added to the high.

override N1: u32;
override N2: u32;
override H: f32;
override CELL: f32;

@group(0) @binding(0) var<storage, read> rho: array<f32>;                // [N2 * N1] unit mass
@group(0) @binding(1) var<storage, read> psi: array<f32>;                // [N2 * N1]
@group(0) @binding(2) var<storage, read_write> acc: array<atomic<u32>>;  // [2 N2 N1] (lo, hi)

fn deposit(j: u32, f: f32) {
    if f <= 0.0 {
        return;
    }
    // f 2^24 splits into its integer part (the high word) and its fraction,
    // which times 2^32 is an integer below 2^32 (both exact in f32).
    let x = f * 16777216.0;
    let hi = floor(x);
    let lo = u32((x - hi) * 4294967296.0);
    let old = atomicAdd(&acc[2u * j], lo);
    let carry = select(0u, 1u, old + lo < old);
    atomicAdd(&acc[2u * j + 1u], u32(hi) + carry);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.y * groups.x * 256u + id.x;
    if i >= N1 * N2 {
        return;
    }
    let j1 = i % N1;
    let j2 = i / N1;
    let m = rho[i] * CELL;
    let g1 = (psi[j2 * N1 + (j1 + 1u) % N1] - psi[j2 * N1 + (j1 + N1 - 1u) % N1]) / (2.0 * H);
    // The displacement d apart from the point's index, so that the weight
    // keeps the precision of d rather than of j + d.
    let d1 = -g1 / H;
    let f1 = floor(d1);
    let w1 = d1 - f1;
    let a1 = u32((((i32(j1) + i32(f1)) % i32(N1)) + i32(N1)) % i32(N1));
    let b1 = (a1 + 1u) % N1;
    if N2 == 1u {
        deposit(a1, m * (1.0 - w1));
        deposit(b1, m * w1);
        return;
    }
    let g2 = (psi[((j2 + 1u) % N2) * N1 + j1] - psi[((j2 + N2 - 1u) % N2) * N1 + j1]) / (2.0 * H);
    let d2 = -g2 / H;
    let f2 = floor(d2);
    let w2 = d2 - f2;
    let a2 = u32((((i32(j2) + i32(f2)) % i32(N2)) + i32(N2)) % i32(N2));
    let b2 = (a2 + 1u) % N2;
    deposit(a2 * N1 + a1, m * (1.0 - w1) * (1.0 - w2));
    deposit(a2 * N1 + b1, m * w1 * (1.0 - w2));
    deposit(b2 * N1 + a1, m * (1.0 - w1) * w2);
    deposit(b2 * N1 + b1, m * w1 * w2);
}
