// Placeholder for the user's multiplier M(kappa) of a kernel, (re, im). At
// runtime src/game/expr.rs replaces this text with the generated
// `fn user_value(kappa)` and this adapter.

fn user_spectrum(kappa: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(0.0);
}
