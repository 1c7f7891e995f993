// The nonlinear terms from the flux spectra (each packed fx + i fy, real fx, fy):
//     fx^ = (F_m + conj F_-m) / 2,   fy^ = -i (F_m - conj F_-m) / 2
//     N_s^ = eta_s i (kx fx^ + ky fy^) * mask,
// mask the 2/3 rule when DEALIAS. Keep in sync with src/dynamics/rhs.rs.

override DEALIAS: bool;

@group(0) @binding(0) var<storage, read> flux: array<vec2<f32>>;       // [S] F_s^
@group(0) @binding(1) var<storage, read_write> nonlin: array<vec2<f32>>; // [S] N_s^

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
    for (var s = 0u; s < SPECIES; s++) {
        let base = s * field_len;
        let f = flux[base + p];
        let g = cconj(flux[base + q]);
        let fx = 0.5 * (f + g);
        let fy = 0.5 * mul_mi(f - g, false);
        let d = k.x * fx + k.y * fy;
        nonlin[base + p] = (species_rate(s) * mask) * vec2<f32>(-d.y, d.x);
    }
}
