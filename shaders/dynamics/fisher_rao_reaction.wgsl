// The Fisher-Rao term added to the nonlinear terms, from the spectra of the
// products (each packed P = G_2q^ + i G_2q+1^, G_s = Phi_s rho_s real):
//     G_2q^ = (P_m + conj P_-m) / 2,   G_2q+1^ = -i (P_m - conj P_-m) / 2
//     N_s^ -= ALPHA eta_s (G_s^ - G_s^(0) / rho_s^(0) rho_s^) * mask,
// i.e. -alpha eta_s FFT((Phi_s - <Phi_s>) rho_s) with <Phi_s> = ∫ Phi_s rho_s
// / ∫ rho_s (zero at kappa = 0: the term moves no mass); mask the 2/3 rule
// when DEALIAS. Keep in sync with src/dynamics/fisher_rao.rs.

override ALPHA: f32;
override DEALIAS: bool;

@group(0) @binding(0) var<storage, read> prod: array<vec2<f32>>;        // [PAIRS] packed G^
@group(0) @binding(1) var<storage, read> state: array<vec2<f32>>;       // [S] rho_s^
@group(0) @binding(2) var<storage, read_write> nonlin: array<vec2<f32>>; // [S] N_s^

// G_s^ at grid index p from the packed spectra (q its mirror index).
fn unpack(s: u32, p: u32, q: u32) -> vec2<f32> {
    let base = (s / 2u) * N1 * N2;
    let f = prod[base + p];
    let g = cconj(prod[base + q]);
    if s % 2u == 0u {
        return 0.5 * (f + g);
    }
    return 0.5 * mul_mi(f - g, false);
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let field_len = N1 * N2;
    // Mode 0 gains exactly nothing: the term moves no mass.
    if p >= field_len || p == 0u {
        return;
    }
    let q = mirror(p);
    var mask = 1.0;
    if DEALIAS {
        mask = dealias_mask(p);
    }
    for (var s = 0u; s < SPECIES; s++) {
        let base = s * field_len;
        let mean = unpack(s, 0u, 0u).x / state[base].x;
        let g = unpack(s, p, q) - mean * state[base + p];
        nonlin[base + p] -= (ALPHA * species_rate(s) * mask) * g;
    }
}
