//! Accurate `sin`, `cos` and `tan` in sampled user expressions.
//!
//! WGSL lets the built-in `sin` and `cos` err by 2^-11 absolute on [-pi, pi]
//! and says nothing outside it, and adapters use that freedom (Chromium's
//! software adapter errs by about 2e-4 on [0, 2 pi)). A payoff sampled with
//! them would differ from adapter to adapter by that much, and so would its
//! equilibrium and every run. The sampling kernels therefore call the
//! functions of `shaders/game/shared/trig.wgsl` (a few f32 ulps, on every
//! adapter) instead: [`accurate_trig`] renames each built-in call in the
//! user's text to the one for its argument's type, found by naga.

use naga::{Expression, MathFunction, Scalar, TypeInner, VectorSize};

use crate::game::expr::{user_function, ExprKind, PRELUDE};

/// The WGSL of `mflda_sin`, `mflda_cos`, `mflda_tan` (f32) and their
/// `vec2`, `vec3`, `vec4` forms (`mflda_sin2`, ...), appended to every
/// sampling module.
pub(crate) const TRIG: &str = include_str!("../../shaders/game/shared/trig.wgsl");

/// `text` (an expression of `kind`) with every call of the built-in `sin`,
/// `cos` or `tan` on an `f32` or a `vecN<f32>` renamed to its accurate
/// version in [`TRIG`] (`cos(z.x)` becomes `mflda_cos(z.x)`, `sin(x)` on a
/// `vec2<f32>` becomes `mflda_sin2(x)`). Calls naga folds into constants
/// are left (naga evaluates them in f64), and so is text that does not
/// compile, which [`check_expr`](crate::game::check_expr) reports.
pub fn accurate_trig(text: &str, kind: ExprKind) -> String {
    let generated = user_function(text, kind);
    let module_text = format!("{PRELUDE}\n{}", generated.wgsl);
    let start = PRELUDE.len() + 1 + generated.expr_start;
    let end = start + generated.expr_len;
    let Ok(module) = naga::front::wgsl::parse_str(&module_text) else {
        return text.to_string();
    };
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    );
    let Ok(info) = validator.validate(&module) else {
        return text.to_string();
    };
    let mut edits: Vec<(usize, &str, String)> = Vec::new();
    for (handle, function) in module.functions.iter() {
        let types = &info[handle];
        for (expr, e) in function.expressions.iter() {
            let Expression::Math { fun, arg, .. } = e else {
                continue;
            };
            let name = match fun {
                MathFunction::Sin => "sin",
                MathFunction::Cos => "cos",
                MathFunction::Tan => "tan",
                _ => continue,
            };
            let Some(range) = function.expressions.get_span(expr).to_range() else {
                continue;
            };
            if range.start < start || range.end > end {
                continue;
            }
            let suffix = match types[*arg].ty.inner_with(&module.types) {
                TypeInner::Scalar(Scalar::F32) => "",
                TypeInner::Vector {
                    size,
                    scalar: Scalar::F32,
                } => match size {
                    VectorSize::Bi => "2",
                    VectorSize::Tri => "3",
                    VectorSize::Quad => "4",
                },
                _ => continue,
            };
            let at = range.start - start;
            if text[at..].starts_with(name) {
                edits.push((at, name, format!("mflda_{name}{suffix}")));
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    edits.dedup_by_key(|e| e.0);
    let mut out = text.to_string();
    for (at, name, new) in edits {
        out.replace_range(at..at + name.len(), &new);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_renamed_by_argument_type_and_the_rest_is_kept() {
        let kernel = "cos(z.x) * cos(z.y) + 0.5 * sin(z.x + z.y)";
        assert_eq!(
            accurate_trig(kernel, ExprKind::Kernel),
            "mflda_cos(z.x) * mflda_cos(z.y) + 0.5 * mflda_sin(z.x + z.y)"
        );
        assert_eq!(
            accurate_trig(
                "dot(cos(z), vec2<f32>(1.0, 2.0)) + tan(z).y",
                ExprKind::Kernel
            ),
            "dot(mflda_cos2(z), vec2<f32>(1.0, 2.0)) + mflda_tan2(z).y"
        );
        assert_eq!(
            accurate_trig("sin(cos(x.x)) /* cos */ + exp(x.y)", ExprKind::PotentialMu),
            "mflda_sin(mflda_cos(x.x)) /* cos */ + exp(x.y)"
        );
        // Folded by naga (in f64): nothing to rename; nor in text that does
        // not compile.
        assert_eq!(
            accurate_trig("cos(1.0) * z.x", ExprKind::Kernel),
            "cos(1.0) * z.x"
        );
        assert_eq!(accurate_trig("cos(q)", ExprKind::Kernel), "cos(q)");
    }

    #[test]
    fn the_functions_compile_with_every_kind() {
        for kind in [ExprKind::Kernel, ExprKind::Interaction, ExprKind::Init] {
            let text = match kind {
                ExprKind::Interaction => "cos(x.x - y.y)",
                ExprKind::Init => "eq * (1.0 + 0.5 * sin(x.x))",
                _ => "cos(z.x)",
            };
            let g = user_function(&accurate_trig(text, kind), kind);
            let module = format!("{PRELUDE}\n{}\n{TRIG}", g.wgsl);
            let parsed = naga::front::wgsl::parse_str(&module).expect("parses");
            naga::valid::Validator::new(
                naga::valid::ValidationFlags::all(),
                naga::valid::Capabilities::default(),
            )
            .validate(&parsed)
            .expect("validates");
        }
    }
}
