//! Axis ticks and short number labels.

/// `v` in at most three significant digits, as short as possible: plain
/// decimals for `1e-2 <= |v| < 1e4` (`0.0123`, `12.5`, `2500`), otherwise
/// mantissa and exponent (`1.23e-5`, `-4e6`); `0` for zero, `nan`, `inf`,
/// `-inf` for non-finite values. Trailing zeros are dropped.
pub fn format_compact(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let mut e = v.abs().log10().floor() as i32;
    let mut m = v / 10f64.powi(e);
    if !m.is_finite() {
        // Subnormal magnitudes, where 10^e underflows.
        return format!("{v:.2e}");
    }
    // Round the mantissa to three digits; 9.996 becomes 10.0 -> 1.00e+1.
    m = (m * 100.0).round() / 100.0;
    if m.abs() >= 10.0 {
        m /= 10.0;
        e += 1;
    }
    if (-2..4).contains(&e) {
        let decimals = (2 - e).max(0) as usize;
        trim_zeros(format!("{:.*}", decimals, m * 10f64.powi(e)))
    } else {
        format!("{}e{e}", trim_zeros(format!("{m:.2}")))
    }
}

/// Drops trailing zeros after a decimal point, and the point if nothing is
/// left after it.
fn trim_zeros(s: String) -> String {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// About `target` evenly spaced "nice" values (steps of 1, 2 or 5 times a
/// power of ten) inside `[lo, hi]`, with the step. Empty when the range is
/// not finite or empty.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) || target == 0 {
        return (Vec::new(), 0.0);
    }
    let rough = (hi - lo) / target as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= rough * 0.999)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // At most a few hundred ticks even for odd inputs.
    let ticks = (first..=last.min(first + 500))
        .map(|k| {
            let v = k as f64 * step;
            // Avoid printing -0.
            if v == 0.0 {
                0.0
            } else {
                v
            }
        })
        .collect();
    (ticks, step)
}

/// The label of a linear tick `v` on an axis with tick spacing `step`: just
/// enough decimals to tell neighbours apart, or the compact exponent form
/// for very large or very small numbers.
pub fn tick_label(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().max(step.abs());
    if !(1e-3..1e5).contains(&mag) || !(1e-4..).contains(&step.abs()) {
        return format_compact(v);
    }
    let decimals = (-step.abs().log10().floor()).max(0.0) as usize;
    format!("{v:.decimals$}")
}

/// Decades `10^k` for a log axis covering `[lo, hi]` (both > 0): the
/// exponents of the labelled major ticks, and the minor tick values (2..9
/// times each decade, only when the axis spans at most 8 decades). Returns
/// `(k_min, k_max, majors, minors)` where the axis runs from `10^k_min` to
/// `10^k_max`; at most about 10 majors are labelled.
pub fn decade_ticks(lo: f64, hi: f64) -> (i32, i32, Vec<i32>, Vec<f64>) {
    let k_min = lo.log10().floor().clamp(-300.0, 300.0) as i32;
    let mut k_max = hi.log10().ceil().clamp(-300.0, 300.0) as i32;
    if k_max <= k_min {
        k_max = k_min + 1;
    }
    let span = (k_max - k_min) as usize;
    let every = span.div_ceil(10).max(1);
    let majors = (k_min..=k_max)
        .filter(|k| ((k - k_min) as usize).is_multiple_of(every))
        .collect();
    let minors = if span <= 8 {
        (k_min..k_max)
            .flat_map(|k| (2..10).map(move |m| f64::from(m) * 10f64.powi(k)))
            .collect()
    } else {
        Vec::new()
    };
    (k_min, k_max, majors, minors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        let cases = [
            (0.0123, "0.0123"),
            (1.234e-5, "1.23e-5"),
            (12.5, "12.5"),
            (2500.0, "2500"),
            (1e4, "1e4"),
            (-4.0e6, "-4e6"),
            (9.996, "10"),
            (0.00999, "9.99e-3"),
            (1.0, "1"),
            (0.0, "0"),
        ];
        for (v, s) in cases {
            assert_eq!(format_compact(v), s, "{v}");
        }
    }

    #[test]
    fn nice_ticks_are_inside_and_round() {
        let (t, step) = nice_ticks(0.0, std::f64::consts::TAU, 7);
        assert_eq!(step, 1.0);
        assert_eq!(t, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(tick_label(0.5, 0.5), "0.5");
        let (t, _) = nice_ticks(-0.013, 0.021, 5);
        assert!(t.iter().all(|v| (-0.013..=0.021).contains(v)) && t.len() >= 3);
    }

    #[test]
    fn decades() {
        let (lo, hi, majors, minors) = decade_ticks(3e-7, 2.0);
        assert_eq!((lo, hi), (-7, 1));
        assert_eq!(majors.len(), 9);
        assert_eq!(minors.len(), 8 * 8);
    }
}
