// Per-species statistics of the densities against the stationary state,
// reduced per workgroup into 8 S channels [s * 8 + c] (docs/MATHEMATICS.md
// section 5):
//     c = 0 mass  sum rho          1 min rho            2 max rho
//         3 entropy sum -rho log rho (rho > 0)
//         4 sum (rho - rho*)^2     5 max |rho - rho*|
//         6 KL terms (Bregman form, bregman.wgsl)       7 sum (rho - rho*)^2 / rho*
// Sums are multiplied by h^d on the host. Keep in sync with src/metrics/stats.rs.

override FIELD_LEN: u32;
// The source holds deviations d = rho - rho* (the perturbation form).
override PERTURBATION: bool = false;

@group(0) @binding(0) var<storage, read> dens: array<vec2<f32>>;   // [PAIRS] rho_2q + i rho_2q+1 (or deviations)
@group(0) @binding(1) var<storage, read> eq_logs: array<f32>;      // [S] log rho_s*
@group(0) @binding(2) var<storage, read_write> partials: array<vec2<f32>>; // [8 S][groups]

fn channel_op(c: u32) -> u32 {
    switch c % 8u {
        case 1u: { return OP_MIN; }
        case 2u, 5u: { return OP_MAX; }
        default: { return OP_SUM; }
    }
}

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    let inside = p < FIELD_LEN;
    for (var s = 0u; s < SPECIES; s++) {
        var d = vec2<f32>(0.0);
        var l_star = 0.0;
        if inside {
            d = dens[(s / 2u) * FIELD_LEN + p];
            l_star = eq_logs[s * FIELD_LEN + p];
        }
        let value = select(d.x, d.y, s % 2u == 1u);
        let star = exp(l_star);
        var rho = value;
        var dev = value - star;
        var kl = kl_term(rho, l_star);
        if PERTURBATION {
            rho = star + value;
            dev = value;
            kl = kl_term_dev(value, l_star);
        }
        var v = array<f32, 8>(
            rho,
            rho,
            rho,
            select(0.0, -rho * log(rho), rho > 0.0),
            dev * dev,
            abs(dev),
            kl,
            dev * dev / star,
        );
        for (var c = 0u; c < 8u; c++) {
            let op = channel_op(c);
            var leaf = red_identity(op);
            if inside {
                leaf = red_leaf(op, v[c]);
            }
            let r = workgroup_reduce(op, leaf, local);
            if local == 0u {
                partials[(s * 8u + c) * ngroups + gi] = r;
            }
        }
    }
}
