// The check of a kernel's gradient expression against the kernel
// (src/particles/pairs.rs), at POINTS points z_q of a golden-ratio lattice
// in [H, L - H)^DIM: out[q] = (user_gradient(z_q), central differences of
// user_field with step H), the y components 0 in 1D.

override POINTS: u32;
override DIM: u32;
override H: f32;

@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>; // [POINTS]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let q = id.x;
    if q >= POINTS {
        return;
    }
    let u = vec2<f32>(fract((f32(q) + 0.5) / f32(POINTS)), fract(f32(q) * 0.6180339887));
    var z = vec2<f32>(H) + (L - 2.0 * H) * u;
    if DIM == 1u {
        z.y = 0.0;
    }
    let ex = vec2<f32>(H, 0.0);
    let ey = vec2<f32>(0.0, H);
    let dx = (user_field(z + ex, 0.0) - user_field(z - ex, 0.0)) / (2.0 * H);
    var dy = (user_field(z + ey, 0.0) - user_field(z - ey, 0.0)) / (2.0 * H);
    var g = user_gradient(z);
    if DIM == 1u {
        dy = 0.0;
        g.y = 0.0;
    }
    out[q] = vec4<f32>(g, dx, dy);
}
