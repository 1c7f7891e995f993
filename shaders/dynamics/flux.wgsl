// Fluxes on the grid, in place over the gradients (after the inverse FFT):
//     grad[s] = (dPhi_s/dx + i dPhi_s/dy)  ->  rho_s grad Phi_s, packed x + i y,
// with rho_s the real (even s) or imaginary (odd s) part of dens[s / 2].
// Keep in sync with src/dynamics/rhs.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read_write> grad: array<vec2<f32>>; // [S]
@group(0) @binding(1) var<storage, read> dens: array<vec2<f32>>;       // [PAIRS]

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    if p >= FIELD_LEN {
        return;
    }
    for (var s = 0u; s < SPECIES; s++) {
        let d = dens[(s / 2u) * FIELD_LEN + p];
        let rho = select(d.x, d.y, s % 2u == 1u);
        let i = s * FIELD_LEN + p;
        grad[i] = rho * grad[i];
    }
}
