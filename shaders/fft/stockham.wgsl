// Stockham autosort FFT along one axis of a batch of grids, one global pass.
//
// Each workgroup transforms LINES lines of length N (rows, or neighbouring columns
// read together so that global loads coalesce). The first stage reads straight
// from global memory, the last stage writes straight back (in place: a workgroup
// owns its lines); the stages between exchange data through workgroup memory,
// real parts then imaginary parts, so a line needs only 4 N bytes of it.
//
// Stage s of radix r with sub-transform length ns (the product of the earlier
// radices), for butterfly k of a line (0 <= k < N / r):
//     inputs   x[k + q N / r]                      q = 0 .. r-1
//     twiddle  x_q *= w^(q (k mod ns) N / (ns r)), w = exp(-2 pi i / N)
//     outputs  y[(k / ns) ns r + (k mod ns) + q ns] = DFT_r(x)_q
// The forward transform is unnormalised; the inverse conjugates the twiddles and
// divides by N, as numpy does.
//
// Keep in sync with src/fft/stockham.rs (override constants and bindings).

override N: u32;            // line length, a power of two >= 2
override LINES: u32;        // lines per workgroup
override LINE_COUNT: u32;   // lines per field (lines beyond it are padding)
override COLUMNS: bool;     // lines are columns (element stride ROW_LEN), else rows
override ROW_LEN: u32;      // n1, elements per grid row
override FIELD_LEN: u32;    // n1 * n2, elements per field of the batch
override INVERSE: bool;     // inverse transform
override STAGES: u32;       // number of radix stages
override RADIX_CODES: u32;  // log2 of the radix of stage s in bits 2s, 2s+1 (1, 2 or 3)
override WG_SIZE: u32;      // threads per workgroup = LINES * N / E

// Values each thread holds in registers across a stage.
const E: u32 = 16u;

@group(0) @binding(0) var<storage, read_write> data: array<vec2<f32>>;
// exp(-2 pi i j / N) for j < N, computed in f64 on the host.
@group(0) @binding(1) var<storage, read> twiddles: array<vec2<f32>>;

var<workgroup> exch: array<f32, LINES * N>;

fn radix_log2(s: u32) -> u32 {
    return (RADIX_CODES >> (2u * s)) & 3u;
}

// (line within the workgroup, butterfly within the line) of butterfly kk of the
// workgroup; for columns, neighbouring threads take neighbouring lines.
fn butterfly_of(kk: u32, per_line: u32) -> vec2<u32> {
    if COLUMNS {
        return vec2<u32>(kk % LINES, kk / LINES);
    }
    return vec2<u32>(kk / per_line, kk % per_line);
}

fn global_index(field: u32, line: u32, i: u32) -> u32 {
    if COLUMNS {
        return field * FIELD_LEN + i * ROW_LEN + line;
    }
    return field * FIELD_LEN + line * N + i;
}

fn shared_index(line: u32, i: u32) -> u32 {
    if COLUMNS {
        return i * LINES + line;
    }
    return line * N + i;
}

fn twiddle(e: u32) -> vec2<f32> {
    let w = twiddles[e];
    if INVERSE {
        return cconj(w);
    }
    return w;
}

// Radix-8 constant 1/sqrt(2).
const H: f32 = 0.70710678118654752;

fn dft4(a0: vec2<f32>, a1: vec2<f32>, a2: vec2<f32>, a3: vec2<f32>) -> array<vec2<f32>, 4> {
    let t0 = a0 + a2;
    let t1 = a0 - a2;
    let t2 = a1 + a3;
    let t3 = mul_mi(a1 - a3, INVERSE);
    return array<vec2<f32>, 4>(t0 + t2, t1 + t3, t0 - t2, t1 - t3);
}

