// Band-limited interaction K3(x, y) = sum_{m,n in box} C[m][n] e^{i(kappa_m.x + kappa_n.y)}:
//     V3^[m] = S sum_n C[m][n] nu^[-n],   U3^[n] = S sum_m C[m][n] mu^[-m],
// with S = (points per field) h^d, the spectra of V3(x) = int K3(x, y) nu(y) dy
// and U3(y) = int K3(x, y) mu(x) dx on the grid. Thread t < BOX computes V3^ at
// box mode t, thread BOX + t computes U3^ at box mode t.
// Keep in sync with src/dynamics/rhs.rs.

override BOX: u32;     // modes in the box, (2B+1)^d
override MODES: u32;   // B
override DIM: u32;     // 1 or 2
override SCALE: f32;   // S

@group(0) @binding(0) var<storage, read> state: array<vec2<f32>>;   // [mu^, nu^]
@group(0) @binding(1) var<storage, read> coeffs: array<vec2<f32>>;  // C, [BOX][BOX]
@group(0) @binding(2) var<storage, read_write> box_out: array<vec2<f32>>; // [V3^, U3^]

// Grid index of the wave vector -(box mode b).
fn grid_index_of_negative(b: u32) -> u32 {
    let side = 2u * MODES + 1u;
    let m1 = i32(b % side) - i32(MODES);
    var m2 = 0;
    if DIM == 2u {
        m2 = i32(b / side) - i32(MODES);
    }
    let j1 = u32((-m1 + i32(N1)) % i32(N1));
    let j2 = u32((-m2 + i32(N2)) % i32(N2));
    return j2 * N1 + j1;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x;
    if t >= 2u * BOX {
        return;
    }
    let field_len = N1 * N2;
    var acc = vec2<f32>(0.0);
    if t < BOX {
        for (var n = 0u; n < BOX; n++) {
            acc += cmul(coeffs[t * BOX + n], state[field_len + grid_index_of_negative(n)]);
        }
    } else {
        let n = t - BOX;
        for (var m = 0u; m < BOX; m++) {
            acc += cmul(coeffs[m * BOX + n], state[grid_index_of_negative(m)]);
        }
    }
    box_out[t] = SCALE * acc;
}
