// Exponential time differencing: e^z and phi_1..3 for z <= 0 in f32.
//     phi1 = (e^z - 1)/z, phi2 = (e^z - 1 - z)/z^2, phi3 = (e^z - 1 - z - z^2/2)/z^3
// Below |z| = 1 the closed forms lose digits to cancellation, so phi3 is summed
// from its Taylor series sum_j z^j / (j+3)! and the others follow from
// phi_k = 1/k! + z phi_{k+1}; above, the closed forms lose at most a few ulps.
// Keep in sync with src/dynamics/phi.rs (the f64 reference).

// (e^z, phi1, phi2, phi3)
fn etd_phis(z: f32) -> vec4<f32> {
    if abs(z) < 1.0 {
        // 1/(j+3)! for j = 13 .. 0, Horner from the highest term.
        var p3 = 0.0;
        var coeff = 1.0 / 6227020800.0; // 1/13!
        for (var j = 13u; j >= 3u; j--) {
            p3 = p3 * z + coeff;
            coeff = coeff * f32(j);
        }
        let p2 = 0.5 + z * p3;
        let p1 = 1.0 + z * p2;
        return vec4<f32>(1.0 + z * p1, p1, p2, p3);
    }
    let e = exp(z);
    let p1 = (e - 1.0) / z;
    let p2 = (e - 1.0 - z) / (z * z);
    let p3 = (e - 1.0 - z - 0.5 * z * z) / (z * z * z);
    return vec4<f32>(e, p1, p2, p3);
}
