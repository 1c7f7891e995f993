//! The diverging blue-white-red map: Kenneth Moreland's "cool to warm" map,
//! built here from its published construction (K. Moreland, "Diverging Color
//! Maps for Scientific Visualization", ISVC 2009): the end colours are
//! converted to Msh, the polar form of CIELAB (`M` the length of the Lab
//! vector, `s` its angle from the L axis, `h` the hue angle), and the map is
//! a linear interpolation in Msh through an unsaturated (grey-white) middle.
//! Lightness rises from both ends to the middle, so the map is symmetric in
//! lightness about entry 127.5.

use std::f64::consts::PI;

/// The blue end, sRGB bytes (Moreland's choice).
const COOL: [f64; 3] = [59.0, 76.0, 192.0];
/// The red end, sRGB bytes (Moreland's choice).
const WARM: [f64; 3] = [180.0, 4.0, 38.0];
/// The D65 reference white in XYZ.
const WHITE: [f64; 3] = [0.950_47, 1.0, 1.088_83];
/// Saturation below which a colour counts as grey (hue is meaningless).
const GREY: f64 = 0.05;
/// The smallest magnitude of the white middle (Moreland's 88).
const MID_MAGNITUDE: f64 = 88.0;

/// The 256-entry cool-warm table, RGBA with alpha 255; entry `i` is the map
/// at `x = i / 255`.
pub(super) fn lut() -> [[u8; 4]; 256] {
    let cool = msh_from_lab(lab_from_srgb(COOL.map(|c| c / 255.0)));
    let warm = msh_from_lab(lab_from_srgb(WARM.map(|c| c / 255.0)));
    let mut out = [[0, 0, 0, 255]; 256];
    for (i, entry) in out.iter_mut().enumerate() {
        let rgb = srgb_from_lab(lab_from_msh(interpolate(cool, warm, i as f64 / 255.0)));
        for (c, v) in rgb.iter().enumerate() {
            entry[c] = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    }
    out
}

/// CIELAB lightness `L*` (0 black to 100 white) of an sRGB colour (alpha
/// ignored), D65 white.
pub fn lightness(rgba: [u8; 4]) -> f64 {
    lab_from_srgb([rgba[0], rgba[1], rgba[2]].map(|c| f64::from(c) / 255.0))[0]
}

/// The map at `x` in [0, 1]: Msh interpolation from `a` (x = 0) to `b`
/// (x = 1), through white when both ends are saturated and their hues differ
/// by more than 60 degrees (always the case for cool-warm).
fn interpolate(a: [f64; 3], b: [f64; 3], x: f64) -> [f64; 3] {
    let (mut a, mut b, mut x) = (a, b, x);
    if a[1] > GREY && b[1] > GREY && hue_distance(a[2], b[2]) > PI / 3.0 {
        let mid = a[0].max(b[0]).max(MID_MAGNITUDE);
        if x < 0.5 {
            b = [mid, 0.0, 0.0];
            x *= 2.0;
        } else {
            a = [mid, 0.0, 0.0];
            x = 2.0 * x - 1.0;
        }
    }
    // A grey end takes the hue of the saturated end, spun so the path stays
    // perceptually straight.
    if a[1] < GREY && b[1] > GREY {
        a[2] = adjust_hue(b, a[0]);
    } else if b[1] < GREY && a[1] > GREY {
        b[2] = adjust_hue(a, b[0]);
    }
    [0, 1, 2].map(|k| (1.0 - x) * a[k] + x * b[k])
}

/// The hue to give an unsaturated colour of magnitude `m_unsat` next to the
/// saturated colour `msh`.
fn adjust_hue(msh: [f64; 3], m_unsat: f64) -> f64 {
    let [m, s, h] = msh;
    if m >= m_unsat {
        return h;
    }
    let spin = s * (m_unsat * m_unsat - m * m).sqrt() / (m * s.sin());
    if h > -PI / 3.0 {
        h + spin
    } else {
        h - spin
    }
}

/// The angle between two hues, in [0, pi].
fn hue_distance(h1: f64, h2: f64) -> f64 {
    let d = (h1 - h2).rem_euclid(2.0 * PI);
    d.min(2.0 * PI - d)
}

fn msh_from_lab([l, a, b]: [f64; 3]) -> [f64; 3] {
    let m = (l * l + a * a + b * b).sqrt();
    let s = if m > 0.0 {
        (l / m).clamp(-1.0, 1.0).acos()
    } else {
        0.0
    };
    [m, s, b.atan2(a)]
}

fn lab_from_msh([m, s, h]: [f64; 3]) -> [f64; 3] {
    [m * s.cos(), m * s.sin() * h.cos(), m * s.sin() * h.sin()]
}

/// sRGB channels in [0, 1] to CIELAB.
fn lab_from_srgb(rgb: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = rgb.map(linear_from_srgb);
    let xyz = [
        0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b,
        0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b,
        0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b,
    ];
    let [fx, fy, fz] = [0, 1, 2].map(|k| lab_f(xyz[k] / WHITE[k]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB to sRGB channels (not clamped).
fn srgb_from_lab([l, a, b]: [f64; 3]) -> [f64; 3] {
    let fy = (l + 16.0) / 116.0;
    let f = [fy + a / 500.0, fy, fy - b / 200.0];
    let [x, y, z] = [0, 1, 2].map(|k| lab_f_inv(f[k]) * WHITE[k]);
    [
        3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z,
        -0.969_266_0 * x + 1.876_010_8 * y + 0.041_556_0 * z,
        0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z,
    ]
    .map(srgb_from_linear)
}

const DELTA: f64 = 6.0 / 29.0;

fn lab_f(t: f64) -> f64 {
    if t > DELTA * DELTA * DELTA {
        t.cbrt()
    } else {
        t / (3.0 * DELTA * DELTA) + 4.0 / 29.0
    }
}

fn lab_f_inv(u: f64) -> f64 {
    if u > DELTA {
        u * u * u
    } else {
        3.0 * DELTA * DELTA * (u - 4.0 / 29.0)
    }
}

fn linear_from_srgb(c: f64) -> f64 {
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn srgb_from_linear(c: f64) -> f64 {
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.max(0.0).powf(1.0 / 2.4) - 0.055
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_round_trip() {
        for rgb in [
            [0.2, 0.5, 0.9],
            [1.0, 1.0, 1.0],
            [0.0, 0.0, 0.0],
            [0.7, 0.02, 0.15],
        ] {
            let back = srgb_from_lab(lab_from_srgb(rgb));
            for k in 0..3 {
                assert!((back[k] - rgb[k]).abs() < 1e-6, "{rgb:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn ends_and_middle() {
        let t = lut();
        assert_eq!(&t[0][..3], &[59, 76, 192]);
        assert_eq!(&t[255][..3], &[180, 4, 38]);
        // The middle is a light neutral grey.
        let mid = t[128];
        assert!(
            mid[0].abs_diff(mid[2]) < 12 && lightness(mid) > 85.0,
            "{mid:?}"
        );
    }
}
