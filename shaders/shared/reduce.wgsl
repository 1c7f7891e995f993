// Workgroup tree reductions (pairwise, so f32 sums of millions of values keep
// about log2(n) * eps relative error at worst).
// A partial is a vec2<f32>: SUM, MIN and MAX use .x; LSE (log-sum-exp) keeps
// (max, sum of exp(value - max)) so that no raw value is ever exponentiated.
// Keep the op codes in sync with src/metrics/reduce.rs (`Op`).

const OP_SUM: u32 = 0u;
const OP_MIN: u32 = 1u;
const OP_MAX: u32 = 2u;
const OP_LSE: u32 = 3u;

const RED_WG: u32 = 256u;
const BIG: f32 = 3.0e38;

var<workgroup> red_scratch: array<vec2<f32>, RED_WG>;

fn red_identity(op: u32) -> vec2<f32> {
    switch op {
        case 1u: { return vec2<f32>(BIG, 0.0); }
        case 2u: { return vec2<f32>(-BIG, 0.0); }
        case 3u: { return vec2<f32>(-BIG, 0.0); }
        default: { return vec2<f32>(0.0, 0.0); }
    }
}

// The partial of a single value.
fn red_leaf(op: u32, v: f32) -> vec2<f32> {
    if op == OP_LSE {
        return vec2<f32>(v, 1.0);
    }
    return vec2<f32>(v, 0.0);
}

fn red_combine(op: u32, a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    switch op {
        case 1u: { return vec2<f32>(min(a.x, b.x), 0.0); }
        case 2u: { return vec2<f32>(max(a.x, b.x), 0.0); }
        case 3u: {
            let m = max(a.x, b.x);
            return vec2<f32>(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
        }
        default: { return vec2<f32>(a.x + b.x, 0.0); }
    }
}

// Reduces one partial per thread over the workgroup; the result is returned to
// every thread. Must be called in uniform control flow.
fn workgroup_reduce(op: u32, v: vec2<f32>, local: u32) -> vec2<f32> {
    red_scratch[local] = v;
    workgroupBarrier();
    for (var stride = RED_WG / 2u; stride > 0u; stride = stride / 2u) {
        if local < stride {
            red_scratch[local] = red_combine(op, red_scratch[local], red_scratch[local + stride]);
        }
        workgroupBarrier();
    }
    let r = red_scratch[0];
    workgroupBarrier();
    return r;
}
