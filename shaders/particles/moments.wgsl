// Fourier moments of weighted particles, reduced per workgroup:
//     m^(kappa_j) = sum_i w_i exp(-i kappa_j . X_i),   kappa_j = (2 pi / L) k_j,
// channel 2 j the real part sum w cos(kappa . X), channel 2 j + 1 the
// imaginary part -sum w sin(kappa . X), one partial per workgroup
// ([channel][group], reduce.wgsl); the tree that finishes them is fixed, so
// the result does not depend on the scheduling. The phase is reduced mod 2 pi
// (to [-pi, pi)) from the integer wave vector and the position in units of
// L, to keep f32 accuracy at high modes. Each thread first sums PER_THREAD
// particles in a fixed order (i = base + local + j RED_WG), then the
// workgroup sums (re, im) together by a pairwise tree: few barriers per
// mode, which is what a workgroup reduction costs most. Keep in sync with
// src/particles/moments.rs.

override COUNT: u32;
override MODES: u32;
override LENGTH: f32;
override PER_THREAD: u32 = 16u;

var<workgroup> pair_scratch: array<vec2<f32>, RED_WG>;

@group(0) @binding(0) var<storage, read> positions: array<vec2<f32>>; // [COUNT] (x, y), y = 0 in 1D
@group(0) @binding(1) var<storage, read> weights: array<f32>;         // [COUNT]
@group(0) @binding(2) var<storage, read> modes: array<vec2<i32>>;     // [MODES] integer k
@group(0) @binding(3) var<storage, read_write> partials: array<vec2<f32>>; // [2 MODES][groups]

fn pair_sum(v: vec2<f32>, local: u32) -> vec2<f32> {
    pair_scratch[local] = v;
    workgroupBarrier();
    for (var stride = RED_WG / 2u; stride > 0u; stride = stride / 2u) {
        if local < stride {
            pair_scratch[local] = pair_scratch[local] + pair_scratch[local + stride];
        }
        workgroupBarrier();
    }
    let r = pair_scratch[0];
    workgroupBarrier();
    return r;
}

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    let base = gi * RED_WG * PER_THREAD + local;
    for (var j = 0u; j < MODES; j++) {
        let k = vec2<f32>(modes[j]);
        var acc = vec2<f32>(0.0);
        for (var p = 0u; p < PER_THREAD; p++) {
            let i = base + p * RED_WG;
            if i < COUNT {
                // The position in turns of the torus, in [0, 1), and k . u
                // in turns reduced to an angle in [-pi, pi), where sin and
                // cos keep their accuracy on every device.
                let u = fract(positions[i] / LENGTH);
                let turns = fract(k.x * u.x) + fract(k.y * u.y);
                let phase = 6.283185307179586 * (fract(turns + 0.5) - 0.5);
                acc += weights[i] * vec2<f32>(cos(phase), -sin(phase));
            }
        }
        let sum = pair_sum(acc, local);
        if local == 0u {
            partials[(2u * j) * ngroups + gi] = vec2<f32>(sum.x, 0.0);
            partials[(2u * j + 1u) * ngroups + gi] = vec2<f32>(sum.y, 0.0);
        }
    }
}
