//! User-written WGSL expressions: their kinds, the WGSL function generated from
//! each, and their validation by naga with messages shown against the user's text.
//!
//! An expression `EXPR` of a kind with variables `v1: T1, v2: T2` becomes
//!
//! ```text
//! fn user_value(v1: T1, v2: T2) -> f32 {
//!     return f32(EXPR
//!     );
//! }
//! ```
//!
//! followed by a fixed-signature adapter that the sampling kernels call:
//! `fn user_field(p: vec2<f32>, e: f32) -> f32` (grid fields; `e` is the
//! equilibrium density, passed on only for [`ExprKind::Init`]) or
//! `fn user_pair(x: vec2<f32>, y: vec2<f32>) -> f32` (the interaction). Only the
//! kind's own variables are in scope, so `x` in a kernel expression is an error.
//! Besides them an expression sees `PI`, `L` (the domain length, a pipeline
//! constant) and the WGSL built-ins (`shaders/game/shared/prelude.wgsl`). An
//! initial density ([`ExprKind::Init`]) also sees `rand(p)`, seeded noise in
//! [0, 1) (`shaders/game/shared/rand.wgsl`, appended to its generated function
//! only).

use crate::game::diagnostic::{render, user_error};
use crate::Result;

/// The prelude every generated function is compiled with (`PI`, `L`).
pub(crate) const PRELUDE: &str = include_str!("../../shaders/game/shared/prelude.wgsl");
/// Placeholder text of the grid-field user function in the registered kernel.
pub(crate) const FIELD_PLACEHOLDER: &str =
    include_str!("../../shaders/game/shared/user_field.wgsl");
/// Placeholder text of the interaction user function in the registered kernel.
pub(crate) const PAIR_PLACEHOLDER: &str = include_str!("../../shaders/game/shared/user_pair.wgsl");
/// Placeholder text of the multiplier user function in the registered kernel.
pub(crate) const SPECTRUM_PLACEHOLDER: &str =
    include_str!("../../shaders/game/shared/user_spectrum.wgsl");
/// Placeholder text of the kernel-gradient user function in the registered kernel.
pub(crate) const GRADIENT_PLACEHOLDER: &str =
    include_str!("../../shaders/game/shared/user_gradient.wgsl");
/// `rand(p)` and its pipeline constants, appended for [`ExprKind::Init`] only.
pub(crate) const RAND: &str = include_str!("../../shaders/game/shared/rand.wgsl");

/// What a user expression describes; fixes the variables in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExprKind {
    /// Convolution kernel k(z), variable `z: vec2<f32>` (config `game.kernel`).
    Kernel,
    /// Potential a(x) of the min player, variable `x: vec2<f32>` (`game.potential_mu`).
    PotentialMu,
    /// Potential b(y) of the max player, variable `y: vec2<f32>` (`game.potential_nu`).
    PotentialNu,
    /// Interaction K(x, y), variables `x, y: vec2<f32>` (`game.interaction`).
    Interaction,
    /// Initial density, variables `x: vec2<f32>` and `eq: f32`, the equilibrium
    /// density at `x` (`init.mu`, `init.nu`). It may also call
    /// `rand(p: vec2<f32>) -> f32`: a pseudo-random value in [0, 1) at the grid
    /// point nearest `p` (so `rand(x)` is white noise on the grid), a hash of
    /// that point's integer indices and of `init.seed`, the same bit for bit on
    /// every device (see [`crate::game::init::rand_value`]). No other kind has
    /// `rand`.
    Init,
    /// Potential a(x) of a species, variable `x: vec2<f32>` (`species.potential`).
    Potential,
    /// A real multiplier M(kappa) (an even kernel), variable `kappa: vec2<f32>`
    /// (`coupling.kernel_spectrum`).
    Spectrum,
    /// A complex multiplier M(kappa) as `vec2<f32>` (re, im), variable
    /// `kappa: vec2<f32>` (`coupling.kernel_spectrum`).
    SpectrumComplex,
    /// The gradient `grad k(z)` of a convolution kernel as `vec2<f32>`,
    /// variable `z: vec2<f32>` (`kernel_gradient`, read by the all-pairs
    /// particle drift). Its generated function is `user_gradient_value`, so
    /// that it can share a module with the kernel's `user_value`.
    KernelGradient,
}

