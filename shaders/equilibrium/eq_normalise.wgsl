// Normalises log-densities to unit mass, l_s <- l_s - lse(l_s) - log(h^d), using
// the reduced log-sum-exp pairs (max, sum) of every species.
// Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;
override LOG_CELL: f32;    // log(h^d)

@group(0) @binding(0) var<storage, read> lse: array<vec2<f32>>;       // [S]
@group(0) @binding(1) var<storage, read_write> l: array<f32>;         // [S] l_s

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
    for (var s = 0u; s < SPECIES; s++) {
        let m = lse[s];
        let i = s * FIELD_LEN + p;
        l[i] = l[i] - (m.x + log(m.y) + LOG_CELL);
    }
}
