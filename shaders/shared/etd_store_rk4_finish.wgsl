// The fused divergence pass's store for ETDRK4's last combination, with
// N = N(c), in place on u (etd_stages.wgsl).

@group(0) @binding(2) var<storage, read_write> u: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> n0: array<vec2<f32>>;   // N(u)
@group(0) @binding(4) var<storage, read> s12: array<vec2<f32>>;  // N(a) + N(b)

fn etd_store(e: u32, n: vec2<f32>) {
    u[e] = etd_rk4_finish(e, u[e], n0[e], s12[e], n);
}
