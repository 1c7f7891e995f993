//! `rand(x)` in initial densities: a seeded function of the grid point,
//! uniform on [0, 1), identical on the CPU and the GPU, for `init.*` only.

mod common;

use std::f64::consts::PI;

use common::{caret, ctx, expr_error};
use mflda::game::{check_init, rand_value, sample_grid, sample_init, ExprKind};
use mflda::gpu::Shape;
use mflda::Error;

const L: f64 = 2.0 * PI;

fn rand_field(shape: Shape, seed: u64) -> Vec<f32> {
    let eq = vec![1.0f32; shape.len()];
    sample_init(ctx(), "init.mu", "rand(x)", shape, L, &eq, seed).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rand_is_a_seeded_function_of_the_grid_point() {
    let shape = Shape::square(64);
    let a = rand_field(shape, 7);
    let again = rand_field(shape, 7);
    assert!(
        a.iter()
            .zip(&again)
            .all(|(x, y)| x.to_bits() == y.to_bits()),
        "the same seed must give the same field bit for bit"
    );
    for other in [8, 7 + (1 << 32), u64::MAX] {
        let b = rand_field(shape, other);
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert!(
            same < 16,
            "seed {other}: {same} of 4096 values equal seed 7's"
        );
    }
    // The GPU value is the CPU reference's, bit for bit, in 2D and in 1D.
    for (i, v) in a.iter().enumerate() {
        let (j1, j2) = ((i % 64) as u32, (i / 64) as u32);
        assert_eq!(v.to_bits(), rand_value(7, j1, j2).to_bits(), "[{j2}, {j1}]");
    }
    let line = rand_field(Shape::line(128), u64::MAX - 3);
    for (j1, v) in line.iter().enumerate() {
        assert_eq!(
            v.to_bits(),
            rand_value(u64::MAX - 3, j1 as u32, 0).to_bits()
        );
    }
}

#[test]
fn rand_is_uniform_on_zero_one() {
    let shape = Shape::square(64);
    for seed in [0, 1, 0xdead_beef_cafe] {
        let v = rand_field(shape, seed);
        assert!(v.iter().all(|&x| (0.0..1.0).contains(&x)), "seed {seed}");
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        // Standard errors: 1/sqrt(12 n) = 0.0045 for the mean; 0.0013 for the variance.
        assert!((mean - 0.5).abs() < 0.02, "seed {seed}: mean {mean}");
        assert!(
            (var - 1.0 / 12.0).abs() < 0.008,
            "seed {seed}: variance {var}"
        );
        // Neighbours are uncorrelated.
        let lag: f64 = (0..v.len() - 1)
            .filter(|i| i % 64 != 63)
            .map(|i| (v[i] as f64 - mean) * (v[i + 1] as f64 - mean))
            .sum::<f64>()
            / (63.0 * 64.0 * var);
        assert!(lag.abs() < 0.06, "seed {seed}: lag-1 correlation {lag}");
        // Every tenth of [0, 1) gets its share (409.6 expected, sd about 19).
        let mut bins = [0usize; 10];
        v.iter().for_each(|&x| bins[(x * 10.0) as usize] += 1);
        assert!(
            bins.iter().all(|&b| (310..510).contains(&b)),
            "seed {seed}: {bins:?}"
        );
    }
}

#[test]
fn rand_takes_the_nearest_grid_point_periodically() {
    let shape = Shape { n1: 16, n2: 8 };
    let eq = vec![1.0f32; shape.len()];
    let seed = 42;
    let (h1, h2) = (L / 16.0, L / 8.0);
    // Off by a third of a cell, and shifted by one period: the same point.
    let text = format!(
        "rand(x + vec2<f32>({:.7}, {:.7}) + vec2<f32>(L, -L))",
        h1 / 3.0,
        -h2 / 3.0
    );
    let shifted = sample_init(ctx(), "init.nu", &text, shape, L, &eq, seed).unwrap();
    let plain = sample_init(ctx(), "init.nu", "rand(x)", shape, L, &eq, seed).unwrap();
    assert_eq!(shifted, plain);
    // One cell to the right: element [j2, j1] reads [j2, j1 + 1 mod n1].
    let text = format!("rand(x + vec2<f32>({h1:.7}, 0.0))");
    let next = sample_init(ctx(), "init.nu", &text, shape, L, &eq, seed).unwrap();
    for j2 in 0..8u32 {
        for j1 in 0..16u32 {
            let got = next[(j2 * 16 + j1) as usize];
            assert_eq!(got, rand_value(seed, (j1 + 1) % 16, j2), "[{j2}, {j1}]");
        }
    }
    // A perturbed density built on it.
    let text = "eq * (0.9 + 0.2 * rand(x))";
    let v = sample_init(ctx(), "init.nu", text, shape, L, &eq, seed).unwrap();
    assert!(v.iter().all(|&x| (0.9..1.1).contains(&x)), "{v:?}");
}

#[test]
fn rand_is_for_initial_densities_only() {
    for (field, text, kind) in [
        ("game.kernel", "rand(z)", ExprKind::Kernel),
        ("game.potential_mu", "0.1 * rand(x)", ExprKind::PotentialMu),
        ("game.potential_nu", "rand(y) - 0.5", ExprKind::PotentialNu),
        (
            "game.interaction",
            "cos(x.x) * rand(y)",
            ExprKind::Interaction,
        ),
    ] {
        let msg = expr_error(field, text, kind);
        assert!(msg.contains("`rand`"), "{text}: {msg}");
        assert!(
            msg.contains("initial densities"),
            "{text}: say where rand is allowed: {msg}"
        );
    }
    assert!(check_init("init.mu", "eq * (0.5 + rand(x))").is_ok());
    // rand takes the point, a vec2<f32>.
    let msg = expr_error("init.mu", "rand(x.x)", ExprKind::Init);
    assert_eq!(caret(&msg, "rand(x.x)"), (5, 3), "{msg}");
    assert!(
        msg.contains("argument 1 of this call has the wrong type"),
        "{msg}"
    );
    assert!(msg.contains("`rand(x)`") && !msg.contains("[2]"), "{msg}");
    let sampled = sample_grid(
        ctx(),
        "game.kernel",
        "rand(z)",
        ExprKind::Kernel,
        Shape::line(8),
        L,
        None,
    );
    assert!(
        matches!(sampled, Err(Error::Expression { .. })),
        "{sampled:?}"
    );
}
