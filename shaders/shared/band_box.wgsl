// The mode box |m_i| <= B of a band-limited interaction (docs/MATHEMATICS.md
// section 1, term 3), in box order box(m) = (m2 + B)(2B + 1) + (m1 + B) in 2D,
// m1 + B in 1D. Needs N1, N2 and wave_vector from spectral.wgsl.
// Keep in sync with src/fft/spectral.rs (`Spectral::box_modes`).

const BOX_NONE: u32 = 0xffffffffu;

// Box index of point p's wave vector in the box of `modes` modes per axis,
// or BOX_NONE outside it.
fn box_index(p: u32, modes: u32) -> u32 {
    let m = wave_vector(p);
    let b = i32(modes);
    if abs(m.x) > b || abs(m.y) > b {
        return BOX_NONE;
    }
    if N2 == 1u {
        return u32(m.x + b);
    }
    return u32(m.y + b) * (2u * modes + 1u) + u32(m.x + b);
}

// Grid index of the wave vector -(box mode b) of a box of `modes` modes.
fn grid_index_of_negative(b: u32, modes: u32) -> u32 {
    let side = 2u * modes + 1u;
    let m1 = i32(b % side) - i32(modes);
    var m2 = 0;
    if N2 > 1u {
        m2 = i32(b / side) - i32(modes);
    }
    let j1 = u32((-m1 + i32(N1)) % i32(N1));
    let j2 = u32((-m2 + i32(N2)) % i32(N2));
    return j2 * N1 + j1;
}
