// The ETD stage combinations at element e of a state [rho_s^] (species
// e / (N1 N2)), with z from etd_coeffs.wgsl and the phi functions from
// etd.wgsl; shared by the elementwise kernels (shaders/dynamics/etd_*.wgsl)
// and the stores of the fused divergence pass. Keep in sync with
// src/dynamics/etd.rs.

// out = e^z u + h phi1(z) n, z = c h: ETDRK4's stages a, b (h = dt/2) and
// ETDRK2's predictor (h = dt).
fn etd_predict(e: u32, h: f32, u: vec2<f32>, n: vec2<f32>) -> vec2<f32> {
    let f = etd_phis(etd_z(e, h));
    return f.x * u + (h * f.y) * n;
}

// ETDRK4 stage c = e^{z/2} a + dt/2 phi1(z/2) (2 N(b) - N(u)).
fn etd_rk4_c(e: u32, a: vec2<f32>, n0: vec2<f32>, nb: vec2<f32>) -> vec2<f32> {
    let h = 0.5 * DT;
    let f = etd_phis(etd_z(e, h));
    return f.x * a + (h * f.y) * (2.0 * nb - n0);
}

// ETDRK4 (Cox-Matthews, Kassam-Trefethen coefficients):
//     u' = e^z u + dt [ f1 N(u) + 2 f2 (N(a) + N(b)) + f3 N(c) ]
//     f1 = phi1 - 3 phi2 + 4 phi3,  f2 = phi2 - 2 phi3,  f3 = -phi2 + 4 phi3.
fn etd_rk4_finish(e: u32, u: vec2<f32>, n0: vec2<f32>, s12: vec2<f32>, n3: vec2<f32>) -> vec2<f32> {
    let f = etd_phis(etd_z(e, DT));
    let f1 = f.y - 3.0 * f.z + 4.0 * f.w;
    let f2 = f.z - 2.0 * f.w;
    let f3 = -f.z + 4.0 * f.w;
    return f.x * u + DT * (f1 * n0 + (2.0 * f2) * s12 + f3 * n3);
}

// ETDRK2 (Cox-Matthews): u' = a + dt phi2(z) (N(a) - N(u)), a the predictor.
fn etd_rk2_finish(e: u32, a: vec2<f32>, n0: vec2<f32>, n1: vec2<f32>) -> vec2<f32> {
    let f = etd_phis(etd_z(e, DT));
    return a + (DT * f.z) * (n1 - n0);
}
