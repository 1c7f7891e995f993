// The periodic Gaussian of the non-uniform FFT (src/particles/spread.rs):
// its factor along one axis between a particle at u (turns of the torus, in
// [0, 1)) and point g of an m-point axis, exp(-r^2 / (4 tau)) with r the
// nearest-image distance in radians of the 2 pi torus; and g wrapped to
// [0, m).

fn gaussian_factor(u: f32, g: i32, m: u32, tau: f32) -> f32 {
    var d = u * f32(m) - f32(g);
    d = d - f32(m) * floor(d / f32(m) + 0.5);
    let r = 6.283185307179586 * d / f32(m);
    return exp(-r * r / (4.0 * tau));
}

fn wrap_index(g: i32, m: u32) -> u32 {
    return u32((g % i32(m) + i32(m)) % i32(m));
}

// The Gaussian's Fourier transform along one axis at integer mode k,
// 2 sqrt(pi tau) exp(-tau k^2) (gaussian_hat in src/particles/spread.rs).
fn gaussian_hat(k: i32, tau: f32) -> f32 {
    let kf = f32(k);
    return 2.0 * sqrt(3.141592653589793 * tau) * exp(-tau * kf * kf);
}

// The signed wave number of index j of an m-point axis in FFT order.
fn signed_mode(j: u32, m: u32) -> i32 {
    return select(i32(j), i32(j) - i32(m), j >= (m + 1u) / 2u);
}
