// The ETD variable z = c dt of element i of a state [mu^, nu^]:
//     c = -tau |kappa|^2 for mu,  -eta tau |kappa|^2 for nu.
// Keep the constants in sync with src/dynamics/params.rs.

override TAU: f32;
override ETA: f32;
override DT: f32;

fn etd_z(i: u32, step: f32) -> f32 {
    let field_len = N1 * N2;
    let p = i % field_len;
    let k = kappa(p);
    let w = select(1.0, ETA, i >= field_len);
    return -TAU * w * dot(k, k) * step;
}
