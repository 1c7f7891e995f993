// The squares of the particles' weights, for their sum (Kish's effective
// sample size, src/particles/weight_sums.rs): squared[i] = w[i]^2.

override COUNT: u32;

@group(0) @binding(0) var<storage, read> weights: array<f32>;        // [COUNT]
@group(0) @binding(1) var<storage, read_write> squared: array<f32>;  // [COUNT]

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.y * groups.x * 256u + id.x;
    if i >= COUNT {
        return;
    }
    let w = weights[i];
    squared[i] = w * w;
}
