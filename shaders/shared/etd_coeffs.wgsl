// The ETD variable z = c dt of element i of a state [rho_s^]:
//     c = -tau_s eta_s |kappa|^2 for species s = i / (N1 N2).
// Needs species.wgsl and spectral.wgsl. Keep in sync with src/dynamics/etd.rs.

override DT: f32;

fn etd_z(i: u32, step: f32) -> f32 {
    let field_len = N1 * N2;
    let s = i / field_len;
    let k = kappa(i % field_len);
    return -species_tau(s) * species_rate(s) * dot(k, k) * step;
}
