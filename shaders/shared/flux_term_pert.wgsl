// The flux of species s at grid point o of the perturbation form (see
// shaders/dynamics/flux_pert.wgsl): with d = d_s the deviation and g = grad Phi_s,lin[d],
//     F_s = d grad Phi_s* + (rho_s* + d) g,
// the reference rho* (packed two at a time) and grad Phi_s* (packed x + i y)
// on the grid at bindings 3 and 4.

@group(0) @binding(3) var<storage, read> star: array<vec2<f32>>;      // [PAIRS]
@group(0) @binding(4) var<storage, read> grad_star: array<vec2<f32>>; // [S]

fn flux_term(s: u32, o: u32, g: vec2<f32>, d: f32) -> vec2<f32> {
    let st = star[(s / 2u) * FIELD_LEN + o];
    let r = select(st.x, st.y, s % 2u == 1u);
    return d * grad_star[s * FIELD_LEN + o] + (r + d) * g;
}
