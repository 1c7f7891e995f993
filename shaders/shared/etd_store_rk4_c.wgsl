// The fused divergence pass's store for ETDRK4's stage c, with N = N(b):
//     c = e^{z/2} a + dt/2 phi1(z/2) (2 N - N(u)),   s12 <- N(a) + N
// (N(b) itself is not kept: the last stage needs only the sum).

@group(0) @binding(2) var<storage, read> a: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> n0: array<vec2<f32>>;         // N(u)
@group(0) @binding(4) var<storage, read_write> s12: array<vec2<f32>>;  // N(a) -> N(a) + N(b)
@group(0) @binding(5) var<storage, read_write> c: array<vec2<f32>>;

fn etd_store(e: u32, n: vec2<f32>) {
    c[e] = etd_rk4_c(e, a[e], n0[e], n);
    s12[e] = s12[e] + n;
}
