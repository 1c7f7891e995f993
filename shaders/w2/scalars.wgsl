// The scalars of a back-and-forth half-step, reduced per workgroup
// (src/w2/bfm_gpu.rs; the f64 reference is src/w2/bfm_cpu.rs), each a sum
// over the grid that the step rule scales by the cell volume:
//   channel 0: a_pot a_den + b_pot b_den            (the dual value),
//   channel 1: (a_den - pushed) work.x              (||residual||^2 in H^-1),
//   channel 2: |grad b_pot|^2 b_den / 2, PRIMAL = 1 (the primal cost of the
//              map x -> x - grad b_pot(x) of b_den; centred differences).
// One partial per channel and workgroup ([channel][group], reduce.wgsl);
// each thread first sums PER_THREAD points in a fixed order, so the result
// does not depend on the scheduling.

override N1: u32;
override N2: u32;
override H: f32;
override PRIMAL: u32 = 0u;
override PER_THREAD: u32 = 4u;

@group(0) @binding(0) var<storage, read> a_pot: array<f32>;            // [N2 N1]
@group(0) @binding(1) var<storage, read> a_den: array<f32>;            // [N2 N1] the step's target
@group(0) @binding(2) var<storage, read> b_pot: array<f32>;            // [N2 N1]
@group(0) @binding(3) var<storage, read> b_den: array<f32>;            // [N2 N1]
@group(0) @binding(4) var<storage, read> pushed: array<f32>;           // [N2 N1]
@group(0) @binding(5) var<storage, read> work: array<vec2<f32>>;       // [N2 N1] (-Lap)^-1 residual
@group(0) @binding(6) var<storage, read_write> partials: array<vec2<f32>>; // [3][groups]

fn squared_gradient(i: u32) -> f32 {
    let j1 = i % N1;
    let j2 = i / N1;
    let row = j2 * N1;
    let d1 = b_pot[row + (j1 + 1u) % N1] - b_pot[row + (j1 + N1 - 1u) % N1];
    var d2 = 0.0;
    if N2 > 1u {
        d2 = b_pot[((j2 + 1u) % N2) * N1 + j1] - b_pot[((j2 + N2 - 1u) % N2) * N1 + j1];
    }
    let s = 0.5 / H;
    return s * s * (d1 * d1 + d2 * d2);
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
    var dual = 0.0;
    var norm = 0.0;
    var primal = 0.0;
    for (var p = 0u; p < PER_THREAD; p++) {
        let i = base + p * RED_WG;
        if i < N1 * N2 {
            dual += a_pot[i] * a_den[i] + b_pot[i] * b_den[i];
            norm += (a_den[i] - pushed[i]) * work[i].x;
            if PRIMAL == 1u {
                primal += 0.5 * squared_gradient(i) * b_den[i];
            }
        }
    }
    let sums = array<f32, 3>(
        workgroup_reduce(OP_SUM, vec2<f32>(dual, 0.0), local).x,
        workgroup_reduce(OP_SUM, vec2<f32>(norm, 0.0), local).x,
        workgroup_reduce(OP_SUM, vec2<f32>(primal, 0.0), local).x,
    );
    if local == 0u {
        for (var c = 0u; c < 3u; c++) {
            partials[c * ngroups + gi] = vec2<f32>(sums[c], 0.0);
        }
    }
}
