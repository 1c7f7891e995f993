// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as
// easy as 1, 2, 3", SC 2011): a counter-based generator, a keyed bijection of
// a 128-bit counter, so that draw (particle, step, block) of a species is the
// same whatever thread computes it. The CPU twin is src/particles/rng.rs;
// tests/particles_rng.rs checks them bit for bit.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// (hi, lo) of the 64-bit product a * b, from 16-bit halves (WGSL has no u64).
fn philox_mulhilo(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // The middle column with its carries: at most 3 (2^16 - 1), and the high
    // word at most 2^32 - 1, so nothing overflows.
    let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(hi, a * b);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var r = 0u; r < 10u; r = r + 1u) {
        if r > 0u {
            k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
        }
        let p0 = philox_mulhilo(PHILOX_M0, c.x);
        let p1 = philox_mulhilo(PHILOX_M1, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    }
    return c;
}

// Four standard normals from the words of counter (particle, step lo, step
// hi, block) by Box-Muller: u1 = (w >> 8 + 1) 2^-24 in (0, 1], u2 = (w >> 8)
// 2^-24 in [0, 1), r = sqrt(max(-2 ln u1, 0)) (a device's log may come out
// just above 0 at u1 = 1 - 2^-24), theta = 2 pi u2 - pi, the pair
// (r cos theta, r sin theta); words x, y give the first pair, z, w the second.
fn philox_normals(words: vec4<u32>) -> vec4<f32> {
    let scale = 1.0 / 16777216.0;
    let two_pi = 6.283185307179586;
    let pi = 3.141592653589793;
    let u1 = (vec2<f32>(vec2<u32>(words.x, words.z) >> vec2<u32>(8u)) + 1.0) * scale;
    let u2 = vec2<f32>(vec2<u32>(words.y, words.w) >> vec2<u32>(8u)) * scale;
    let r = sqrt(max(-2.0 * log(u1), vec2<f32>(0.0)));
    let theta = two_pi * u2 - pi;
    return vec4<f32>(r.x * cos(theta.x), r.x * sin(theta.x), r.y * cos(theta.y), r.y * sin(theta.y));
}
