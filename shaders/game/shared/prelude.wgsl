// Names every user expression may use besides its variables and the WGSL
// built-ins (src/game/expr.rs): PI, and L, the domain length, set per problem
// as a pipeline constant.
//
// Initial densities (init.mu, init.nu) may also call
//     rand(p: vec2<f32>) -> f32
// a pseudo-random value in [0, 1) at the grid point nearest p, seeded by
// init.seed and bit-identical on every device; e.g. `eq * (0.9 + 0.2 * rand(x))`.
// It is defined in rand.wgsl, which only the initial-density kind includes, so
// payoff terms (kernel, potentials, interaction) cannot call it.

const PI: f32 = 3.14159265358979323846;
override L: f32;
