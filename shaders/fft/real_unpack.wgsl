// a = Re z, b = Im z.
// Keep in sync with src/fft/real.rs.

override COUNT: u32;  // points in all fields of the batch

@group(0) @binding(0) var<storage, read> z: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        let v = z[i];
        a[i] = v.x;
        b[i] = v.y;
    }
}
