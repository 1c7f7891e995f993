//! Fuzzing `check_expr`: random bytes and random mutations of valid expressions,
//! each checked as every expression kind, never panic; every error is an
//! `Error::Expression` whose message names the field and shows none of the
//! generated wrapper. CPU only (naga).

use std::panic::{catch_unwind, AssertUnwindSafe};

use mflda::game::{check_expr, ExprKind};
use mflda::Error;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const KINDS: [(ExprKind, &str); 9] = [
    (ExprKind::Kernel, "game.kernel"),
    (ExprKind::PotentialMu, "game.potential_mu"),
    (ExprKind::PotentialNu, "game.potential_nu"),
    (ExprKind::Interaction, "game.interaction"),
    (ExprKind::Init, "init.mu"),
    (ExprKind::Potential, "species[0].potential"),
    (ExprKind::Spectrum, "coupling[0].kernel_spectrum"),
    (ExprKind::SpectrumComplex, "coupling[1].kernel_spectrum"),
    (ExprKind::KernelGradient, "game.kernel_gradient"),
];

/// Valid expressions of each kind, the seeds of the mutations.
fn valid(kind: ExprKind) -> &'static [&'static str] {
    match kind {
        ExprKind::Kernel => &[
            "cos(z.x) + 0.5 * cos(z.y)",
            "exp(-dot(z, z) / (2.0 * 0.1)) // a Gaussian",
            "select(0.0, 1.0, length(z - vec2<f32>(PI, PI)) < L / 4.0)",
        ],
        ExprKind::PotentialMu => &["0.3 * sin(x.x)", "f32(x.x > PI) * pow(x.y, 2.0)"],
        ExprKind::PotentialNu => &["0.3 * cos(y.x + y.y)", "max(sin(y.x), 0.0)\n  - 0.1"],
        ExprKind::Interaction => &[
            "cos(x.x + y.x)",
            "cos(x.x - y.y) + 0.5 * sin(x.y) /* band-limited */",
        ],
        ExprKind::Potential => &["0.2 * cos(x.x)", "-0.5 * cos(x.x - x.y)"],
        ExprKind::Spectrum => &[
            "-20.0 / dot(kappa, kappa)",
            "exp(-0.5 * dot(kappa, kappa)) // a Gaussian kernel",
        ],
        ExprKind::SpectrumComplex => &["vec2<f32>(cos(kappa.x), -sin(kappa.x))"],
        ExprKind::KernelGradient => &[
            "vec2<f32>(-sin(z.x), 0.0)",
            "-z * exp(-dot(z, z)) // a Gaussian's",
        ],
        ExprKind::Init => &[
            "eq * (1.0 + 0.5 * cos(x.x))",
            "1.0 + 0.5 * cos(x.x)",
            "eq * (0.9 + 0.2 * rand(x))",
            "exp(-4.0 * dot(x - vec2<f32>(PI), x - vec2<f32>(PI)))",
        ],
    }
}

/// What a mutation may splice in.
const TOKENS: [&str; 16] = [
    "(",
    ")",
    "vec2<f32>(",
    ".x",
    "*",
    "1e40",
    ";",
    "}",
    "//",
    "\"",
    "\n",
    ",",
    "rand(x)",
    "eq",
    "/*",
    "\u{e9}",
];

/// Calls `check_expr` and checks the outcome: `Ok(true)` when the text passed,
/// `Ok(false)` for a proper error, `Err` describing anything wrong (a panic, an
/// error of another kind, a message that does not name the field or that shows
/// the generated wrapper).
fn probe(field: &str, text: &str, kind: ExprKind) -> Result<bool, String> {
    let result = catch_unwind(AssertUnwindSafe(|| check_expr(field, text, kind)))
        .map_err(|_| format!("check_expr panicked on {kind:?} {text:?}"))?;
    let e = match result {
        Ok(()) => return Ok(true),
        Err(e @ Error::Expression { .. }) => e,
        Err(other) => {
            return Err(format!(
                "{kind:?} {text:?}: not an expression error: {other:?}"
            ))
        }
    };
    let shown = e.to_string();
    if !shown.contains(&format!("`{field}`")) {
        return Err(format!(
            "{kind:?} {text:?}: the message does not name `{field}`:\n{shown}"
        ));
    }
    let Error::Expression { field: f, message } = e else {
        unreachable!()
    };
    if f != field || message.trim().is_empty() {
        return Err(format!(
            "{kind:?} {text:?}: field `{f}`, message {message:?}"
        ));
    }
    for generated in [
        "user_value",
        "user_field",
        "user_pair",
        "user_gradient",
        "mflda_rand_pcg",
        "RAND_",
    ] {
        if message.contains(generated) && !text.contains(generated) {
            return Err(format!(
                "{kind:?} {text:?}: the generated wrapper shows in the message:\n{message}"
            ));
        }
    }
    Ok(false)
}

