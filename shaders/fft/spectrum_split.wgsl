// Spectra of a and b from the spectrum Z of z = a + i b (a, b real):
//     A_m = (Z_m + conj Z_{-m}) / 2,   B_m = -i (Z_m - conj Z_{-m}) / 2,
// with -m taken modulo the grid on each axis.
// Keep in sync with src/fft/real.rs.

override N1: u32;     // points per row
override N2: u32;     // rows (1 in 1D)
override COUNT: u32;  // points in all fields of the batch

@group(0) @binding(0) var<storage, read> z: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> a: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> b: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i >= COUNT {
        return;
    }
    let field_len = N1 * N2;
    let base = (i / field_len) * field_len;
    let p = i - base;
    let m1 = p % N1;
    let m2 = p / N1;
    let mirror = base + ((N2 - m2) % N2) * N1 + (N1 - m1) % N1;
    let zm = z[i];
    let zc = cconj(z[mirror]);
    a[i] = 0.5 * (zm + zc);
    b[i] = 0.5 * mul_mi(zm - zc, false);
}
