// sin, cos and tan to a few f32 ulps for arguments up to |x| ~ 1e4, for
// the sampled user expressions (src/game/trig.rs rewrites their calls to
// these): WGSL lets the built-ins err by 2^-11 absolute, and some adapters
// do (Chromium's software adapter by about 2e-4 on [0, 2 pi)), which would
// make the sampled payoff, and all that follows from it, depend on the
// adapter. The f64 reference is f64::sin_cos (tests/game.rs).

// (sin x, cos x): x = k pi/2 + r with |r| <= pi/4, pi/2 in three parts
// (Cody and Waite), 201 / 2^7 + 2029 / 2^22 + C3, then the minimax
// polynomials of Cephes' sinf and cosf on [-pi/4, pi/4], rotated to the
// quadrant k mod 4. k times the first two parts is formed in integers, so
// both products are exact (for |k| < 8268, |x| < 1.3e4) and no compiler can
// merge the three steps into one rounded k pi/2 (floating-point
// reassociation, which Mesa's shader compiler applies, would).
fn mflda_sincos(x: f32) -> vec2<f32> {
    let ki = i32(round(x * 0.63661977236758134308));
    var r = x - f32(ki * 201) * 0.0078125;
    r = r - f32(ki * 2029) * 2.384185791015625e-7;
    r = r - f32(ki) * 7.54978995489188216e-8;
    let z = r * r;
    let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
    let c = 1.0 - 0.5 * z
        + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
    let q = ki & 3;
    if (q == 0) {
        return vec2<f32>(s, c);
    }
    if (q == 1) {
        return vec2<f32>(c, -s);
    }
    if (q == 2) {
        return vec2<f32>(-s, -c);
    }
    return vec2<f32>(-c, s);
}

fn mflda_sin(x: f32) -> f32 {
    return mflda_sincos(x).x;
}

fn mflda_cos(x: f32) -> f32 {
    return mflda_sincos(x).y;
}

fn mflda_tan(x: f32) -> f32 {
    let v = mflda_sincos(x);
    return v.x / v.y;
}

fn mflda_sin2(x: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(mflda_sin(x.x), mflda_sin(x.y));
}

fn mflda_cos2(x: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(mflda_cos(x.x), mflda_cos(x.y));
}

fn mflda_tan2(x: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(mflda_tan(x.x), mflda_tan(x.y));
}

fn mflda_sin3(x: vec3<f32>) -> vec3<f32> {
    return vec3<f32>(mflda_sin(x.x), mflda_sin(x.y), mflda_sin(x.z));
}

fn mflda_cos3(x: vec3<f32>) -> vec3<f32> {
    return vec3<f32>(mflda_cos(x.x), mflda_cos(x.y), mflda_cos(x.z));
}

fn mflda_tan3(x: vec3<f32>) -> vec3<f32> {
    return vec3<f32>(mflda_tan(x.x), mflda_tan(x.y), mflda_tan(x.z));
}

fn mflda_sin4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(mflda_sin(x.x), mflda_sin(x.y), mflda_sin(x.z), mflda_sin(x.w));
}

fn mflda_cos4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(mflda_cos(x.x), mflda_cos(x.y), mflda_cos(x.z), mflda_cos(x.w));
}

fn mflda_tan4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(mflda_tan(x.x), mflda_tan(x.y), mflda_tan(x.z), mflda_tan(x.w));
}
