// The nonlinear terms from the flux spectra (each packed fx + i fy, real fx, fy):
//     fx^ = (F_m + conj F_-m) / 2,   fy^ = -i (F_m - conj F_-m) / 2
//     N^  = w i (kx fx^ + ky fy^) * mask,   w = 1 for mu, ETA for nu,
// mask the 2/3 rule when DEALIAS. Keep in sync with src/dynamics/rhs.rs.

override ETA: f32;
override DEALIAS: bool;

@group(0) @binding(0) var<storage, read> flux: array<vec2<f32>>;       // [F_mu^, F_nu^]
@group(0) @binding(1) var<storage, read_write> nonlin: array<vec2<f32>>; // [N_mu^, N_nu^]

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let field_len = N1 * N2;
    if p >= field_len {
        return;
    }
    let k = kappa_odd(p);
    let q = mirror(p);
    var mask = 1.0;
    if DEALIAS {
        mask = dealias_mask(p);
    }
    for (var player = 0u; player < 2u; player++) {
        let base = player * field_len;
        let f = flux[base + p];
        let g = cconj(flux[base + q]);
        let fx = 0.5 * (f + g);
        let fy = 0.5 * mul_mi(f - g, false);
        let s = k.x * fx + k.y * fy;
        let w = select(1.0, ETA, player == 1u);
        nonlin[base + p] = (w * mask) * vec2<f32>(-s.y, s.x);
    }
}
