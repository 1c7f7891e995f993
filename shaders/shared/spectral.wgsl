// Wave numbers of a (N2, N1) grid of side length LENGTH, numpy's layout:
// index j of an axis of n points is the integer wave number m = j for j < n/2,
// j - n otherwise (m in [-n/2, n/2)); kappa = 2 pi m / LENGTH.
// Keep the constants in sync with src/dynamics/params.rs (`Params::constants`).

override N1: u32;          // points per row
override N2: u32;          // rows (1 in 1D)
override LENGTH: f32;      // side length L of the torus

const TWO_PI: f32 = 6.28318530717958647692;

fn wave_number(j: u32, n: u32) -> i32 {
    // (n + 1) / 2 so that a single point (the y axis of a 1D grid) has m = 0.
    if j < (n + 1u) / 2u {
        return i32(j);
    }
    return i32(j) - i32(n);
}

// Integer wave vector of point p of a field.
fn wave_vector(p: u32) -> vec2<i32> {
    return vec2<i32>(wave_number(p % N1, N1), wave_number(p / N1, N2));
}

// kappa for even operators (|kappa|^2).
fn kappa(p: u32) -> vec2<f32> {
    return TWO_PI / LENGTH * vec2<f32>(wave_vector(p));
}

// kappa for odd derivatives: the Nyquist component (m = -n/2) is zeroed.
fn kappa_odd(p: u32) -> vec2<f32> {
    let m = wave_vector(p);
    var k = TWO_PI / LENGTH * vec2<f32>(m);
    if N1 > 1u && m.x == -i32(N1 / 2u) {
        k.x = 0.0;
    }
    if N2 > 1u && m.y == -i32(N2 / 2u) {
        k.y = 0.0;
    }
    return k;
}

// The gradient spectrum of a real field packed into one complex value,
// (i kx - ky) w: its inverse FFT is dw/dx + i dw/dy (`k` from kappa_odd).
fn grad_packed(k: vec2<f32>, w: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(-k.x * w.y - k.y * w.x, k.x * w.x - k.y * w.y);
}

// Index of the point with wave vector -m.
fn mirror(p: u32) -> u32 {
    let j1 = p % N1;
    let j2 = p / N1;
    return ((N2 - j2) % N2) * N1 + (N1 - j1) % N1;
}

// 2/3-rule mask: 1 where every |m_i| <= n_i / 3, else 0.
fn dealias_mask(p: u32) -> f32 {
    let m = abs(wave_vector(p));
    let keep = u32(m.x) <= N1 / 3u && (N2 == 1u || u32(m.y) <= N2 / 3u);
    return select(0.0, 1.0, keep);
}
