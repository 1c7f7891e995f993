// Packed densities exp(l_mu) + i exp(l_nu) from log-densities, for the FFT of the
// potential evaluation. Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read> l: array<f32>;              // [l_mu, l_nu]
@group(0) @binding(1) var<storage, read_write> dens: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    if p < FIELD_LEN {
        dens[p] = vec2<f32>(exp(l[p]), exp(l[FIELD_LEN + p]));
    }
}
