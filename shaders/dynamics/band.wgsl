// Band-limited terms of the potentials on their mode boxes (docs/MATHEMATICS.md
// sections 1 and 8): a term with coefficients C over a box of B modes adds
//     Phi_target^[m] = S sum_n C[m][n] rho_source^[-n]    (C[n][m] when transposed)
// S = (points per field) h^d, to the potentials of its target species (with
// its sign, in phi_spectra). Thread i computes output mode i - out of the
// term band_term(i). Keep in sync with src/system/operators.rs.

override SCALE: f32;   // S

struct BandTerm {
    coeffs: u32,     // offset of C in `coeffs`
    modes: u32,      // B
    box_len: u32,    // (2B+1)^d
    source: u32,     // species integrated against
    transpose: bool, // use C[n][m]
    out: u32,        // offset of the term's box in `box_out`
}

@group(0) @binding(0) var<storage, read> state: array<vec2<f32>>;         // [rho_s^]
@group(0) @binding(1) var<storage, read> coeffs: array<vec2<f32>>;        // every C
@group(0) @binding(2) var<storage, read_write> box_out: array<vec2<f32>>; // every term's box

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if BAND_TERMS == 0u || i >= BAND_THREADS {
        return;
    }
    let t = band_term(i);
    let m = i - t.out;
    let base = t.source * N1 * N2;
    var acc = vec2<f32>(0.0);
    for (var n = 0u; n < t.box_len; n++) {
        var c: vec2<f32>;
        if t.transpose {
            c = coeffs[t.coeffs + n * t.box_len + m];
        } else {
            c = coeffs[t.coeffs + m * t.box_len + n];
        }
        acc += cmul(c, state[base + grid_index_of_negative(n, t.modes)]);
    }
    box_out[i] = SCALE * acc;
}
