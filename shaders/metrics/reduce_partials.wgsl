// One level of the reduction tree: partials [channel][count] -> [channel][groups],
// 256 partials per workgroup. Dispatch (groups, channels, 1).
// Keep in sync with src/metrics/reduce.rs.

struct Level {
    count: u32,        // partials per channel in the input
    in_offset: u32,    // vec2 offset of channel 0 in `src`
    in_stride: u32,    // vec2 stride between channels in `src`
    out_offset: u32,   // vec2 offset of channel 0 in `dst`
    out_stride: u32,   // vec2 stride between channels in `dst`
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> level: Level;
@group(0) @binding(1) var<storage, read> ops: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> dst: array<vec2<f32>>;

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let channel = group.y;
    let op = ops[channel];
    let i = group.x * RED_WG + local;
    var v = red_identity(op);
    if i < level.count {
        v = src[level.in_offset + channel * level.in_stride + i];
    }
    let r = workgroup_reduce(op, v, local);
    if local == 0u {
        dst[level.out_offset + channel * level.out_stride + group.x] = r;
    }
}
