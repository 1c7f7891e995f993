// The step rule of a back-and-forth half-step on the device, one thread
// (src/w2/bfm_gpu.rs; the f64 reference is src/w2/bfm_cpu.rs): with the
// new dual value J = CELL sums[0] and the step's ||grad||^2 = CELL sums[1],
// the rise J - J_old against sigma ||grad||^2 grows sigma by 1 / 0.95 above
// 3/4 of it and shrinks it by 0.95 below 1/4. With RECORD = 1 (the back
// half, which ends an iteration) it also writes (J, P = CELL sums[2]) into
// the history ring at the iteration count, and counts the iteration. The
// rise is an f32 difference: near convergence it is round-off and sigma
// drifts on it, as the f64 rule's does at its own round-off.

override CELL: f32;
override RECORD: u32 = 0u;
override RING: u32;

@group(0) @binding(0) var<storage, read> sums: array<vec2<f32>>;          // [3] reduced channels
@group(0) @binding(1) var<storage, read_write> sigma: array<f32>;         // [1] this half's step
@group(0) @binding(2) var<storage, read_write> state: array<f32>;         // [2] (J_old, iterations)
@group(0) @binding(3) var<storage, read_write> history: array<vec2<f32>>; // [RING] (J, P)

@compute @workgroup_size(1)
fn main() {
    let value = CELL * sums[0].x;
    let norm = CELL * sums[1].x;
    let rise = value - state[0];
    let s = sigma[0];
    if rise > 0.75 * s * norm {
        sigma[0] = s / 0.95;
    } else if rise < 0.25 * s * norm {
        sigma[0] = s * 0.95;
    }
    state[0] = value;
    if RECORD == 1u {
        let k = u32(state[1]);
        history[k % RING] = vec2<f32>(value, CELL * sums[2].x);
        state[1] = state[1] + 1.0;
    }
}
