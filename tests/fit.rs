//! Decay-rate fits (`mflda::analysis::fit`): exact, transient + floor,
//! oscillating, noisy and degenerate series.

use mflda::analysis::fit::{fit_rate, RateFit};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn grid(t_end: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| t_end * i as f64 / (n - 1) as f64).collect()
}

fn fit(t: &[f64], y: &[f64]) -> RateFit {
    fit_rate(t, y).expect("a fit")
}

#[test]
fn pure_exponential_is_exact() {
    let t = grid(10.0, 201);
    let y: Vec<f64> = t.iter().map(|t| 3.0 * (-0.7 * t).exp()).collect();
    let f = fit(&t, &y);
    assert!((f.rate - 0.7).abs() < 1e-9, "{f:?}");
    assert!((f.intercept - 3f64.ln()).abs() < 1e-9, "{f:?}");
    assert!(f.residual < 1e-9);
    // Nothing to exclude: the whole series.
    assert_eq!((f.t_start, f.t_end, f.points), (0.0, 10.0, 201));
    assert!((f.value_at(5.0) / y[100] - 1.0).abs() < 1e-9);
}

#[test]
fn transient_and_floor_are_excluded() {
    let a = 0.8;
    let t = grid(40.0, 401);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // A faster mode at the start; a round-off floor at 1e-9 from t = 25.9,
    // exactly flat or noisy.
    for noise in [0.0, 0.3] {
        let y: Vec<f64> = t
            .iter()
            .map(|&t| {
                let decay = (-a * t).exp() * (1.0 + 4.0 * (-2.0 * a * t).exp());
                decay.max(1e-9 * (1.0 + noise * rng.random::<f64>()))
            })
            .collect();
        let f = fit(&t, &y);
        assert!((f.rate / a - 1.0).abs() < 0.01, "noise {noise}: {f:?}");
        // The transient is above 10% of the signal before t = 2.3.
        assert!(f.t_start >= 2.3, "window starts in the transient: {f:?}");
        assert!(f.t_end < 25.9, "window reaches the floor: {f:?}");
        assert!(f.t_end - f.t_start > 10.0, "window too short: {f:?}");
    }
}

#[test]
fn oscillating_decay_follows_the_envelope() {
    for (a, w, phase, n) in [
        (0.3, 3.0, 0.0, 801),
        (0.3, 2.0, 0.4, 201),
        (1.0, 5.0, 1.0, 1001),
    ] {
        let t = grid(20.0 / a, n);
        let y: Vec<f64> = t
            .iter()
            .map(|&t| (w * t + phase).cos().abs() * (-a * t).exp())
            .collect();
        let f = fit(&t, &y);
        assert!((f.rate / a - 1.0).abs() < 0.05, "a={a} w={w}: {f:?}");
    }
}

#[test]
fn noisy_decay() {
    let a = 0.5;
    let t = grid(10.0, 201);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for sigma in [0.01, 0.05, 0.2] {
        let y: Vec<f64> = t
            .iter()
            .map(|&t| {
                // Roughly normal log-noise: a sum of uniforms.
                let g: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
                (-a * t + sigma * g).exp()
            })
            .collect();
        let f = fit(&t, &y);
        let tol = if sigma < 0.1 { 0.03 } else { 0.15 };
        assert!((f.rate / a - 1.0).abs() < tol, "sigma={sigma}: {f:?}");
        assert!(f.points >= 5 && f.residual.is_finite());
    }
}

#[test]
fn degenerate_inputs_never_panic() {
    let t = grid(1.0, 50);
    // Constant: no decay, a sane fit.
    let f = fit(&t, &vec![2.0; 50]);
    assert!(f.rate.abs() < 1e-12 && f.residual < 1e-12, "{f:?}");
    // Too short, zeros, negatives, non-finite, mismatched lengths: no fit.
    assert!(fit_rate(&t[..3], &[1.0, 0.5, 0.25]).is_none());
    assert!(fit_rate(&t, &[0.0; 50]).is_none());
    assert!(fit_rate(&t, &[-1.0; 50]).is_none());
    assert!(fit_rate(&t, &[f64::NAN; 50]).is_none());
    assert!(fit_rate(&t, &[1.0; 49]).is_none());
    assert!(fit_rate(&[], &[]).is_none());
    // Repeated or backwards times are skipped, not fatal.
    let f = fit(
        &[0.0, 1.0, 1.0, 2.0, 1.5, 3.0, 4.0],
        &[1.0, 0.5, 0.4, 0.25, 9.0, 0.125, 0.0625],
    );
    assert!((f.rate - 2f64.ln()).abs() < 1e-12, "{f:?}");
    // Growth: only the last point is an envelope point, so no fit.
    let y: Vec<f64> = t.iter().map(|t| (2.0 * t).exp()).collect();
    assert!(fit_rate(&t, &y).is_none());
    // Some zeros and infinities in an otherwise good series.
    let mut y: Vec<f64> = t.iter().map(|t| (-3.0 * t).exp()).collect();
    y[10] = 0.0;
    y[20] = f64::INFINITY;
    y[30] = f64::NAN;
    assert!((fit(&t, &y).rate - 3.0).abs() < 1e-9);
    // A huge series still answers quickly (strided window ends).
    let t = grid(100.0, 200_000);
    let y: Vec<f64> = t.iter().map(|t| (-0.1 * t).exp()).collect();
    assert!((fit(&t, &y).rate - 0.1).abs() < 1e-9);
}
