// The fluxes fused between the last inverse FFT pass and the first forward
// one, both along rows: for the pair `field` of species a = 2 field and
// b = a + 1 (absent for the last pair of an odd S), on each row
//     dens[field] (transformed along the other axis) loaded and inverse
//             transformed: rho_a + i rho_b on the grid, kept;
//     then for s = a, b in turn: grad[s] loaded and inverse transformed
//             (dPhi_s/dx + i dPhi_s/dy), F_s = flux_term(s, ...)
//             (shaders/shared/flux_term*.wgsl), forward transformed and
//             stored over grad[s] (the flux, transformed along rows),
// so that the grid values of the gradients, the densities and the fluxes
// never leave the workgroup, with two lines' values live at a time.
// Keep in sync with src/dynamics/fused.rs.

var<workgroup> exch: array<f32, LINES * N>;

@group(0) @binding(0) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> grad: array<vec2<f32>>; // [S]
@group(0) @binding(2) var<storage, read> dens: array<vec2<f32>>;       // [PAIRS]

// Set (`which`) 0 and 1: the gradients of species a and b; 2: the densities.
fn load_set(field: u32, line: u32, i: u32, which: u32) -> vec2<f32> {
    let o = global_index(0u, line, i);
    if which == 2u {
        return dens[field * FIELD_LEN + o];
    }
    let s = 2u * field + which;
    if s < SPECIES {
        return grad[s * FIELD_LEN + o];
    }
    return vec2<f32>(0.0);
}

// The flux of species 2 field + which from its gradient g on the grid and the
// pair's densities d[0] = rho_a + i rho_b.
fn middle_set(field: u32, line: u32, i: u32, which: u32, g: vec2<f32>, d: array<vec2<f32>, 1>) -> vec2<f32> {
    let s = 2u * field + which;
    if s >= SPECIES {
        return vec2<f32>(0.0);
    }
    let rho = select(d[0].x, d[0].y, which == 1u);
    return flux_term(s, global_index(0u, line, i), g, rho);
}

fn store_set(field: u32, line: u32, i: u32, which: u32, y: vec2<f32>) {
    let s = 2u * field + which;
    if s < SPECIES {
        grad[s * FIELD_LEN + global_index(0u, line, i)] = y;
    }
}
