//! e^z and phi_1..3 in f64: the reference for the f32 kernels in
//! `shaders/shared/etd.wgsl`.

/// `(e^z, phi1(z), phi2(z), phi3(z))` with phi_k(z) = sum_j z^j / (j+k)!;
/// the series below |z| = 1, the closed forms above.
pub fn phis(z: f64) -> [f64; 4] {
    if z.abs() < 1.0 {
        // phi3 from its series (terms below 1e-20 for |z| < 1), then downwards.
        let mut p3 = 0.0;
        let mut fact = (1..=22u32).map(f64::from).product::<f64>();
        for j in (3..=22u32).rev() {
            p3 = p3 * z + 1.0 / fact;
            fact /= f64::from(j);
        }
        let p2 = 0.5 + z * p3;
        let p1 = 1.0 + z * p2;
        return [1.0 + z * p1, p1, p2, p3];
    }
    let e = z.exp();
    [
        e,
        (e - 1.0) / z,
        (e - 1.0 - z) / (z * z),
        (e - 1.0 - z - 0.5 * z * z) / (z * z * z),
    ]
}

#[cfg(test)]
mod tests {
    use super::phis;

    #[test]
    fn series_and_closed_forms_agree_at_the_switch() {
        for z in [-0.999_999, -1.000_001, -0.5, -3.0] {
            let p = phis(z);
            let e = z.exp();
            assert!((p[0] - e).abs() < 1e-14);
            assert!((p[1] - (e - 1.0) / z).abs() < 1e-12);
        }
        let p = phis(0.0);
        assert_eq!(p, [1.0, 1.0, 0.5, 1.0 / 6.0]);
        // phi3(-1) = (e^-1 - 1 + 1 - 1/2) / -1 = 1/2 - e^-1.
        let below = phis(-1.0 + 1e-9)[3];
        assert!((below - (0.5 - (-1.0f64).exp())).abs() < 1e-9);
    }
}
