// The flux of species s at grid point o of the absolute form:
//     F_s = rho_s grad Phi_s   (g = grad Phi_s packed x + i y, rho = rho_s).
// Replaced by flux_term_pert.wgsl in the perturbation form. Used by
// shaders/dynamics/rhs_flux_pass.wgsl.

fn flux_term(s: u32, o: u32, g: vec2<f32>, rho: f32) -> vec2<f32> {
    return rho * g;
}
