// The fused divergence pass's store for ETDRK2's last combination, with
// N = N(a), in place on u (etd_stages.wgsl).

@group(0) @binding(2) var<storage, read_write> u: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> a: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read> n0: array<vec2<f32>>;   // N(u)

fn etd_store(e: u32, n: vec2<f32>) {
    u[e] = etd_rk2_finish(e, a[e], n0[e], n);
}
