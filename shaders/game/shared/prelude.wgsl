// Names every user expression may use besides its variables and the WGSL
// built-ins (src/game/expr.rs): PI, and L, the domain length, set per problem
// as a pipeline constant.

const PI: f32 = 3.14159265358979323846;
override L: f32;
