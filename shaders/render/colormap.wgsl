// Colours one component of a field on the GPU, downsampled by area averages:
// output pixel (ox, oy) averages the FACTOR x FACTOR block of grid points
// j1 in [ox F, ox F + F), j2 in [j2_0, j2_0 + F) with j2_0 = (OUT_H - 1 - oy) F
// (image row 0 is the last grid row, so y points up), plus REF_SIGN times the
// reference density exp(ref_logs) (-1: a deviation from it; +1: a deviation
// turned back into a density), then maps it:
//     linear: x = (v - lo) / (hi - lo)
//     log:    x = (log(max(v, lo)) - log(lo)) / (log(hi) - log(lo))
//     x clamped to [0, 1], index = min(255, floor(x * 256)), colour = lut[index];
//     a non-finite v is magenta.
// Keep in sync with src/render/colormap.rs (the CPU reference) and
// src/render/gpu.rs.

override N1: u32;          // grid points per row
override FACTOR: u32;      // downsampling factor F (divides the grid sides)
override OUT_W: u32;       // N1 / F
override OUT_H: u32;       // N2 / F
override STRIDE: u32;      // floats per point of the source (1 real, 2 complex)
override LOG: bool;
override REF_SIGN: f32;    // 0, or +-1 times the reference density is added

struct Limits {
    lo: f32,
    hi: f32,
    _pad0: f32,
    _pad1: f32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;       // the field(s), STRIDE floats a point
@group(0) @binding(1) var<storage, read> ref_logs: array<f32>;  // [log rho*] per component
@group(0) @binding(2) var<storage, read> lut: array<u32>;       // 256 RGBA8, packed little-endian
@group(0) @binding(3) var<uniform> limits: Limits;
@group(0) @binding(4) var<storage, read_write> out: array<u32>; // [component][OUT_H][OUT_W]

const MAGENTA: u32 = 0xffff00ffu;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let ox = id.x;
    let oy = id.y;
    let component = id.z;
    if ox >= OUT_W || oy >= OUT_H {
        return;
    }
    let field_len = N1 * OUT_H * FACTOR;
    let j2_0 = (OUT_H - 1u - oy) * FACTOR;
    var sum = 0.0;
    for (var b = 0u; b < FACTOR; b++) {
        for (var a = 0u; a < FACTOR; a++) {
            let p = (j2_0 + b) * N1 + ox * FACTOR + a;
            // Component c of a packed source is part c % STRIDE of field c / STRIDE.
            var v = src[(component / STRIDE) * field_len * STRIDE + p * STRIDE + component % STRIDE];
            if REF_SIGN != 0.0 {
                v += REF_SIGN * exp(ref_logs[component * field_len + p]);
            }
            sum += v;
        }
    }
    let v = sum / f32(FACTOR * FACTOR);
    let o = (component * OUT_H + oy) * OUT_W + ox;
    // v != v is true for NaN; the bound test catches infinities.
    if v != v || abs(v) > 3.0e38 {
        out[o] = MAGENTA;
        return;
    }
    var x: f32;
    if LOG {
        x = (log(max(v, limits.lo)) - log(limits.lo)) / (log(limits.hi) - log(limits.lo));
    } else {
        x = (v - limits.lo) / (limits.hi - limits.lo);
    }
    x = clamp(x, 0.0, 1.0);
    let index = min(255u, u32(floor(x * 256.0)));
    out[o] = lut[index];
}
