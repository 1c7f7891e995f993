// The nonlinear term of species s at grid index p from its flux spectrum
// packed F = fx^ + i fy^ (real fx, fy): with f = F at p and g = conj F at
// the mirror point -m,
//     fx^ = (f + g) / 2,   fy^ = -i (f - g) / 2,
//     N_s^ = eta_s i (kx fx^ + ky fy^) * mask,
// mask the 2/3 rule when DEALIAS. Needs complex.wgsl, spectral.wgsl and
// species.wgsl.

override DEALIAS: bool;

fn divergence_term(p: u32, s: u32, f: vec2<f32>, g: vec2<f32>) -> vec2<f32> {
    let k = kappa_odd(p);
    var mask = 1.0;
    if DEALIAS {
        mask = dealias_mask(p);
    }
    let fx = 0.5 * (f + g);
    let fy = 0.5 * mul_mi(f - g, false);
    let d = k.x * fx + k.y * fy;
    return (species_rate(s) * mask) * vec2<f32>(-d.y, d.x);
}
