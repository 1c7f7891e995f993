//! Fourier moments of particles on the GPU against their f64 reference, and
//! the debiased Fourier MMD of exact samples (MFLDA.md section 9): zero
//! within its standard error, while the raw value is not, and a wrong
//! density is told apart.
//!
//! Tolerance of the moments, empirical with margin: the GPU reduces the
//! phase k . x / L mod 1 in f32 (about 2e-5 rad per particle at |k| = 40 at
//! worst) and adds its own sin and cos error; over many particles these
//! errors average out, and the software adapter shows 3e-7 at most. The
//! test allows 2e-5.

mod common;

use mflda::particles::mmd::{fourier_mmd, gaussian_weight, half_modes};
use mflda::particles::moments::{moments_cpu, Moments};
use num_complex::Complex64;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use wgpu::util::DeviceExt;

fn storage(ctx: &mflda::gpu::GpuContext, data: &[f32]) -> wgpu::Buffer {
    ctx.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("test.particles"),
            contents: bytemuck::cast_slice(data),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        })
}

#[test]
fn gpu_moments_match_the_f64_reference() {
    let ctx = common::ctx();
    let mut rng = common::rng("particles_moments");
    for (dim, count, length, k_max) in [(1, 1000, 6.0, 40), (2, 100_003, 2.5, 12), (2, 7, 1.0, 3)] {
        let positions: Vec<[f32; 2]> = (0..count)
            .map(|_| {
                let y = if dim == 2 {
                    rng.random_range(0.0..length)
                } else {
                    0.0
                };
                [rng.random_range(0.0..length), y]
            })
            .collect();
        let raw: Vec<f32> = (0..count).map(|_| rng.random_range(0.1f32..1.0)).collect();
        let total: f32 = raw.iter().sum();
        let weights: Vec<f32> = raw.iter().map(|w| w / total).collect();
        let modes: Vec<[i32; 2]> = half_modes(dim, k_max)
            .into_iter()
            .chain([[-k_max, if dim == 2 { -k_max } else { 0 }]])
            .collect();
        let flat: Vec<f32> = positions.iter().flatten().copied().collect();
        let (pb, wb) = (storage(ctx, &flat), storage(ctx, &weights));
        let m = Moments::new(ctx, &pb, &wb, count, f64::from(length), &modes).unwrap();
        let got = m.measure(ctx).unwrap();
        let x64: Vec<[f64; 2]> = positions
            .iter()
            .map(|p| [f64::from(p[0]), f64::from(p[1])])
            .collect();
        let w64: Vec<f64> = weights.iter().map(|&w| f64::from(w)).collect();
        let want = moments_cpu(&x64, &w64, f64::from(length), &modes);
        let worst = got
            .iter()
            .zip(&want)
            .map(|(g, w)| (g - w).norm())
            .fold(0.0, f64::max);
        eprintln!("{dim}D n = {count}, |k| <= {k_max}: worst difference {worst:.2e}");
        assert!(
            worst <= 2e-5,
            "{dim}D n = {count}: worst difference {worst:e}"
        );
        // Bit-reproducible: the same moments again.
        assert_eq!(m.measure(ctx).unwrap(), got);
    }
}

/// `count` samples of the wrapped normal of mean `mu` and deviation `sigma`
/// per axis on the 2D torus of side 2 pi.
fn wrapped_normal(rng: &mut ChaCha8Rng, count: usize, mu: [f64; 2], sigma: f64) -> Vec<f32> {
    let tau = std::f64::consts::TAU;
    let mut normal = || {
        let (u1, u2): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
        (-2.0 * u1.ln()).sqrt() * (tau * u2).cos()
    };
    (0..count)
        .flat_map(|_| {
            let x = (mu[0] + sigma * normal()).rem_euclid(tau);
            let y = (mu[1] + sigma * normal()).rem_euclid(tau);
            [x as f32, y as f32]
        })
        .collect()
}

/// Mean and standard error of the debiased (and raw) squared MMD between
/// `reps` sets of `count` samples of the wrapped normal with deviation
/// `drawn` and the exact moments of the one with deviation `sigma`.
fn mmd_statistics(sigma: f64, drawn: f64) -> ((f64, f64), (f64, f64)) {
    let ctx = common::ctx();
    let mut rng = common::rng("particles_mmd");
    let (count, reps, mu) = (2000usize, 120, [1.0, 4.0]);
    let modes = half_modes(2, 4);
    let c: Vec<f64> = modes.iter().map(|&k| gaussian_weight(k, 2.0)).collect();
    // rho^(k) = exp(-i k . mu - sigma^2 |k|^2 / 2) on the torus of side 2 pi.
    let rho: Vec<Complex64> = modes
        .iter()
        .map(|k| {
            let (k1, k2) = (f64::from(k[0]), f64::from(k[1]));
            let decay = (-sigma * sigma * (k1 * k1 + k2 * k2) / 2.0).exp();
            Complex64::from_polar(decay, -(k1 * mu[0] + k2 * mu[1]))
        })
        .collect();
    let weights = vec![1.0 / count as f32; count];
    let pb = storage(ctx, &vec![0.0; 2 * count]);
    let wb = storage(ctx, &weights);
    let m = Moments::new(ctx, &pb, &wb, count as u32, std::f64::consts::TAU, &modes).unwrap();
    let (mut debiased, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let x = wrapped_normal(&mut rng, count, mu, drawn);
        ctx.queue.write_buffer(&pb, 0, bytemuck::cast_slice(&x));
        let d = fourier_mmd(&m.measure(ctx).unwrap(), &rho, &c, count as f64);
        debiased.push(d.debiased);
        raw.push(d.raw);
    }
    let stats = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (var / n).sqrt())
    };
    (stats(&debiased), stats(&raw))
}

#[test]
fn the_debiased_mmd_of_exact_samples_is_zero_within_its_standard_error() {
    let ((mean, se), (raw, raw_se)) = mmd_statistics(0.7, 0.7);
    eprintln!("exact samples: debiased {mean:.2e} +- {se:.2e}, raw {raw:.2e} +- {raw_se:.2e}");
    assert!(mean.abs() <= 4.0 * se, "debiased {mean:e} +- {se:e}");
    // The raw value is the noise, many standard errors above zero.
    assert!(raw > 10.0 * raw_se, "raw {raw:e} +- {raw_se:e}");
    // Samples of a wider density are told apart.
    let ((wrong, wrong_se), _) = mmd_statistics(0.7, 0.85);
    eprintln!("wider samples: debiased {wrong:.2e} +- {wrong_se:.2e}");
    assert!(
        wrong > 10.0 * wrong_se,
        "wrong density: {wrong:e} +- {wrong_se:e}"
    );
}

#[test]
fn bad_sizes_are_refused() {
    let ctx = common::ctx();
    let pb = storage(ctx, &[0.0; 8]);
    let wb = storage(ctx, &[0.25; 4]);
    let one = [[1, 0]];
    let cases: [(u32, f64, Vec<[i32; 2]>, &str); 4] = [
        (0, 1.0, one.to_vec(), "must be positive"),
        (4, 1.0, Vec::new(), "must be positive"),
        (5, 1.0, one.to_vec(), "the positions need"),
        (4, 1.0, vec![[1, 0]; 40_000], "at most 65535"),
    ];
    for (count, length, modes, says) in cases {
        let e = Moments::new(ctx, &pb, &wb, count, length, &modes).unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }
    let e = Moments::new(ctx, &pb, &wb, 4, 0.0, &one).unwrap_err();
    assert!(e.to_string().contains("must be positive"), "{e}");
}