// In-place DFT of size 2^lr on v[o .. o + 2^lr].
fn butterfly(v: ptr<function, array<vec2<f32>, E>>, o: u32, lr: u32) {
    switch lr {
        case 1u: {
            let a = (*v)[o];
            let b = (*v)[o + 1u];
            (*v)[o] = a + b;
            (*v)[o + 1u] = a - b;
        }
        case 2u: {
            let y = dft4((*v)[o], (*v)[o + 1u], (*v)[o + 2u], (*v)[o + 3u]);
            for (var q = 0u; q < 4u; q++) {
                (*v)[o + q] = y[q];
            }
        }
        default: {
            let e = dft4((*v)[o], (*v)[o + 2u], (*v)[o + 4u], (*v)[o + 6u]);
            var d = dft4((*v)[o + 1u], (*v)[o + 3u], (*v)[o + 5u], (*v)[o + 7u]);
            // d_q *= w8^q, w8 = exp(-+ 2 pi i / 8).
            let s = select(-H, H, INVERSE);
            d[1] = cmul(d[1], vec2<f32>(H, s));
            d[2] = mul_mi(d[2], INVERSE);
            d[3] = cmul(d[3], vec2<f32>(-H, s));
            for (var q = 0u; q < 4u; q++) {
                (*v)[o + q] = e[q] + d[q];
                (*v)[o + q + 4u] = e[q] - d[q];
            }
        }
    }
}

@compute @workgroup_size(WG_SIZE)
fn main(
    @builtin(local_invocation_index) t: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
) {
    let field = wg.y;
    let first_line = wg.x * LINES;
    var v: array<vec2<f32>, E>;

    // Stage 0 inputs from global memory.
    {
        let r = 1u << radix_log2(0u);
        let per_line = N / r;
        for (var j = 0u; j < E / r; j++) {
            let lk = butterfly_of(t + j * WG_SIZE, per_line);
            let line = first_line + lk.x;
            for (var q = 0u; q < r; q++) {
                var x = vec2<f32>(0.0);
                if line < LINE_COUNT {
                    x = data[global_index(field, line, lk.y + q * per_line)];
                }
                v[j * r + q] = x;
            }
        }
    }

    var ns = 1u;
    for (var s = 0u; s < STAGES; s++) {
        let lr = radix_log2(s);
        let r = 1u << lr;
        let per_line = N / r;
        for (var j = 0u; j < E / r; j++) {
            let k = butterfly_of(t + j * WG_SIZE, per_line).y;
            let unit = (k & (ns - 1u)) * (N / (ns * r));
            for (var q = 1u; q < r; q++) {
                v[j * r + q] = cmul(v[j * r + q], twiddle(q * unit));
            }
            butterfly(&v, j * r, lr);
        }

        if s + 1u == STAGES {
            // Last stage: ns r = N, so the outputs of butterfly k go to k + q ns.
            let scale = select(1.0, 1.0 / f32(N), INVERSE);
            for (var j = 0u; j < E / r; j++) {
                let lk = butterfly_of(t + j * WG_SIZE, per_line);
                let line = first_line + lk.x;
                if line < LINE_COUNT {
                    for (var q = 0u; q < r; q++) {
                        data[global_index(field, line, lk.y + q * ns)] = v[j * r + q] * scale;
                    }
                }
            }
        } else {
            let r2 = 1u << radix_log2(s + 1u);
            let per_line2 = N / r2;
            for (var part = 0u; part < 2u; part++) {
                workgroupBarrier();
                for (var j = 0u; j < E / r; j++) {
                    let lk = butterfly_of(t + j * WG_SIZE, per_line);
                    let base = (lk.y / ns) * ns * r + (lk.y & (ns - 1u));
                    for (var q = 0u; q < r; q++) {
                        let x = v[j * r + q];
                        exch[shared_index(lk.x, base + q * ns)] = select(x.x, x.y, part == 1u);
                    }
                }
                workgroupBarrier();
                for (var j = 0u; j < E / r2; j++) {
                    let lk = butterfly_of(t + j * WG_SIZE, per_line2);
                    for (var q = 0u; q < r2; q++) {
                        let y = exch[shared_index(lk.x, lk.y + q * per_line2)];
                        if part == 0u {
                            v[j * r2 + q].x = y;
                        } else {
                            v[j * r2 + q].y = y;
                        }
                    }
                }
            }
            ns *= r;
        }
    }
}
