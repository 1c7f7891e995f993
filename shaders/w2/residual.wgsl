// The residual of a back-and-forth half-step as a complex field for the FFT
// (src/w2/h1_step_gpu.rs): work[j] = (target[j] - pushed[j], 0).

override LEN: u32;

@group(0) @binding(0) var<storage, read> target_density: array<f32>;  // [LEN]
@group(0) @binding(1) var<storage, read> pushed: array<f32>;          // [LEN]
@group(0) @binding(2) var<storage, read_write> work: array<vec2<f32>>; // [LEN]

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let j = id.y * groups.x * 256u + id.x;
    if j >= LEN {
        return;
    }
    work[j] = vec2<f32>(target_density[j] - pushed[j], 0.0);
}
