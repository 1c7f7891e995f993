// Terms of the Nikaido-Isoda error NI = tau [KL(mu | G_mu) + KL(nu | G_nu)]
// (docs/MATHEMATICS.md section 5), G the Gibbs densities of the current potentials given as
// normalised logs g; reduced per workgroup into channels 0 (mu) and 1 (nu).
// Sums are multiplied by tau h^d on the host. Keep in sync with src/metrics/stats.rs.

override FIELD_LEN: u32;
// `dens` holds deviations from the equilibrium exp(eq_logs).
override PERTURBATION: bool = false;

@group(0) @binding(0) var<storage, read> dens: array<vec2<f32>>;   // mu + i nu
@group(0) @binding(1) var<storage, read> g: array<f32>;            // [log G_mu, log G_nu]
@group(0) @binding(2) var<storage, read_write> partials: array<vec2<f32>>; // [2][groups]
@group(0) @binding(3) var<storage, read> eq_logs: array<f32>;      // [log mu*, log nu*]

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    var t = vec2<f32>(0.0);
    if p < FIELD_LEN {
        var d = dens[p];
        if PERTURBATION {
            d += vec2<f32>(exp(eq_logs[p]), exp(eq_logs[FIELD_LEN + p]));
        }
        t = vec2<f32>(kl_term(d.x, g[p]), kl_term(d.y, g[FIELD_LEN + p]));
    }
    let rm = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, t.x), local);
    let rn = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, t.y), local);
    if local == 0u {
        partials[gi] = rm;
        partials[ngroups + gi] = rn;
    }
}
