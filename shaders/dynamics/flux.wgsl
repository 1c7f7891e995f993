// Fluxes on the grid, in place over the gradients (after the inverse FFT):
//     grad[0] = (Vx + i Vy)  ->  mu Vx + i mu Vy        (flux of mu:  mu grad V)
//     grad[1] = (Ux + i Uy)  ->  -(nu Ux + i nu Uy)     (flux of nu: -nu grad U)
// dens = mu + i nu. Keep in sync with src/dynamics/rhs.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read_write> grad: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> dens: array<vec2<f32>>;

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
    let d = dens[p];
    grad[p] = d.x * grad[p];
    grad[FIELD_LEN + p] = -d.y * grad[FIELD_LEN + p];
}
