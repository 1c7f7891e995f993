// The nonlinear terms from the flux spectra (each packed fx + i fy):
// N_s^ = divergence_term (divergence_term.wgsl) at every point.
// Keep in sync with src/dynamics/rhs.rs.

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
    let q = mirror(p);
    for (var s = 0u; s < SPECIES; s++) {
        let base = s * field_len;
        nonlin[base + p] = divergence_term(p, s, flux[base + p], cconj(flux[base + q]));
    }
}
