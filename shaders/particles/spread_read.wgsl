// The fixed-point sums of particles/spread.wgsl as a complex field for the
// FFT: out[g] = (hi 2^-20 + lo 2^-52, 0), and the accumulator cleared for
// the next spreading. Keep in sync with src/particles/spread.rs.

override POINTS: u32;

@group(0) @binding(0) var<storage, read_write> acc: array<u32>;        // [2 POINTS]
@group(0) @binding(1) var<storage, read_write> out: array<vec2<f32>>;  // [POINTS]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let g = id.y * groups.x * 64u + id.x;
    if g >= POINTS {
        return;
    }
    let lo = acc[2u * g];
    let hi = acc[2u * g + 1u];
    out[g] = vec2<f32>(f32(hi) * 9.5367431640625e-7 + f32(lo) * 2.220446049250313e-16, 0.0);
    acc[2u * g] = 0u;
    acc[2u * g + 1u] = 0u;
}
