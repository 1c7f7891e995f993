// The gradient step of a back-and-forth half-step (src/w2/h1_step_gpu.rs):
// phi[j] += sigma work[j].x, the step size read from the device.

override LEN: u32;

@group(0) @binding(0) var<storage, read> work: array<vec2<f32>>;  // [LEN] (-Lap)^-1 residual
@group(0) @binding(1) var<storage, read> sigma: array<f32>;       // [1]
@group(0) @binding(2) var<storage, read_write> phi: array<f32>;   // [LEN]

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let j = id.y * groups.x * 256u + id.x;
    if j >= LEN {
        return;
    }
    phi[j] = phi[j] + sigma[0] * work[j].x;
}
