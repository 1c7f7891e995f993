//! The GPU reduction tree against f64 CPU reductions of the same partials.

mod common;

use common::{ctx, random, rng};
use mflda::metrics::{Op, Reducer};

fn run(ops: &[Op], leaves: &[Vec<f32>]) -> Vec<f64> {
    let ctx = ctx();
    let groups = leaves[0].len() as u32;
    let reducer = Reducer::new(ctx, "test", ops, groups).unwrap();
    let mut partials = Vec::new();
    for (op, values) in ops.iter().zip(leaves) {
        for &v in values {
            partials.extend([v, if *op == Op::Lse { 1.0 } else { 0.0 }]);
        }
    }
    ctx.queue
        .write_buffer(&reducer.partials, 0, bytemuck::cast_slice(&partials));
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    reducer.record(&mut encoder.begin_compute_pass(&Default::default()));
    ctx.queue.submit([encoder.finish()]);
    let out = reducer.read(ctx).unwrap();
    ctx.take_errors().unwrap();
    out
}

#[test]
fn sum_min_max_lse_match_f64_over_three_levels() {
    let mut rng = rng("reduce-levels");
    let n = 100_003; // three levels of 256, ragged
    let x = random(&mut rng, n);
    let lse_in: Vec<f32> = random(&mut rng, n).iter().map(|v| 60.0 * v).collect();
    let ops = [Op::Sum, Op::Min, Op::Max, Op::Lse];
    let got = run(&ops, &[x.clone(), x.clone(), x.clone(), lse_in.clone()]);

    let sum: f64 = x.iter().map(|&v| v as f64).sum();
    let abs: f64 = x.iter().map(|&v| (v as f64).abs()).sum();
    assert!((got[0] - sum).abs() < 1e-6 * abs, "sum {} vs {sum}", got[0]);
    let min = x.iter().copied().fold(f32::INFINITY, f32::min) as f64;
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    assert_eq!(got[1], min);
    assert_eq!(got[2], max);
    let m = lse_in.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let lse = m + lse_in
        .iter()
        .map(|&v| (v as f64 - m).exp())
        .sum::<f64>()
        .ln();
    assert!((got[3] - lse).abs() < 1e-5, "lse {} vs {lse}", got[3]);
}

#[test]
fn long_sum_of_positive_values_keeps_f32_accuracy() {
    // A naive f32 running sum of 2^20 values near 1 drifts by ~1e-4 relative;
    // the pairwise tree must stay near round-off.
    let mut rng = rng("reduce-long");
    let x: Vec<f32> = random(&mut rng, 1 << 20)
        .iter()
        .map(|v| 1.0 + 0.1 * v)
        .collect();
    let got = run(&[Op::Sum], std::slice::from_ref(&x));
    let want: f64 = x.iter().map(|&v| v as f64).sum();
    let rel = (got[0] - want).abs() / want;
    assert!(rel < 2e-7, "relative error {rel:e}");
}

#[test]
fn single_partial_and_single_level() {
    let got = run(&[Op::Sum, Op::Lse], &[vec![2.5], vec![-3.0]]);
    assert_eq!(got[0], 2.5);
    assert!((got[1] + 3.0).abs() < 1e-7);
    let mut rng = rng("reduce-one-level");
    let x = random(&mut rng, 200);
    let got = run(&[Op::Max], std::slice::from_ref(&x));
    assert_eq!(got[0], x.iter().copied().fold(f32::MIN, f32::max) as f64);
}
