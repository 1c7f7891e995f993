// Densities packed two at a time, exp(l_2q) + i exp(l_2q+1) (0 for the missing
// partner of an odd S), from log-densities, for the FFT of the potential
// evaluation. Keep in sync with src/equilibrium/solver.rs.

override FIELD_LEN: u32;

@group(0) @binding(0) var<storage, read> l: array<f32>;               // [S] l_s
@group(0) @binding(1) var<storage, read_write> dens: array<vec2<f32>>; // [PAIRS]

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
    for (var q = 0u; q < PAIRS; q++) {
        var b = 0.0;
        if 2u * q + 1u < SPECIES {
            b = exp(l[(2u * q + 1u) * FIELD_LEN + p]);
        }
        dens[q * FIELD_LEN + p] = vec2<f32>(exp(l[2u * q * FIELD_LEN + p]), b);
    }
}
