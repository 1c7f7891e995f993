//! The TOML configuration: parsing, errors that name the key, `--set`
//! overrides, validation, resolution, hashing, and robustness to garbage input.

use mflda::config::{apply_sets, Config, Scheme, DEFAULT_TOML};
use mflda::Error;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A small valid config; tests replace one line of it.
const BASE: &str = r#"
[grid]
dim = 2
n = 64

[game]
tau = 0.2
kernel = "cos(z.x)"
interaction = "0.5 * cos(x.x - y.y)"
interaction_modes = 2

[time]
dt = 0.01
t_end = 1.0
"#;

fn sets(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The field and message of an `Error::Config`, or a panic describing what
/// came back instead.
fn config_err(result: mflda::Result<Config>) -> (String, String) {
    match result {
        Err(Error::Config { field, message }) => (field, message),
        Err(other) => panic!("expected Error::Config, got {other:?}"),
        Ok(c) => panic!("expected an error, got {c:?}"),
    }
}

#[test]
fn base_parses_with_defaults() {
    let c = Config::from_toml_str(BASE, "base.toml").unwrap();
    assert_eq!(c.grid.n, 64);
    assert_eq!(c.grid.length, std::f64::consts::TAU);
    assert_eq!(c.game.as_ref().unwrap().eta, 1.0);
    assert_eq!(c.game.as_ref().unwrap().potential_mu, "0.0");
    assert_eq!(c.init.mu, "eq");
    assert_eq!(c.init.seed, 0);
    assert_eq!(c.time.scheme, Scheme::Etdrk4);
    assert!(!c.time.dealias);
    assert_eq!(c.equilibrium.tol, 1e-6);
    assert_eq!(c.equilibrium.max_iter, 100_000);
    assert_eq!(c.equilibrium.step, None);
    assert_eq!(c.output.metrics_every, None);
}

/// Each case: text to replace in BASE (or append), the expected field, and a
/// fragment the message must contain.
#[test]
fn bad_configs_name_field_and_value() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "n = 64",
            "n = 100",
            "grid.n",
            "100 is not a power of two; use e.g. 64 or 128",
        ),
        ("n = 64", "n = 16384", "grid.n", "at most 8192"),
        ("n = 64", "n = 1", "grid.n", "at least 2"),
        (
            "n = 64",
            "n = \"abc\"",
            "grid.n",
            "expected an integer, found a string \"abc\"",
        ),
        ("n = 64", "n = -4", "grid.n", "found -4"),
        ("n = 64", "", "grid.n", "missing required key `grid.n`"),
        ("dim = 2", "dim = 3", "grid.dim", "must be 1 or 2 (got 3)"),
        (
            "tau = 0.2",
            "tau = -0.1",
            "game.tau",
            "must be > 0 and finite (got -0.1)",
        ),
        ("tau = 0.2", "tau = nan", "game.tau", "(got NaN)"),
        ("tau = 0.2", "tau = inf", "game.tau", "(got inf)"),
        (
            "tau = 0.2",
            "tua = 0.2",
            "game.tua",
            "unknown key `game.tua`; did you mean `game.tau`?",
        ),
        (
            "tau = 0.2",
            "tau = true",
            "game.tau",
            "expected a number, found a boolean true",
        ),
        ("[grid]", "[gird]", "gird", "did you mean `grid`?"),
        (
            "[grid]",
            "tau = 0.2\n[grid]",
            "tau",
            "did you mean `game.tau`?",
        ),
        (
            "interaction_modes = 2",
            "interaction_modes = 17",
            "game.interaction_modes",
            "at most 16",
        ),
        (
            "n = 64",
            "n = 4",
            "game.interaction_modes",
            "grid.n / 2 = 2",
        ),
        (
            "kernel = \"cos(z.x)\"",
            "kernel = \"  \"",
            "game.kernel",
            "is empty",
        ),
        (
            "kernel = \"cos(z.x)\"",
            "kernel = 1.0",
            "game.kernel",
            "expected a string",
        ),
        (
            "dt = 0.01",
            "dt = 0.0",
            "time.dt",
            "must be > 0 and finite (got 0)",
        ),
        ("dt = 0.01", "dt = 2.0", "time.dt", "must be <= time.t_end"),
        (
            "dt = 0.01",
            "dt = \"fast\"",
            "time.dt",
            "expected a number or \"auto\"",
        ),
        ("n = 64", "n = 64.0", "grid.n", "write it as 64"),
        ("t_end = 1.0", "t_end = -inf", "time.t_end", "(got -inf)"),
        (
            "dt = 0.01",
            "dt = 0.01\nscheme = \"etdrk3\"",
            "time.scheme",
            "did you mean \"etdrk2\" or \"etdrk4\"?",
        ),
        (
            "dt = 0.01",
            "dt = 0.01\ndealias = 1",
            "time.dealias",
            "expected `true` or `false`",
        ),
        (
            "[time]",
            "[equilibrium]\ntol = 0.0\n[time]",
            "equilibrium.tol",
            "(got 0)",
        ),
        (
            "[time]",
            "[equilibrium]\nmax_iter = 0\n[time]",
            "equilibrium.max_iter",
            "(got 0)",
        ),
        (
            "[time]",
            "[equilibrium]\nstep = -1\n[time]",
            "equilibrium.step",
            "(got -1)",
        ),
        (
            "[time]",
            "[output]\nmetrics_every = 0.001\n[time]",
            "output.metrics_every",
            "0.001",
        ),
        (
            "[time]",
            "[output]\nsnapshots_every = -1.0\n[time]",
            "output.snapshots_every",
            "(got -1)",
        ),
        (
            "[time]",
            "[output]\nframes_every = nan\n[time]",
            "output.frames_every",
            "NaN",
        ),
        (
            "[time]",
            "[output]\nmetrics_evry = 0.1\n[time]",
            "output.metrics_evry",
            "`output.metrics_every`",
        ),
        (
            "[time]",
            "[init]\nseed = -1\n[time]",
            "init.seed",
            "non-negative",
        ),
        ("[time]", "[init]\nmu = \"\"\n[time]", "init.mu", "is empty"),
        ("[grid]", "init = 3\n[grid]", "init", "expected a table"),
        (
            "[time]",
            "init = 3\n[time]",
            "game.init",
            "`[init]` is a table",
        ),
    ];
    for (from, to, field, fragment) in cases {
        assert!(BASE.contains(from), "BASE lacks {from:?}");
        let text = BASE.replacen(from, to, 1);
        let (f, m) = config_err(Config::from_toml_str(&text, "case.toml"));
        assert_eq!(&f, field, "case {to:?}: message {m:?}");
        assert!(
            m.contains(fragment),
            "case {to:?}: {m:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn missing_table_is_named() {
    let start = BASE.find("[game]").unwrap();
    let end = BASE[start..]
        .find("\n[")
        .map_or(BASE.len(), |e| start + e + 1);
    let text = format!("{}{}", &BASE[..start], &BASE[end..]);
    let (field, message) = config_err(Config::from_toml_str(&text, "x.toml"));
    assert_eq!(field, "game");
    assert!(message.contains("tau = 0.2"), "{message}");
}

/// `[time]` may be left out (equilibrium and analyze need none): the step
/// is then automatic and t_end the documented 20; `dt = "auto"` is the same.
#[test]
fn the_time_table_and_the_step_are_optional() {
    let text = BASE.replace("[time]\ndt = 0.01\nt_end = 1.0\n", "");
    let c = Config::from_toml_str(&text, "x.toml").unwrap();
    assert_eq!((c.time.dt, c.time.t_end), (None, 20.0));
    let auto =
        Config::from_toml_str(&BASE.replace("dt = 0.01", "dt = \"auto\""), "x.toml").unwrap();
    assert_eq!(auto.time.dt, None);
    assert!(!auto.to_toml_string().contains("dt ="));
    let set = Config::from_toml_str_with_sets(BASE, "x.toml", &["time.dt=auto".into()]).unwrap();
    assert_eq!(set.time.dt, None);
    assert!(set.time.step().is_nan());
}

#[test]
fn malformed_toml_reports_line_and_origin() {
    let text = BASE.replace("tau = 0.2", "tau = = 0.2");
    let (field, message) = config_err(Config::from_toml_str(&text, "my_run.toml"));
    assert_eq!(field, "my_run.toml");
    assert!(message.contains("my_run.toml"), "{message}");
    assert!(message.contains("line 7"), "{message}");
}

#[test]
fn interaction_modes_unchecked_when_interaction_is_zero() {
    let text = BASE
        .replace("n = 64", "n = 4")
        .replace("interaction = \"0.5 * cos(x.x - y.y)\"", "");
    let c = Config::from_toml_str(&text, "x.toml").unwrap();
    assert_eq!(c.game.as_ref().unwrap().interaction_modes, 2);
}

#[test]
fn integers_coerce_to_floats() {
    let text = BASE
        .replace("tau = 0.2", "tau = 1")
        .replace("t_end = 1.0", "t_end = 3");
    let c = Config::from_toml_str(&text, "x.toml").unwrap();
    assert_eq!(c.game.as_ref().unwrap().tau, 1.0);
    assert_eq!(c.time.t_end, 3.0);
}

#[test]
fn set_overrides() {
    let c = Config::from_toml_str_with_sets(
        BASE,
        "x.toml",
        &sets(&[
            "game.tau=0.05",
            "game.eta=2",
            "init.mu=eq*2.0",
            "init.nu=\"eq\"",
            "time.dealias=true",
            "time.scheme=etdrk2",
            "grid.n=128",
            "game.kernel=0",
            "output.metrics_every = 0.5",
            "equilibrium.step=0.25",
        ]),
    )
    .unwrap();
    assert_eq!(c.game.as_ref().unwrap().tau, 0.05);
    assert_eq!(c.game.as_ref().unwrap().eta, 2.0);
    assert_eq!(c.init.mu, "eq*2.0");
    assert_eq!(c.init.nu, "eq");
    assert!(c.time.dealias);
    assert_eq!(c.time.scheme, Scheme::Etdrk2);
    assert_eq!(c.grid.n, 128);
    assert_eq!(c.game.as_ref().unwrap().kernel, "0");
    assert_eq!(c.output.metrics_every, Some(0.5));
    assert_eq!(c.equilibrium.step, Some(0.25));
}

#[test]
fn set_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("game.tua=1", "game.tua", "did you mean `game.tau`?"),
        ("gmae.tau=1", "gmae.tau", "did you mean `game.tau`?"),
        ("tau=1", "tau", "did you mean `game.tau`?"),
        (
            "game.tau",
            "game.tau",
            "the form is `--set table.key=value`",
        ),
        ("grid=3", "grid", "is a table"),
        ("=3", "--set", "has no key"),
        ("game.=3", "game.", "unknown key `game.`"),
        ("game.tau.x=1", "game.tau.x", "has no sub-keys"),
        (
            "grid.n=abc",
            "grid.n",
            "expected an integer, found a string \"abc\"",
        ),
        ("game.tau=-1", "game.tau", "(got -1)"),
    ];
    for (set, field, fragment) in cases {
        let (f, m) = config_err(Config::from_toml_str_with_sets(
            BASE,
            "x.toml",
            &sets(&[set]),
        ));
        assert_eq!(&f, field, "set {set:?}: {m}");
        assert!(
            m.contains(fragment),
            "set {set:?}: {m:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn apply_sets_creates_missing_tables() {
    let mut table: toml::Table = BASE.parse().unwrap();
    apply_sets(&mut table, &sets(&["output.snapshots_every=0"])).unwrap();
    assert_eq!(table["output"]["snapshots_every"].as_integer(), Some(0));
}

#[test]
fn embedded_default_parses_and_validates() {
    let c = Config::from_toml_str(DEFAULT_TOML, "assets/default.toml").unwrap();
    c.validate().unwrap();
    assert_eq!(c, Config::embedded_default());
    assert_eq!((c.grid.dim, c.grid.n), (2, 256));
    assert_ne!(c.game.as_ref().unwrap().kernel, "0.0");
    assert_ne!(c.game.as_ref().unwrap().potential_mu, "0.0");
    assert_ne!(c.game.as_ref().unwrap().potential_nu, "0.0");
    assert_ne!(c.game.as_ref().unwrap().interaction, "0.0");
    let on_disk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/default.toml"))
            .unwrap();
    assert_eq!(on_disk, DEFAULT_TOML);
}

#[test]
fn resolved_fills_options_and_round_trips() {
    let text = BASE.replace("t_end = 1.0", "t_end = 10.0");
    let c = Config::from_toml_str(&text, "x.toml").unwrap();
    let r = c.resolved();
    assert_eq!(r.output.metrics_every, Some(10.0 / 200.0));
    assert_eq!(r.output.snapshots_every, Some(1.0));
    assert_eq!(r.output.frames_every, Some(0.0));
    // The automatic extragradient step depends on the payoff: left to the solver.
    assert_eq!(r.equilibrium.step, None);
    let text = r.to_toml_string();
    let back = Config::from_toml_str(&text, "resolved.toml").unwrap();
    assert_eq!(back, r);
    assert_eq!(back.resolved(), r);

    // metrics_every never defaults below dt.
    let coarse = Config::from_toml_str(&BASE.replace("dt = 0.01", "dt = 0.1"), "x.toml").unwrap();
    assert_eq!(coarse.resolved().output.metrics_every, Some(0.1));

    let d = Config::embedded_default().resolved();
    assert_eq!(
        Config::from_toml_str(&d.to_toml_string(), "d.toml").unwrap(),
        d
    );
}

#[test]
fn hash_is_stable_and_sensitive() {
    let a = Config::from_toml_str(BASE, "x.toml").unwrap();
    let b = Config::from_toml_str(BASE, "y.toml").unwrap();
    assert_eq!(a.hash(), b.hash());
    // An omitted option and its resolved value are the same run.
    assert_eq!(a.hash(), a.resolved().hash());
    let mut c = a.clone();
    c.game.as_mut().unwrap().tau = 0.2000001;
    assert_ne!(a.hash(), c.hash());
    let mut d = a.clone();
    d.init.mu = "eq * 2.0".to_string();
    assert_ne!(a.hash(), d.hash());
    // The end time is left out (a run may be extended past it), once the
    // output schedules it sets by default are resolved.
    let resolved = a.resolved();
    let mut e = resolved.clone();
    e.time.t_end *= 2.0;
    assert_eq!(resolved.hash(), e.hash());
    let mut f = a.clone();
    f.time.t_end *= 2.0;
    assert_ne!(a.hash(), f.hash(), "the default schedules follow t_end");
    // Pinned value: changes only if the resolved TOML text changes.
    let mut pinned = a.resolved();
    pinned.time.t_end = 0.0;
    assert_eq!(
        a.hash(),
        mflda::config::fnv1a64(pinned.to_toml_string().as_bytes())
    );
}

#[test]
fn fuzzed_input_never_panics() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6d666c6461);
    for _ in 0..2000 {
        let len = rng.random_range(0..200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let _ = Config::from_toml_str(&String::from_utf8_lossy(&bytes), "fuzz.toml");
    }
    let alphabet: Vec<char> = "[]=\".#\n 0123456789-+eE_abcdefgnxyz{}',\\"
        .chars()
        .collect();
    let base: Vec<char> = DEFAULT_TOML.chars().collect();
    let mut ok = 0;
    for _ in 0..2000 {
        let mut text = base.clone();
        let i = rng.random_range(0..text.len());
        match rng.random_range(0..3) {
            0 => text[i] = alphabet[rng.random_range(0..alphabet.len())],
            1 => {
                text.remove(i);
            }
            _ => text.insert(i, alphabet[rng.random_range(0..alphabet.len())]),
        }
        let s: String = text.into_iter().collect();
        if Config::from_toml_str(&s, "mutant.toml").is_ok() {
            ok += 1;
        }
    }
    // Many mutations land in comments or expressions and still parse.
    assert!(ok > 100, "only {ok} mutants parsed");
}
