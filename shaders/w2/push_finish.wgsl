// The pushed density from the fixed-point deposits of shaders/w2/push.wgsl:
// out[j] = (hi 2^-24 + lo 2^-56) / CELL, and the accumulators cleared for
// the next push.

override LEN: u32;
override CELL: f32;

@group(0) @binding(0) var<storage, read_write> acc: array<u32>;  // [2 LEN] (lo, hi)
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // [LEN]

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let j = id.y * groups.x * 256u + id.x;
    if j >= LEN {
        return;
    }
    let lo = acc[2u * j];
    let hi = acc[2u * j + 1u];
    out[j] = (f32(hi) * 5.9604644775390625e-8 + f32(lo) * 1.3877787807814457e-17) / CELL;
    acc[2u * j] = 0u;
    acc[2u * j + 1u] = 0u;
}