impl ExprKind {
    /// The variables in scope, as (name, WGSL type), in parameter order.
    pub fn variables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ExprKind::Kernel | ExprKind::KernelGradient => &[("z", "vec2<f32>")],
            ExprKind::PotentialMu => &[("x", "vec2<f32>")],
            ExprKind::PotentialNu => &[("y", "vec2<f32>")],
            ExprKind::Interaction => &[("x", "vec2<f32>"), ("y", "vec2<f32>")],
            ExprKind::Init => &[("x", "vec2<f32>"), ("eq", "f32")],
            ExprKind::Potential => &[("x", "vec2<f32>")],
            ExprKind::Spectrum | ExprKind::SpectrumComplex => &[("kappa", "vec2<f32>")],
        }
    }

    /// What the expression is, for messages (`the kernel k(z)`).
    pub fn describe(self) -> &'static str {
        match self {
            ExprKind::Kernel => "the kernel k(z) of the convolution term k(x - y)",
            ExprKind::PotentialMu => "the potential a(x) felt by mu",
            ExprKind::PotentialNu => "the potential b(y) felt by nu",
            ExprKind::Interaction => "the interaction K(x, y)",
            ExprKind::Init => "an initial density",
            ExprKind::Potential => "the potential a(x) of a species",
            ExprKind::Spectrum | ExprKind::SpectrumComplex => {
                "the multiplier M(kappa) of a kernel (an f32, or a vec2<f32> (re, im))"
            }
            ExprKind::KernelGradient => "the gradient grad k(z) of the kernel (a vec2<f32>)",
        }
    }

    /// An example expression of this kind, for messages.
    pub fn example(self) -> &'static str {
        match self {
            ExprKind::Kernel => "cos(z.x) + 0.5 * cos(z.y)",
            ExprKind::PotentialMu => "0.3 * sin(x.x)",
            ExprKind::PotentialNu => "0.3 * cos(y.x + y.y)",
            ExprKind::Interaction => "cos(x.x + y.x)",
            ExprKind::Init => "eq * (1.0 + 0.5 * cos(x.x))",
            ExprKind::Potential => "0.2 * cos(x.x)",
            ExprKind::Spectrum | ExprKind::SpectrumComplex => "-20.0 / dot(kappa, kappa)",
            ExprKind::KernelGradient => "vec2<f32>(-sin(z.x), 0.0)",
        }
    }

    /// One line listing what the expression may use.
    pub fn scope_note(self) -> String {
        let vars: Vec<String> = self
            .variables()
            .iter()
            .map(|(n, t)| format!("`{n}: {t}`"))
            .collect();
        let rand = if self == ExprKind::Init {
            ", `rand(x)` (seeded uniform noise in [0, 1) per grid point, from `init.seed`)"
        } else {
            ""
        };
        format!(
            "{} may use {}{rand}, the constants `PI` and `L` (domain length) and WGSL built-ins",
            self.describe(),
            vars.join(", ")
        )
    }

    /// True for the interaction, whose adapter is `user_pair`.
    fn is_pair(self) -> bool {
        self == ExprKind::Interaction
    }

    /// True for the multipliers, whose adapter is `user_spectrum`.
    fn is_spectrum(self) -> bool {
        matches!(self, ExprKind::Spectrum | ExprKind::SpectrumComplex)
    }

    /// The registered placeholder text that the generated function replaces.
    pub(crate) fn placeholder(self) -> &'static str {
        if self == ExprKind::KernelGradient {
            GRADIENT_PLACEHOLDER
        } else if self.is_pair() {
            PAIR_PLACEHOLDER
        } else if self.is_spectrum() {
            SPECTRUM_PLACEHOLDER
        } else {
            FIELD_PLACEHOLDER
        }
    }
}

/// The WGSL generated for one expression.
#[derive(Debug, Clone)]
pub struct UserFunction {
    /// `fn user_value(...)` followed by the adapter (`user_field` or `user_pair`)
    /// and, for [`ExprKind::Init`], `rand`.
    pub wgsl: String,
    /// Byte offset in `wgsl` where the user's text starts.
    pub expr_start: usize,
    /// Byte length of the user's text.
    pub expr_len: usize,
}

/// Generates `fn user_value(<kind's variables>) -> f32 { return f32(text); }` and
/// the kind's adapter, followed for [`ExprKind::Init`] by `rand` and its
/// pipeline constants. Does not check anything; see [`check_expr`].
pub fn user_function(text: &str, kind: ExprKind) -> UserFunction {
    let params: Vec<String> = kind
        .variables()
        .iter()
        .map(|(n, t)| format!("{n}: {t}"))
        .collect();
    let (ret, open, close) = match kind {
        ExprKind::Spectrum => ("vec2<f32>", "vec2<f32>(f32(", "\n    ), 0.0);"),
        ExprKind::SpectrumComplex | ExprKind::KernelGradient => {
            ("vec2<f32>", "vec2<f32>(", "\n    );")
        }
        _ => ("f32", "f32(", "\n    );"),
    };
    let name = if kind == ExprKind::KernelGradient {
        "user_gradient_value"
    } else {
        "user_value"
    };
    let head = format!(
        "fn {name}({}) -> {ret} {{\n    return {open}",
        params.join(", ")
    );
    let adapter = match kind {
        ExprKind::Spectrum | ExprKind::SpectrumComplex => {
            "fn user_spectrum(kappa: vec2<f32>) -> vec2<f32> {\n    return user_value(kappa);\n}\n"
        }
        ExprKind::Interaction => {
            "fn user_pair(x: vec2<f32>, y: vec2<f32>) -> f32 {\n    return user_value(x, y);\n}\n"
        }
        ExprKind::KernelGradient => {
            "fn user_gradient(z: vec2<f32>) -> vec2<f32> {\n    return user_gradient_value(z);\n}\n"
        }
        ExprKind::Init => {
            "fn user_field(p: vec2<f32>, e: f32) -> f32 {\n    return user_value(p, e);\n}\n"
        }
        _ => "fn user_field(p: vec2<f32>, e: f32) -> f32 {\n    return user_value(p);\n}\n",
    };
    // The newline before `)` keeps a trailing `// comment` from eating it.
    let rand = if kind == ExprKind::Init { RAND } else { "" };
    let wgsl = format!("{head}{text}{close}\n}}\n\n{adapter}\n{rand}");
    UserFunction {
        wgsl,
        expr_start: head.len(),
        expr_len: text.len(),
    }
}

