// What the flux kernel needs, from the state [mu^, nu^] (see potential_spectra.wgsl):
//     grad[0] = (i kx - ky) V^   (inverse FFT: dV/dx + i dV/dy, V real)
//     grad[1] = (i kx - ky) U^
//     dens    = mu^ + i nu^      (inverse FFT: mu + i nu)
// Keep in sync with src/dynamics/rhs.rs.

@group(0) @binding(4) var<storage, read_write> grad: array<vec2<f32>>; // [V, U] gradient spectra
@group(0) @binding(5) var<storage, read_write> dens: array<vec2<f32>>; // mu^ + i nu^

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
    let vu = potential_spectra(p);
    let k = kappa_odd(p);
    grad[p] = grad_packed(k, vu[0]);
    grad[field_len + p] = grad_packed(k, vu[1]);
    let mu = state[p];
    let nu = state[field_len + p];
    dens[p] = vec2<f32>(mu.x - nu.y, mu.y + nu.x);
}
