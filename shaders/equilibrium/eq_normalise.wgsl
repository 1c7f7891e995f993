// Normalises log-densities to unit mass, l <- l - lse(l) - log(h^d), using the
// reduced log-sum-exp pairs (max, sum) of both players.
// Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;
override LOG_CELL: f32;    // log(h^d)

@group(0) @binding(0) var<storage, read> lse: array<vec2<f32>>;       // [mu, nu]
@group(0) @binding(1) var<storage, read_write> l: array<f32>;         // [l_mu, l_nu]

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    if p >= FIELD_LEN {
        return;
    }
    let sm = lse[0];
    let sn = lse[1];
    l[p] = l[p] - (sm.x + log(sm.y) + LOG_CELL);
    l[FIELD_LEN + p] = l[FIELD_LEN + p] - (sn.x + log(sn.y) + LOG_CELL);
}
