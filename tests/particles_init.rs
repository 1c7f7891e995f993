//! Initial particles drawn from a grid density by inverse transform
//! (`mflda::particles::init`): exact samples of its piecewise-constant
//! reading, so the debiased Fourier MMD against that density's exact
//! characteristic function is zero within its standard error, and a shifted
//! density is told apart; no particle lands in an empty cell; the draws
//! depend on (seed, species, particle) alone; bad densities are refused.

use mflda::gpu::Shape;
use mflda::particles::init::{cell_moments, sample_density};
use mflda::particles::mmd::{fourier_mmd, gaussian_weight, half_modes};
use mflda::particles::moments::moments_cpu;

const L: f64 = std::f64::consts::TAU;

/// `exp(cos(x - sx) + 0.5 sin(y))` on an n x n grid.
fn density(n: u32, sx: f64) -> Vec<f32> {
    let h = L / f64::from(n);
    (0..n * n)
        .map(|j| {
            let (x, y) = (f64::from(j % n) * h, f64::from(j / n) * h);
            ((x - sx).cos() + 0.5 * y.sin()).exp() as f32
        })
        .collect()
}

/// Mean and standard error of the debiased MMD of `reps` draws of `count`
/// particles from `drawn` against the exact moments of `reference`.
fn debiased(drawn: &[f32], reference: &[f32], shape: Shape) -> (f64, f64) {
    let (count, reps) = (3000u32, 60u64);
    let modes = half_modes(2, 4);
    let c: Vec<f64> = modes.iter().map(|&k| gaussian_weight(k, 2.0)).collect();
    let rho = cell_moments(reference, shape, L, &modes);
    let w = vec![1.0 / f64::from(count); count as usize];
    let d: Vec<f64> = (0..reps)
        .map(|seed| {
            let x = sample_density("test", drawn, shape, L, seed, 0, count).unwrap();
            let m = moments_cpu(&x, &w, L, &modes);
            fourier_mmd(&m, &rho, &c, f64::from(count)).debiased
        })
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn draws_are_exact_samples_of_the_cell_density() {
    let shape = Shape::square(32);
    let rho = density(32, 0.0);
    let (mean, se) = debiased(&rho, &rho, shape);
    eprintln!("exact: debiased MMD {mean:.2e} +- {se:.2e}");
    assert!(mean.abs() <= 4.0 * se, "{mean:e} +- {se:e}");
    let shifted = density(32, 0.3);
    let (wrong, wrong_se) = debiased(&shifted, &rho, shape);
    eprintln!("shifted: debiased MMD {wrong:.2e} +- {wrong_se:.2e}");
    assert!(wrong > 10.0 * wrong_se, "{wrong:e} +- {wrong_se:e}");
}

#[test]
fn no_particle_lands_where_the_density_is_zero() {
    let n = 64u32;
    let shape = Shape::line(n);
    let h = L / f64::from(n);
    // Zero on the second half of the torus, so on the last cells too (where
    // a target rounded up to the total mass would land).
    let rho: Vec<f32> = (0..n)
        .map(|j| (f64::from(j) * h).sin().max(0.0) as f32)
        .collect();
    assert_eq!(rho[n as usize - 1], 0.0);
    let x = sample_density("test", &rho, shape, L, 5, 1, 20_000).unwrap();
    for p in &x {
        assert_eq!(p[1], 0.0);
        let cell = ((p[0] / h).round() as usize) % n as usize;
        assert!(rho[cell] > 0.0, "a particle at {} in an empty cell", p[0]);
        assert!((0.0..L).contains(&p[0]));
    }
}

#[test]
fn draws_depend_on_seed_species_and_particle_alone() {
    let shape = Shape::square(16);
    let rho = density(16, 0.0);
    let a = sample_density("test", &rho, shape, L, 3, 0, 500).unwrap();
    assert_eq!(
        a,
        sample_density("test", &rho, shape, L, 3, 0, 500).unwrap()
    );
    // Fewer particles: the same first ones.
    assert_eq!(
        &a[..100],
        &sample_density("test", &rho, shape, L, 3, 0, 100).unwrap()[..]
    );
    assert_ne!(
        a,
        sample_density("test", &rho, shape, L, 3, 1, 500).unwrap()
    );
    assert_ne!(
        a,
        sample_density("test", &rho, shape, L, 4, 0, 500).unwrap()
    );
}

#[test]
fn bad_densities_are_refused() {
    let shape = Shape::line(4);
    for (rho, says) in [
        (
            vec![1.0, -0.1, 1.0, 1.0],
            "the value at grid index 1 is -0.1",
        ),
        (vec![1.0, f32::NAN, 1.0, 1.0], "grid index 1"),
        (vec![0.0; 4], "no mass"),
        (vec![1.0; 3], "3 values"),
    ] {
        let e = sample_density("species[0].init", &rho, shape, L, 0, 0, 10).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains(says) && text.contains("species[0].init"),
            "{text}"
        );
    }
}
