//! The particles' noise: the GPU generator (`shaders/shared/philox.wgsl`)
//! against its CPU twin (`mflda::particles::rng`), bit for bit on the raw
//! words, and the same values whatever the workgroup size or dispatch fold.
//! The normals are compared with the f64 reference within 4e-3: Vulkan
//! bounds sin and cos in f32 by 2^-11 absolutely on [-pi, pi] and r =
//! sqrt(-2 ln u) is at most 5.8, so r 2^-11 = 2.8e-3 plus the logarithm's
//! error is the most a conforming device may differ.

mod common;

use mflda::particles::noise::StepNoise;
use mflda::particles::rng::{counter, philox4x32_10, species_key, step_normals};
use rand::Rng;

/// The CPU words of `count` particles, `blocks` blocks each.
fn cpu_words(seed: u64, species: u32, step: u64, count: u32, blocks: u32) -> Vec<u32> {
    let key = species_key(seed, species);
    (0..count)
        .flat_map(|i| (0..blocks).flat_map(move |b| philox4x32_10(counter(i, step, b), key)))
        .collect()
}

#[test]
fn gpu_words_are_the_cpu_twins_bit_for_bit_for_every_workgroup_size() {
    let ctx = common::ctx();
    let mut rng = common::rng("particles_rng");
    for _ in 0..3 {
        let seed: u64 = rng.random();
        let species: u32 = rng.random_range(0..5);
        // Steps past 2^32 exercise the counter's high word.
        let step: u64 = rng.random_range(0..1u64 << 40);
        let (count, draws): (u32, u32) = (rng.random_range(1..3000), rng.random_range(1..10));
        let want = cpu_words(seed, species, step, count, draws.div_ceil(4));
        for wg in [1, 64, 256] {
            let noise = StepNoise::new(ctx, seed, species, count, draws, wg).unwrap();
            let got = noise.words(ctx, step).unwrap();
            assert_eq!(
                got, want,
                "seed {seed} species {species} step {step} wg {wg}"
            );
        }
    }
}

#[test]
fn gpu_normals_match_the_f64_reference_and_do_not_depend_on_the_workgroup() {
    let ctx = common::ctx();
    let (seed, species, step, count, draws) = (0x5eed_0123_4567_89ab, 2, 17, 4099, 3);
    let want = step_normals(seed, species, step, count, draws);
    let mut first: Option<Vec<u32>> = None;
    for wg in [32, 256] {
        let noise = StepNoise::new(ctx, seed, species, count, draws, wg).unwrap();
        let got = noise.normals(ctx, step).unwrap();
        let worst = common::max_abs_diff(&got, &want);
        assert!(
            got.iter().all(|v| v.is_finite()),
            "wg {wg}: a normal is not finite"
        );
        assert!(worst <= 4e-3, "wg {wg}: worst difference {worst:e}");
        let bits: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
        match &first {
            Some(f) => assert_eq!(&bits, f, "the normals changed with the workgroup size"),
            None => first = Some(bits),
        }
    }
}

/// More than 65535 workgroups along x (65536 of 64 threads): the dispatch
/// folds into y, and every particle still gets its own words. The 64 MiB of
/// words is what every accepted device binds.
#[test]
fn a_folded_dispatch_draws_every_particle() {
    let ctx = common::ctx();
    let (seed, species, step, count) = (9, 0, 3, 65_536 * 64);
    let noise = StepNoise::new(ctx, seed, species, count, 1, 64).unwrap();
    let got = noise.words(ctx, step).unwrap();
    assert_eq!(got, cpu_words(seed, species, step, count, 1));
}

#[test]
fn bad_sizes_are_refused() {
    let ctx = common::ctx();
    for (count, draws, wg, says) in [
        (0, 1, 64, "must be positive"),
        (10, 0, 64, "must be positive"),
        (10, 1, 48, "a power of two"),
        (10, 1, 512, "a power of two"),
    ] {
        let e = StepNoise::new(ctx, 1, 0, count, draws, wg).unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }
    // 34 GB of words: more than one binding holds on any device (and more
    // words than a dispatch indexes).
    let e = StepNoise::new(ctx, 1, 0, u32::MAX / 4, 8, 64).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("binds at most") || text.contains("indexes"),
        "{e}"
    );
}
