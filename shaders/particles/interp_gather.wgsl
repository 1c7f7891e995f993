// Type-2 evaluation, step 2 (src/particles/interpolate.rs): after the
// inverse FFT of the padded grid B, each particle sums its 2 SPAN + 1
// nearest points per axis in a fixed order,
//     out[i] = sum_g exp(-d_g^2 / (4 TAU)) B[g]
// (d_g per axis, in radians of the 2 pi torus, to the nearest image), a
// complex value: (1 / N^d) sum_k c[k] exp(i k . u_i).

override COUNT: u32;
override M1: u32;
override M2: u32;
override DIM: u32;
override LENGTH: f32;
override TAU: f32;
override SPAN: i32;

@group(0) @binding(0) var<storage, read> positions: array<vec2<f32>>; // [COUNT]
@group(0) @binding(1) var<storage, read> grid: array<vec2<f32>>;      // [M1 M2] B
@group(0) @binding(2) var<storage, read_write> out: array<vec2<f32>>; // [COUNT]


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.y * groups.x * 64u + id.x;
    if i >= COUNT {
        return;
    }
    let u = fract(positions[i] / LENGTH);
    let c1 = i32(floor(u.x * f32(M1) + 0.5));
    let c2 = i32(floor(u.y * f32(M2) + 0.5));
    var lo2 = 0;
    var hi2 = 0;
    if DIM == 2u {
        lo2 = -SPAN;
        hi2 = SPAN;
    }
    var acc = vec2<f32>(0.0);
    for (var b = lo2; b <= hi2; b++) {
        let g2 = c2 + b;
        var f2 = 1.0;
        if DIM == 2u {
            f2 = gaussian_factor(u.y, g2, M2, TAU);
        }
        let j2 = wrap_index(g2, M2);
        for (var a = -SPAN; a <= SPAN; a++) {
            let g1 = c1 + a;
            let j1 = wrap_index(g1, M1);
            acc += (gaussian_factor(u.x, g1, M1, TAU) * f2) * grid[j2 * M1 + j1];
        }
    }
    out[i] = acc;
}
