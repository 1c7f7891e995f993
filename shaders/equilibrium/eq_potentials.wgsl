// P = V^ + i U^ (see potential_spectra.wgsl): after the inverse FFT, V + i U on
// the grid (both real). Keep in sync with src/equilibrium/solver.rs.

@group(0) @binding(4) var<storage, read_write> out: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    if p >= N1 * N2 {
        return;
    }
    let vu = potential_spectra(p);
    out[p] = vu[0] + vec2<f32>(-vu[1].y, vu[1].x);
}
