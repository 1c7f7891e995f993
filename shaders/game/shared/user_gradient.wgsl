// Placeholder for the user's gradient grad k(z) of a convolution kernel, a
// vec2<f32>. At runtime src/game/expr.rs replaces this text with the
// generated `fn user_gradient_value(z)` and this adapter.

fn user_gradient(z: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(0.0);
}
