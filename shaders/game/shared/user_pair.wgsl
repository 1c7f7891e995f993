// Placeholder for the user's interaction K(x, y). At runtime src/game/expr.rs
// replaces this text with the generated `fn user_value(x, y)` and this adapter.

fn user_pair(x: vec2<f32>, y: vec2<f32>) -> f32 {
    return 0.0;
}
