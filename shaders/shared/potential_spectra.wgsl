// Spectra of the potentials felt by each player, from the state [mu^, nu^]:
//     V^ = kconv^ nu^ + a^ + V3^,   U^ = conj(kconv^) mu^ + b^ + U3^,
// kconv^ = h^d FFT(k on the grid), [a^, b^] the potential spectra, V3^ and U3^ the
// band-limited term on its mode box (from dynamics/band.wgsl).
// Bindings 0-3 of group 0; the including kernel declares its outputs from 4 on.
// Keep in sync with src/dynamics/operators.rs.

override MODES: u32;   // band-limited modes per axis, B (0: no band-limited term)
override DIM: u32;     // 1 or 2
// false: the perturbation form's linear part (no a^, b^: they act on the
// equilibrium, not on a deviation).
override INCLUDE_POTENTIALS: bool = true;

@group(0) @binding(0) var<storage, read> state: array<vec2<f32>>;      // [mu^, nu^]
@group(0) @binding(1) var<storage, read> kconv: array<vec2<f32>>;      // kconv^
@group(0) @binding(2) var<storage, read> pots: array<vec2<f32>>;       // [a^, b^]
@group(0) @binding(3) var<storage, read> band_box: array<vec2<f32>>;   // [V3^, U3^] on the box

const BOX_NONE: u32 = 0xffffffffu;

// Box index of point p's wave vector, or BOX_NONE outside the box.
fn box_index(p: u32) -> u32 {
    if MODES == 0u {
        return BOX_NONE;
    }
    let m = wave_vector(p);
    let b = i32(MODES);
    if abs(m.x) > b || abs(m.y) > b {
        return BOX_NONE;
    }
    if DIM == 1u {
        return u32(m.x + b);
    }
    return u32(m.y + b) * (2u * MODES + 1u) + u32(m.x + b);
}

// (V^, U^) at point p of the grid.
fn potential_spectra(p: u32) -> array<vec2<f32>, 2> {
    let field_len = N1 * N2;
    let kc = kconv[p];
    var v = cmul(kc, state[field_len + p]);
    var u = cmul(cconj(kc), state[p]);
    if INCLUDE_POTENTIALS {
        v += pots[p];
        u += pots[field_len + p];
    }
    let b = box_index(p);
    if b != BOX_NONE {
        let side = 2u * MODES + 1u;
        let box_len = select(side * side, side, DIM == 1u);
        v += band_box[b];
        u += band_box[box_len + b];
    }
    return array<vec2<f32>, 2>(v, u);
}