/// True for the characters that end a WGSL line comment (its line breaks).
fn is_line_break(c: char) -> bool {
    matches!(c, '\u{a}'..='\u{d}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `text` with every comment byte replaced by a space (line breaks kept), so
/// byte offsets stay those of `text`; `Err(at)` when the block comment opened
/// at byte `at` is never closed. Follows WGSL (and naga's lexer): `//` runs to
/// a line break, `/* */` nests.
fn mask_comments(text: &str) -> std::result::Result<String, usize> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find(is_line_break).map_or(text.len(), |k| i + k);
            out.extend(std::iter::repeat_n(' ', end - i));
            i = end;
        } else if rest.starts_with("/*") {
            // As naga: after each `/*` or `*/`, the next character starts afresh.
            let (mut depth, mut j, mut prev) = (1, i + 2, None);
            while depth > 0 && j < bytes.len() {
                let c = bytes[j];
                match (prev, c) {
                    (Some(b'*'), b'/') => (depth, prev) = (depth - 1, None),
                    (Some(b'/'), b'*') => (depth, prev) = (depth + 1, None),
                    _ => prev = Some(c),
                }
                j += 1;
            }
            if depth > 0 {
                return Err(i);
            }
            // A character becomes as many spaces as it has bytes.
            for c in text[i..j].chars() {
                match c {
                    '\n' => out.push('\n'),
                    _ => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
                }
            }
            i = j;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    Ok(out)
}

/// True when `text` is a literal zero (`0`, `0.0`, `0.`, `-0.0`, `0f`, `0e0`,
/// optionally parenthesised): a term that the solver leaves out.
pub fn is_zero(text: &str) -> bool {
    let mut t = text.trim();
    while let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        t = inner.trim();
    }
    let t = t.strip_suffix('f').unwrap_or(t);
    !t.is_empty()
        && t.chars().all(|c| "0123456789.eE+-".contains(c))
        && t.parse::<f64>().is_ok_and(|v| v == 0.0)
}

/// Checks that `text` is one WGSL expression of `kind`: not empty (comments
/// aside), every block comment closed, no `;`, `{`, `}` outside comments (no
/// statements), and the generated function parses and validates with naga.
/// Errors are [`crate::Error::Expression`] naming `field`, with naga's message
/// drawn under the user's own text.
pub fn check_expr(field: &str, text: &str, kind: ExprKind) -> Result<()> {
    let code = match mask_comments(text) {
        Ok(code) => code,
        Err(at) => {
            // Left to naga, the comment would swallow the generated code after it.
            let message = "this comment is never closed: end it with `*/` (block comments nest)";
            return Err(user_error(
                field,
                render(text, Some(at..at + 2), message, &[]),
            ));
        }
    };
    if code.trim().is_empty() {
        return Err(user_error(
            field,
            format!(
                "the expression is empty: write {} as one WGSL expression, e.g. `{}`{}",
                kind.describe(),
                kind.example(),
                if kind == ExprKind::Init {
                    ""
                } else {
                    ", or `0.0` to leave the term out"
                }
            ),
        ));
    }
    if let Some(at) = code.find("**") {
        let message = "WGSL has no `**` power operator: write `pow(a, b)` (for a base that \
                       may be negative, an integer power as a product, e.g. `c * c`)";
        return Err(user_error(
            field,
            render(text, Some(at..at + 2), message, &[]),
        ));
    }
    if let Some(at) = code.find([';', '{', '}']) {
        let c = &text[at..at + 1];
        let message = format!(
            "`{c}` is not allowed: the value must be a single WGSL expression \
             (no statements, blocks or `;`)"
        );
        return Err(user_error(
            field,
            render(text, Some(at..at + 1), &message, &[]),
        ));
    }
    let generated = user_function(text, kind);
    let module_text = format!("{PRELUDE}\n{}", generated.wgsl);
    let start = PRELUDE.len() + 1 + generated.expr_start;
    let user = start..start + generated.expr_len;
    let scope = kind.scope_note();
    let module = naga::front::wgsl::parse_str(&module_text).map_err(|e| {
        user_error(
            field,
            crate::game::diagnostic::parse(&e, text, &user, &scope),
        )
    })?;
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    );
    validator.validate(&module).map_err(|e| {
        user_error(
            field,
            crate::game::diagnostic::validation(&e, text, &user, &scope),
        )
    })?;
    Ok(())
}
