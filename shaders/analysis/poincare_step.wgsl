// LOBPCG update and residual for the Poincare constant (docs/MATHEMATICS.md section 6),
// in Hartley coordinates (src/analysis/poincare.rs):
//     x <- cx x + cw w + cp p,   p <- ex x + dw w + dp p   (and H x, H p alike)
//     w <- r = H x - lambda x
// with partials of psi . r (channel 0). Fields are FIELD_LEN reals each.
// Keep in sync with src/analysis/lobpcg.rs.

override FIELD_LEN: u32;

// [lambda, cx, cw, cp, ex, dw, dp, unused], written by the host.
@group(0) @binding(0) var<storage, read> coef: array<f32, 8>;
@group(0) @binding(1) var<storage, read> fixed: array<f32>;              // [psi, q]
@group(0) @binding(2) var<storage, read_write> basis: array<f32>;        // [x, w, p]
@group(0) @binding(3) var<storage, read_write> image: array<f32>;        // [Hx, Hw, Hp]
@group(0) @binding(4) var<storage, read_write> partials: array<vec2<f32>>; // [1][groups]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(group, groups, local);
    var v = 0.0;
    if i < FIELD_LEN {
        let lambda = coef[0];
        let x = basis[i];
        let w = basis[FIELD_LEN + i];
        let p = basis[2u * FIELD_LEN + i];
        let hx = image[i];
        let hw = image[FIELD_LEN + i];
        let hp = image[2u * FIELD_LEN + i];
        let x_new = coef[1] * x + coef[2] * w + coef[3] * p;
        let hx_new = coef[1] * hx + coef[2] * hw + coef[3] * hp;
        let p_new = coef[4] * x + coef[5] * w + coef[6] * p;
        let hp_new = coef[4] * hx + coef[5] * hw + coef[6] * hp;
        let r = hx_new - lambda * x_new;
        basis[i] = x_new;
        basis[FIELD_LEN + i] = r;
        basis[2u * FIELD_LEN + i] = p_new;
        image[i] = hx_new;
        image[2u * FIELD_LEN + i] = hp_new;
        v = fixed[i] * r;
    }
    let s = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, v), local);
    if local == 0u {
        partials[group.y * groups.x + group.x] = s;
    }
}
