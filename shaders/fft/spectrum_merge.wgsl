// Z = A + i B: the spectrum of a + i b from the spectra of real fields a and b.
// Keep in sync with src/fft/real.rs.

override COUNT: u32;  // points in all fields of the batch

@group(0) @binding(0) var<storage, read> a: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> z: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        let y = b[i];
        z[i] = a[i] + vec2<f32>(-y.y, y.x);
    }
}
