// The last forward FFT pass of the fluxes (the columns of a 2D grid), the
// divergence and the ETD stage combination in one kernel: for species
// `field`, on column pairs (c, -c) (stockham_core.wgsl's mirror pairing),
//     load:   F_s transformed along rows;
//     forward transform along the columns: F_s^;
//     store:  N_s^ = divergence_term(F_s^ at k, conj F_s^ at -k), handed to
//             etd_store (shaders/shared/etd_store_*.wgsl: the stage's
//             combination, and N_s^ where a later stage needs it),
// so that neither the flux spectra nor the nonlinear term of a stage that is
// combined at once are written. Keep in sync with src/dynamics/fused_etd.rs.

var<workgroup> exch: array<f32, LINES * N>;

@group(0) @binding(0) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> flux: array<vec2<f32>>; // [S]

fn load(field: u32, line: u32, i: u32) -> array<vec2<f32>, 1> {
    return array<vec2<f32>, 1>(flux[global_index(field, line, i)]);
}

fn store(field: u32, line: u32, i: u32, y: array<vec2<f32>, 1>, m: array<vec2<f32>, 1>) {
    let p = global_index(0u, line, i);
    etd_store(field * FIELD_LEN + p, divergence_term(p, field, y[0], cconj(m[0])));
}
