// The fused divergence pass's store for a predictor (etd_stages.wgsl): keeps
// N = N(u) (or N(a)) for the later stages and writes
//     out = e^z u + h phi1(z) N,   h = dt/2 (HALF, ETDRK4's a and b) or dt.
// The placeholder part of shaders/dynamics/rhs_divergence_pass.wgsl; the other
// stages replace it. HALF is a constant the host rewrites (src/dynamics/
// fused_etd.rs), not an override: naga 30 fails to process a named override
// that follows the workgroup array sized by overrides.

const HALF: bool = true;

@group(0) @binding(2) var<storage, read> u: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> nout: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> out: array<vec2<f32>>;

fn etd_store(e: u32, n: vec2<f32>) {
    nout[e] = n;
    out[e] = etd_predict(e, select(DT, 0.5 * DT, HALF), u[e], n);
}
