// `rand(p)`: seeded white noise for initial densities only (src/game/expr.rs
// appends this file to the generated function of ExprKind::Init and of no other
// kind, so `rand` is not in scope for payoff terms).
//
// rand(p) is a pseudo-random f32 in [0, 1) attached to the grid point nearest
// to p (periodically wrapped), and to the seed `init.seed`: the value is a
// hash of the point's integer indices (j1, j2) and of the seed's two 32-bit
// halves, so it does not depend on float rounding and is bit-identical on
// every device. rand(x) is independent from one grid point to the next; the
// same seed gives the same field, another seed an unrelated one. The CPU
// reference is `mflda::game::init::rand_value`.
//
// Pipeline constants, set by src/game/sample.rs:
override RAND_N1: u32;        // grid points along the fast axis
override RAND_N2: u32;        // grid points along the slow axis (1 in 1D)
override RAND_INV_H1: f32;    // n1 / L, inverse spacing along the fast axis
override RAND_INV_H2: f32;    // n2 / L (the second index is always 0 in 1D)
override RAND_SEED_LO: u32;   // init.seed & 0xffffffff
override RAND_SEED_HI: u32;   // init.seed >> 32

// One round of the PCG output permutation as a 32-bit integer hash (Jarzynski
// and Olano, "Hash Functions for GPU Rendering", JCGT 2020). A bijection of u32.
fn mflda_rand_pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn rand(p: vec2<f32>) -> f32 {
    // The nearest grid index: p is j h up to a relative error of a few ulps, far
    // from the rounding boundary at j + 1/2 for any n <= 8192.
    let n = vec2<i32>(i32(RAND_N1), i32(RAND_N2));
    let k = vec2<i32>(round(p * vec2<f32>(RAND_INV_H1, RAND_INV_H2)));
    let j = vec2<u32>(((k % n) + n) % n);
    // The point first, so every step mixes a runtime value (no constant folding
    // of wrapping products once the seed is substituted), then the seed.
    var h = mflda_rand_pcg(j.x);
    h = mflda_rand_pcg(h ^ j.y);
    h = mflda_rand_pcg(h ^ RAND_SEED_LO);
    h = mflda_rand_pcg(h ^ RAND_SEED_HI);
    // The top 24 bits, scaled exactly into [0, 1).
    return f32(h >> 8u) * (1.0 / 16777216.0);
}