/// Probes every kind with every text; panics listing all problems found.
/// Returns how many checks passed and how many were errors.
fn probe_all(texts: &[String]) -> (usize, usize) {
    let (mut ok, mut err) = (0, 0);
    let mut problems = Vec::new();
    for text in texts {
        for (kind, field) in KINDS {
            match probe(field, text, kind) {
                Ok(true) => ok += 1,
                Ok(false) => err += 1,
                Err(p) => problems.push(p),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems, the first ones:\n\n{}",
        problems.len(),
        problems[..problems.len().min(8)].join("\n\n")
    );
    (ok, err)
}

/// A random string of up to 40 bytes, read as lossy UTF-8.
fn random_bytes(rng: &mut ChaCha8Rng) -> String {
    let len = rng.random_range(0..40);
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            // Half of the bytes printable ASCII, so that some inputs get past the lexer.
            if rng.random_bool(0.5) {
                rng.random_range(0x20..0x7f)
            } else {
                rng.random()
            }
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A char boundary of `text` chosen at random (0 and `len` included).
fn boundary(rng: &mut ChaCha8Rng, text: &str) -> usize {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    bounds[rng.random_range(0..bounds.len())]
}

/// `text` with one to three random edits: insert, delete or replace a character,
/// or splice in a token.
fn mutate(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..rng.random_range(1..=3) {
        let at = boundary(rng, &s);
        let next = s[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let piece = if rng.random_bool(0.5) {
            TOKENS[rng.random_range(0..TOKENS.len())].to_string()
        } else {
            let c = char::from(rng.random_range(0x20u8..0x7f));
            c.to_string()
        };
        match rng.random_range(0..3) {
            0 => s.insert_str(at, &piece),
            1 => s.replace_range(at..next, ""),
            _ => s.replace_range(at..next, &piece),
        }
    }
    s
}

#[test]
fn the_seed_expressions_are_valid() {
    for (kind, field) in KINDS {
        for text in valid(kind) {
            assert_eq!(probe(field, text, kind), Ok(true), "{kind:?} {text:?}");
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6578_7072);
    let texts: Vec<String> = (0..3000).map(|_| random_bytes(&mut rng)).collect();
    let (ok, _) = probe_all(&texts);
    // Nearly all random strings are errors; the point is that none panicked.
    assert!(ok < 1500, "{ok} of 15000 checks of random strings passed");
}

#[test]
fn mutated_expressions_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6d75_7461);
    let texts: Vec<String> = (0..3000)
        .map(|i| {
            let seeds = valid(KINDS[i % KINDS.len()].0);
            let base = seeds[rng.random_range(0..seeds.len())];
            mutate(&mut rng, base)
        })
        .collect();
    // Every kind sees every mutation: another kind's variables must fail cleanly.
    let (ok, err) = probe_all(&texts);
    // Both outcomes occur, so the mutations explore both sides of validity.
    assert!(ok > 200 && err > 5000, "{ok} passed, {err} failed");
}

#[test]
fn pathological_inputs_are_errors() {
    let deep = format!("{}1.0{}", "(".repeat(200), ")".repeat(200));
    let unbalanced = "(".repeat(500);
    let long = "z.x + ".repeat(2000) + "1.0";
    let cases = [
        "\0",
        "\u{feff}1.0",
        "1.0 /* never closed",
        "1.0 /* /* nested */ still open",
        "\"1.0\"",
        "1e40",
        "0x",
        "vec2<f32>(",
        "z.x // comment eats )",
        "\r\n\t",
        "\u{fffd}\u{fffd}",
        deep.as_str(),
        unbalanced.as_str(),
        long.as_str(),
    ];
    let texts: Vec<String> = cases.iter().map(|s| s.to_string()).collect();
    probe_all(&texts);
}
