// The right-hand side's spectral products fused into the load of the first
// inverse FFT pass (the columns of a 2D grid): for the pair PAIR of species
// a = 2 PAIR, b = 2 PAIR + 1 (b absent for the last pair of an odd S),
//     load:   (i kx - ky) Phi_a^,  (i kx - ky) Phi_b^,  rho_a^ + i rho_b^
//             at the point, from the state [rho_s^] (system_potentials.wgsl);
//     then the inverse transform of the three lines along the pass's axis;
//     store:  grad[a], grad[b], dens[PAIR],
// so that the row pass that follows finishes the inverse transforms of
// shaders/dynamics/potentials.wgsl's outputs without their spectra ever being
// written. Keep in sync with src/dynamics/fused.rs.

override PAIR: u32 = 0u;

var<workgroup> exch: array<f32, LINES * N>;

@group(0) @binding(4) var<storage, read_write> grad: array<vec2<f32>>; // [S] gradients
@group(0) @binding(5) var<storage, read_write> dens: array<vec2<f32>>; // [PAIRS] densities
@group(0) @binding(6) var<storage, read> twiddles: array<vec2<f32>>;

fn load(field: u32, line: u32, i: u32) -> array<vec2<f32>, 3> {
    let p = global_index(0u, line, i);
    let phi = phi_spectra(p);
    let k = kappa_odd(p);
    let a = 2u * PAIR;
    let ra = state[a * FIELD_LEN + p];
    var rb = vec2<f32>(0.0);
    var gb = vec2<f32>(0.0);
    if a + 1u < SPECIES {
        let b = min(a + 1u, SPECIES - 1u);
        rb = state[b * FIELD_LEN + p];
        gb = grad_packed(k, phi[b]);
    }
    return array<vec2<f32>, 3>(
        grad_packed(k, phi[a]),
        gb,
        vec2<f32>(ra.x - rb.y, ra.y + rb.x),
    );
}

fn store(field: u32, line: u32, i: u32, y: array<vec2<f32>, 3>) {
    let p = global_index(0u, line, i);
    let a = 2u * PAIR;
    grad[a * FIELD_LEN + p] = y[0];
    if a + 1u < SPECIES {
        grad[(a + 1u) * FIELD_LEN + p] = y[1];
    }
    dens[PAIR * FIELD_LEN + p] = y[2];
}
