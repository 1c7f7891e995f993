// Terms of the equilibrium gap sum_s tau_s KL(rho_s | G_s) (docs/MATHEMATICS.md
// sections 5 and 8; for the game, the Nikaido-Isoda error), G_s the Gibbs
// densities of the current potentials given as normalised logs g, reduced per
// workgroup into channel s; and of the free energy's interaction and potential
// part, sum rho_s (Phi_s + a_s) (channel S + s), with Phi_2q - i Phi_2q+1 the
// packed potentials and a_s the species' own potentials on the grid. Sums are
// multiplied by tau_s h^d (or h^d / 2) on the host. Keep in sync with
// src/metrics/stats.rs.

override FIELD_LEN: u32;
// `dens` holds deviations from the stationary state exp(eq_logs).
override PERTURBATION: bool = false;
// Measure the free energy's terms (a gradient system); `own` is unread otherwise.
override ENERGY: bool = false;

@group(0) @binding(0) var<storage, read> dens: array<vec2<f32>>;   // [PAIRS]
@group(0) @binding(1) var<storage, read> g: array<f32>;            // [S] log G_s
@group(0) @binding(2) var<storage, read_write> partials: array<vec2<f32>>; // [2 S][groups]
@group(0) @binding(3) var<storage, read> eq_logs: array<f32>;      // [S] log rho_s*
@group(0) @binding(4) var<storage, read> pot: array<vec2<f32>>;    // [PAIRS] Phi_2q - i Phi_2q+1
@group(0) @binding(5) var<storage, read> own: array<f32>;          // [S] a_s

@compute @workgroup_size(RED_WG)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let p = flat_index(group, groups, local);
    let gi = group.y * groups.x + group.x;
    let ngroups = groups.x * groups.y;
    for (var s = 0u; s < SPECIES; s++) {
        var kl = 0.0;
        var energy = 0.0;
        if p < FIELD_LEN {
            let q = (s / 2u) * FIELD_LEN + p;
            let odd = s % 2u == 1u;
            var rho = select(dens[q].x, dens[q].y, odd);
            if PERTURBATION {
                rho += exp(eq_logs[s * FIELD_LEN + p]);
            }
            kl = kl_term(rho, g[s * FIELD_LEN + p]);
            if ENERGY {
                let phi = select(pot[q].x, -pot[q].y, odd);
                energy = rho * (phi + own[s * FIELD_LEN + p]);
            }
        }
        let r = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, kl), local);
        if local == 0u {
            partials[s * ngroups + gi] = r;
        }
        let e = workgroup_reduce(OP_SUM, red_leaf(OP_SUM, energy), local);
        if local == 0u {
            partials[(SPECIES + s) * ngroups + gi] = e;
        }
    }
}
