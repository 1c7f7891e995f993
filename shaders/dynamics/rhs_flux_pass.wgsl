// The fluxes fused between the last inverse FFT pass and the first forward
// one, both along rows: for the pair `field` of species a = 2 field and
// b = a + 1 (absent for the last pair of an odd S), on each row
//     load:   grad[a], grad[b], dens[field]  (transformed along the other axis)
//     inverse transform of the three lines: dPhi_s/dx + i dPhi_s/dy and
//             rho_a + i rho_b on the grid;
//     middle: F_s = flux_term(s, ...) (shaders/shared/flux_term*.wgsl);
//     forward transform of the two flux lines;
//     store:  grad[a], grad[b] (the fluxes, transformed along rows),
// so that the grid values of the gradients, the densities and the fluxes
// never leave the workgroup. Keep in sync with src/dynamics/fused.rs.

var<workgroup> exch: array<f32, LINES * N>;

@group(0) @binding(0) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> grad: array<vec2<f32>>; // [S]
@group(0) @binding(2) var<storage, read> dens: array<vec2<f32>>;       // [PAIRS]

fn load(field: u32, line: u32, i: u32) -> array<vec2<f32>, 3> {
    let o = global_index(0u, line, i);
    let a = 2u * field;
    var gb = vec2<f32>(0.0);
    if a + 1u < SPECIES {
        gb = grad[(a + 1u) * FIELD_LEN + o];
    }
    return array<vec2<f32>, 3>(grad[a * FIELD_LEN + o], gb, dens[field * FIELD_LEN + o]);
}

fn middle(field: u32, line: u32, i: u32, x: array<vec2<f32>, 3>) -> array<vec2<f32>, 2> {
    let o = global_index(0u, line, i);
    let a = 2u * field;
    var fb = vec2<f32>(0.0);
    if a + 1u < SPECIES {
        fb = flux_term(a + 1u, o, x[1], x[2].y);
    }
    return array<vec2<f32>, 2>(flux_term(a, o, x[0], x[2].x), fb);
}

fn store(field: u32, line: u32, i: u32, y: array<vec2<f32>, 2>) {
    let o = global_index(0u, line, i);
    let a = 2u * field;
    grad[a * FIELD_LEN + o] = y[0];
    if a + 1u < SPECIES {
        grad[(a + 1u) * FIELD_LEN + o] = y[1];
    }
}
