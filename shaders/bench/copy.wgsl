// dst = src, 16 bytes per thread: the memory-bandwidth yardstick.
// Keep in sync with src/bench/copy.rs.

override COUNT: u32;  // vec4 elements

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    if i < COUNT {
        dst[i] = src[i];
    }
}
