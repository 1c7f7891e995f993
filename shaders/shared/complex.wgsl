// Complex numbers as vec2<f32> (re, im).

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

fn cconj(a: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x, -a.y);
}

// Multiplies by -i (forward sign) or +i (inverse sign).
fn mul_mi(a: vec2<f32>, inverse: bool) -> vec2<f32> {
    if inverse {
        return vec2<f32>(-a.y, a.x);
    }
    return vec2<f32>(a.y, -a.x);
}
