// One pass of the c-transform on the torus (src/w2/envelope_gpu.rs; the f64
// reference is src/w2/envelope.rs): along each of LINES lines of N points,
//
//   out[i] = min_x (x - i h)^2 / 2 + SIGN src(x),   src periodic, x on the grid,
//
// the lower envelope of parabolas over the 2N-point periodic extension
// [-L/2, 3L/2) (Felzenszwalb and Huttenlocher), one invocation per line.
// Point j of line l is at index l * LINE_STRIDE + j * POINT_STRIDE. In grid
// units (F = SIGN src / h^2) the parabolas from v < q cross at
// s = (F_q - F_v) / (q - v) + (q + v) / 2, free of the cancellation of q^2 - v^2.

override N: u32;
override LINES: u32;
override POINT_STRIDE: u32;
override LINE_STRIDE: u32;
override SIGN: f32;
override H: f32;

@group(0) @binding(0) var<storage, read> src: array<f32>;              // the lines' values
@group(0) @binding(1) var<storage, read_write> out: array<f32>;        // same layout as src
@group(0) @binding(2) var<storage, read_write> hull: array<u32>;       // [LINES * 2N] parabolas
@group(0) @binding(3) var<storage, read_write> bounds: array<f32>;     // [LINES * 2N] left ends

// F at extended index e (x = (e - N/2) h), in grid units.
fn ext(base: u32, e: u32) -> f32 {
    let j = (e + N - N / 2u) % N;
    return SIGN * src[base + j * POINT_STRIDE] / (H * H);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let line = id.x;
    if line >= LINES {
        return;
    }
    let base = line * LINE_STRIDE;
    let scratch = line * 2u * N;
    let m = 2u * N;
    var top = 0u;
    hull[scratch] = 0u;
    bounds[scratch] = -3.0e38;
    for (var q = 1u; q < m; q++) {
        let fq = ext(base, q);
        var s = 0.0;
        loop {
            let v = hull[scratch + top];
            s = (fq - ext(base, v)) / f32(q - v) + 0.5 * f32(q + v);
            if s <= bounds[scratch + top] && top > 0u {
                top -= 1u;
            } else {
                break;
            }
        }
        top += 1u;
        hull[scratch + top] = q;
        bounds[scratch + top] = s;
    }
    var k = 0u;
    for (var i = 0u; i < N; i++) {
        let y = f32(i + N / 2u);
        while k < top && bounds[scratch + k + 1u] < y {
            k += 1u;
        }
        let v = hull[scratch + k];
        let d = y - f32(v);
        out[base + i * POINT_STRIDE] = H * H * (0.5 * d * d + ext(base, v));
    }
}
