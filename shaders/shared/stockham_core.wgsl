// The Stockham autosort FFT along one axis of a batch of grids, shared by the
// plain transform (shaders/fft/stockham.wgsl) and the kernels that fuse
// pointwise work into its load and store (shaders/dynamics/rhs_*_pass.wgsl).
//
// Each workgroup transforms LINES lines of length N (rows, or neighbouring
// columns read together so that global loads coalesce). The first stage reads
// through the kernel's `load`, the last stage writes through its `store` (in
// place: a workgroup owns its lines); the stages between exchange data through
// workgroup memory, real parts then imaginary parts, so a line needs only 4 N
// bytes of it.
//
// Stage s of radix r with sub-transform length ns (the product of the earlier
// radices), for butterfly k of a line (0 <= k < N / r):
//     inputs   x[k + q N / r]                      q = 0 .. r-1
//     twiddle  x_q *= w^(q (k mod ns) N / (ns r)), w = exp(-2 pi i / N)
//     outputs  y[(k / ns) ns r + (k mod ns) + q ns] = DFT_r(x)_q
// The forward transform is unnormalised; the inverse conjugates the twiddles and
// divides by N, as numpy does.
//
// The stages themselves, `fn transform`, are generated for each radix plan by
// src/fft/stockham_gen.rs (every loop unrolled, the values in scalar
// registers, so that no compiler spills a register array to local memory).
// The including kernel declares `exch` (below), `twiddles` (exp(-2 pi i j / N)
// for j < N, computed in f64 on the host) and the hooks `load` and `store`.
// Keep in sync with src/fft/stockham.rs (override constants and bindings).

override N: u32;            // line length, a power of two >= 2
override LINES: u32;        // lines per workgroup
override LINE_COUNT: u32;   // lines per field (lines beyond it are padding)
override COLUMNS: bool;     // lines are columns (element stride ROW_LEN), else rows
override ROW_LEN: u32;      // n1, elements per grid row
override FIELD_LEN: u32;    // n1 * n2, elements per field of the batch
override WG_SIZE: u32;      // threads per workgroup = LINES * N / 16 (ELEMS_PER_THREAD)

// The kernel declares the exchange array `exch: array<f32, LINES * N>` in
// workgroup memory after all of its overrides (naga 30 fails to process an
// override declared after an array sized by overrides).

// (line within the workgroup, butterfly within the line) of butterfly kk of the
// workgroup; for columns, neighbouring threads take neighbouring lines.
fn butterfly_of(kk: u32, per_line: u32) -> vec2<u32> {
    if COLUMNS {
        return vec2<u32>(kk % LINES, kk / LINES);
    }
    return vec2<u32>(kk / per_line, kk % per_line);
}

// Index of point i of line `line` of field `field` of the batch.
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

// Mirror pairing, for kernels whose store needs the value at -k (generated
// with `mirror`): slot l < LINES / 2 of workgroup g holds line g LINES/2 + l
// of the first half, slot l + LINES / 2 its mirror (LINE_COUNT - line), except
// that line 0, its own mirror, is paired with line LINE_COUNT / 2, also its
// own. Needs 2 <= LINES <= LINE_COUNT, or a single line (LINE_COUNT = 1).
fn paired_line(g: u32, slot: u32) -> u32 {
    if LINE_COUNT == 1u {
        return slot;
    }
    let half = max(LINES / 2u, 1u);
    let line = g * half + slot % half;
    if slot < half {
        return line;
    }
    if line == 0u {
        return LINE_COUNT / 2u;
    }
    return LINE_COUNT - line;
}

// The slot holding the mirror of the line in `slot` (see paired_line).
fn partner_slot(g: u32, slot: u32) -> u32 {
    if LINE_COUNT == 1u {
        return slot;
    }
    let half = max(LINES / 2u, 1u);
    if g * half + slot % half == 0u {
        return slot;
    }
    return (slot + half) % LINES;
}

fn twiddle(e: u32, inverse: bool) -> vec2<f32> {
    let w = twiddles[e];
    if inverse {
        return cconj(w);
    }
    return w;
}

// Radix-8 constant 1/sqrt(2).
const H: f32 = 0.70710678118654752;

fn dft4(a0: vec2<f32>, a1: vec2<f32>, a2: vec2<f32>, a3: vec2<f32>, inverse: bool) -> array<vec2<f32>, 4> {
    let t0 = a0 + a2;
    let t1 = a0 - a2;
    let t2 = a1 + a3;
    let t3 = mul_mi(a1 - a3, inverse);
    return array<vec2<f32>, 4>(t0 + t2, t1 + t3, t0 - t2, t1 - t3);
}

@compute @workgroup_size(WG_SIZE)
fn main(
    @builtin(local_invocation_index) t: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
) {
    transform(t, wg.y, wg.x * LINES);
}
