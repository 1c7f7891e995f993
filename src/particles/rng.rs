//! Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
//! as easy as 1, 2, 3", SC 2011), the CPU twin of `shaders/shared/philox.wgsl`.
//!
//! A counter-based generator is a keyed bijection of a 128-bit counter: the
//! noise of particle i of species s at step k, block b (four normals) is
//! `philox(counter = (i, k lo, k hi, b), key = species_key(seed, s))`, so a
//! run draws the same numbers whatever its workgroup size or the order its
//! threads run in, and the CPU can recompute any draw. Normals come by Box-Muller ([`normals`]).

/// The multipliers and key increments of Philox4x32 (Random123's
/// `PHILOX_M4x32_0/1` and `PHILOX_W32_0/1`).
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// `(hi, lo)` of the 64-bit product `a b`.
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

/// Philox4x32 with 10 rounds of `counter` under `key`: the key is bumped by
/// (W0, W1) before every round but the first.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let (hi0, lo0) = mulhilo(M0, c[0]);
        let (hi1, lo1) = mulhilo(M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// The seed as the generator's key `(lo, hi)`.
pub fn seed_key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// The key of `species` under `seed`: the first two words of the generator
/// at counter `(species, !0, !0, !0)` keyed by the seed. Two species of one
/// seed share a key with probability about 2^-64 (half the output of a
/// bijection of the counter); the GPU kernels take it as an override.
pub fn species_key(seed: u64, species: u32) -> [u32; 2] {
    let w = philox4x32_10([species, u32::MAX, u32::MAX, u32::MAX], seed_key(seed));
    [w[0], w[1]]
}

/// The counter of block `block` of particle `particle` at step `step`.
pub fn counter(particle: u32, step: u64, block: u32) -> [u32; 4] {
    [particle, step as u32, (step >> 32) as u32, block]
}

/// Four standard normals from four words by Box-Muller, in f64 from the
/// same bits as the GPU's f32: `u1 = (w0 >> 8 + 1) 2^-24` in (0, 1], `u2 =
/// (w1 >> 8) 2^-24` in [0, 1), `r = sqrt(max(-2 ln u1, 0))`, `theta = 2 pi u2 - pi`,
/// the pair `(r cos theta, r sin theta)`; words 2 and 3 give the second pair.
pub fn normals(words: [u32; 4]) -> [f64; 4] {
    let scale = 1.0 / 16_777_216.0;
    let pair = |a: u32, b: u32| {
        let u1 = (f64::from(a >> 8) + 1.0) * scale;
        let u2 = f64::from(b >> 8) * scale;
        let r = (-2.0 * u1.ln()).max(0.0).sqrt();
        let theta = std::f64::consts::TAU * u2 - std::f64::consts::PI;
        (r * theta.cos(), r * theta.sin())
    };
    let (a, b) = pair(words[0], words[1]);
    let (c, d) = pair(words[2], words[3]);
    [a, b, c, d]
}

/// `draws` standard normals of each of `count` particles of `species` at
/// `step` (particle i's at `[i * draws ..]`): the f64 reference of the
/// `particles/noise` kernel.
pub fn step_normals(seed: u64, species: u32, step: u64, count: u32, draws: u32) -> Vec<f64> {
    let key = species_key(seed, species);
    let blocks = draws.div_ceil(4);
    let mut out = Vec::with_capacity(count as usize * draws as usize);
    for i in 0..count {
        for b in 0..blocks {
            let z = normals(philox4x32_10(counter(i, step, b), key));
            let keep = (draws - 4 * b).min(4) as usize;
            out.extend_from_slice(&z[..keep]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The known-answer vectors of Random123 (D. E. Shaw Research,
    /// `kat_vectors`, "philox4x32 10"): counter, key, output.
    #[test]
    fn known_answers() {
        let cases: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            (
                [0; 4],
                [0; 2],
                [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8],
            ),
            (
                [u32::MAX; 4],
                [u32::MAX; 2],
                [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd],
            ),
            (
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0],
                [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
            ),
        ];
        for (c, k, want) in cases {
            assert_eq!(philox4x32_10(c, k), want, "counter {c:x?} key {k:x?}");
        }
    }

    /// Box-Muller of exact words: the moments of many draws are those of a
    /// standard normal within their sampling error (5 sigma).
    #[test]
    fn normals_have_unit_variance() {
        let z = step_normals(7, 1, 3, 20_000, 5);
        let n = z.len() as f64;
        let mean = z.iter().sum::<f64>() / n;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let kurt = z.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n / (var * var);
        assert!(mean.abs() < 5.0 / n.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(), "variance {var}");
        assert!(
            (kurt - 3.0).abs() < 5.0 * (24.0 / n).sqrt(),
            "kurtosis {kurt}"
        );
    }

    #[test]
    fn species_keys_differ() {
        let keys: Vec<[u32; 2]> = (0..64).map(|s| species_key(42, s)).collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(keys[i + 1..].iter().all(|b| b != a), "species {i}");
        }
        assert_ne!(species_key(42, 0), species_key(43, 0));
    }
}
