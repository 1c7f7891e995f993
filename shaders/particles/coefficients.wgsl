// The coefficients of the particles' potentials from their Fourier moments
// (src/particles/fourier.rs): for every row t (one wave vector of one
// species' potential),
//     P_t = A_t + sum_{e in row t} F_e m[slot_e],
// a complex multiply-add over a fixed CSR table, in a fixed order; with
// weights that move, each moment is divided by its species' total weight
// (the real part of slot entry_total[e]; NONE: weights that sum to one). The
// moments are the reducers' results copied side by side: slot j's real part
// in moments[2 j].x, its imaginary part in moments[2 j + 1].x.

override ROWS: u32;

@group(0) @binding(0) var<storage, read> row_start: array<u32>;          // [ROWS + 1]
@group(0) @binding(1) var<storage, read> row_const: array<vec2<f32>>;    // [ROWS] A_t
@group(0) @binding(2) var<storage, read> entry_slot: array<u32>;         // [entries]
@group(0) @binding(3) var<storage, read> entry_factor: array<vec2<f32>>; // [entries] F_e
@group(0) @binding(4) var<storage, read> moments: array<vec2<f32>>;      // [2 slots]
@group(0) @binding(5) var<storage, read_write> coeffs: array<vec2<f32>>; // [ROWS] P_t
@group(0) @binding(6) var<storage, read> entry_total: array<u32>;        // [entries]

const NONE: u32 = 0xffffffffu;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x;
    if t >= ROWS {
        return;
    }
    var p = row_const[t];
    for (var e = row_start[t]; e < row_start[t + 1u]; e++) {
        let j = entry_slot[e];
        var m = vec2<f32>(moments[2u * j].x, moments[2u * j + 1u].x);
        let total = entry_total[e];
        if total != NONE {
            m = m / moments[2u * total].x;
        }
        p += cmul(entry_factor[e], m);
    }
    coeffs[t] = p;
}
