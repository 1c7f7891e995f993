// Placeholder for the user's function of a grid-field expression (kernel k(z),
// potentials a(x) and b(y), initial densities). At runtime src/game/expr.rs
// replaces this text with the generated `fn user_value(...)` and this adapter:
// user_field(p, e) is the expression's value at the point p, where e is the
// equilibrium density at p (only initial densities can see it, as `eq`).

fn user_field(p: vec2<f32>, e: f32) -> f32 {
    return 0.0;
}
