//! The species form of the config (`[[species]]`, `[[coupling]]`) and
//! kernel multipliers: their errors, `--set` on species, and the library
//! against exact answers (docs/MATHEMATICS.md section 8): the
//! Keller-Segel-type instability of a kernel given by its multiplier, a
//! game's kernel given by its multiplier, and a three-player game's
//! trajectory against the f64 reference. Runs through the binary are in
//! `tests/species_runs.rs`.

mod common;

use common::ctx;
use mflda::config::Config;
use mflda::dynamics::Stepper;
use mflda::system::cpu::CpuSystem;
use mflda::{Error, Problem};
use num_complex::Complex64 as C64;

const TWO_PI: f64 = std::f64::consts::TAU;

fn load(text: &str) -> mflda::Result<Config> {
    Config::from_toml_str(text, "test.toml")
}

/// The config error's key and message.
fn config_error(text: &str) -> (String, String) {
    match load(text) {
        Err(Error::Config { field, message }) => (field, message),
        Err(e) => panic!("expected a config error, got {e}"),
        Ok(_) => panic!("expected a config error for\n{text}"),
    }
}

const GRID: &str = "[grid]\ndim = 1\nn = 64\n";

#[test]
fn bad_species_configs_name_the_key_and_the_fix() {
    let two = format!(
        "{GRID}[[species]]\nname = \"a\"\ntau = 0.3\n[[species]]\nname = \"b\"\ntau = 0.3\n"
    );
    let cases: Vec<(String, &str, &[&str])> = vec![
        (
            format!("{GRID}[game]\ntau = 0.2\n[[species]]\nname = \"a\"\ntau = 0.3\n"),
            "species",
            &["exclusive", "remove one"],
        ),
        (GRID.to_string(), "game", &["missing the system", "[[species]]"]),
        (
            format!("{GRID}[[species]]\nname = \"a\"\ntau = 0.3\n[[species]]\nname = \"a\"\ntau = 0.2\n"),
            "species[1].name",
            &["`a`", "unique"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"my rho\"\ntau = 0.3\n"),
            "species[0].name",
            &["not a usable species name", "letters, digits"],
        ),
        (
            format!("{two}[[coupling]]\ntarget = \"a\"\nsource = \"c\"\nkernel = \"cos(z.x)\"\n"),
            "coupling[0].source",
            &["unknown species `c`", "`a`, `b`"],
        ),
        (
            format!("{two}[[coupling]]\ntarget = \"a\"\nsource = \"b\"\n"),
            "coupling[0]",
            &["exactly one of", "0 given"],
        ),
        (
            format!(
                "{two}[[coupling]]\ntarget = \"a\"\nsource = \"b\"\nkernel = \"cos(z.x)\"\n\
                 interaction = \"cos(x.x + y.x)\"\n"
            ),
            "coupling[0]",
            &["exactly one of", "own [[coupling]]"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"gap\"\ntau = 0.3\n"),
            "species[0].name",
            &["names a metrics column", "choose another"],
        ),
        (
            format!(
                "{two}[[coupling]]\ntarget = \"a\"\nsource = \"b\"\n\
                 interaction = \"cos(x.x + y.x)\"\ninteraction_modes = 0\n"
            ),
            "coupling[0].interaction_modes",
            &["at least 1"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"a\"\ntau = -1.0\n"),
            "species[0].tau",
            &["> 0"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"a\"\ntau = 0.3\nrate = 0.0\n"),
            "species[0].rate",
            &["> 0"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"a\"\n"),
            "species[0].tau",
            &["missing required key", "[[species]]"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"a\"\ntau = 0.3\ntemperature = 1.0\n"),
            "species[0].temperature",
            &["unknown key"],
        ),
        (
            format!("{GRID}[[species]]\nname = \"a\"\ntau = 0.3\n[init]\nmu = \"1.0\"\n"),
            "init.mu",
            &["the game's", "init"],
        ),
        (
            format!("{GRID}[game]\ntau = 0.2\n[[coupling]]\ntarget = \"mu\"\nsource = \"nu\"\nkernel = \"0.0\"\n"),
            "coupling",
            &["species system"],
        ),
    ];
    for (text, key, musts) in cases {
        let (got_key, message) = config_error(&text);
        assert_eq!(got_key, key, "{message}\n---\n{text}");
        for m in musts {
            assert!(message.contains(m), "`{m}` not in: {message}\n---\n{text}");
        }
    }
}

#[test]
fn a_kernel_spectrum_that_does_not_compile_or_is_not_finite_is_refused() {
    let base = format!("{GRID}[[species]]\nname = \"a\"\ntau = 0.3\n[[coupling]]\ntarget = \"a\"\nsource = \"a\"\n");
    // Not an expression in kappa.
    match load(&format!("{base}kernel_spectrum = \"1.0 / dot(z, z)\"\n")) {
        Err(Error::Expression { field, message }) => {
            assert_eq!(field, "coupling[0].kernel_spectrum");
            assert!(message.contains('z'), "{message}");
        }
        other => panic!("expected an expression error, got {other:?}"),
    }
    // A complex multiplier is accepted, and a real one.
    load(&format!(
        "{base}kernel_spectrum = \"vec2<f32>(1.0, kappa.x)\"\n"
    ))
    .unwrap();
    load(&format!(
        "{base}kernel_spectrum = \"-20.0 / dot(kappa, kappa)\"\n"
    ))
    .unwrap();
    // Infinite at kappa = (1, 0): refused when sampled, naming the wave vector.
    let config = load(&format!(
        "{base}kernel_spectrum = \"1.0 / (kappa.x - 1.0)\"\n"
    ))
    .unwrap();
    match Problem::from_config(ctx(), &config) {
        Err(Error::Data { field, message }) => {
            assert_eq!(field, "coupling[0].kernel_spectrum");
            assert!(message.contains("wave numbers (1, 0)"), "{message}");
            assert!(message.contains("kappa = 0"), "{message}");
        }
        other => panic!("expected a data error, got {other:?}"),
    }
    // Infinite only at kappa = 0, which is ignored.
    let config = load(&format!(
        "{base}kernel_spectrum = \"-1.0 / dot(kappa, kappa)\"\n"
    ))
    .unwrap();
    Problem::from_config(ctx(), &config).unwrap();
}

#[test]
fn an_attractive_kernel_spectrum_makes_the_uniform_state_unstable() {
    // Parabolic-elliptic Keller-Segel: M(kappa) = -chi / |kappa|^2, so W^_m =
    // M / L^2 and mode kappa evolves at -(tau |kappa|^2 - chi / L^2): with chi
    // = 4 pi^2 (chi / L^2 = 1) and tau = 0.3, |kappa|^2 = 1, 2 grow at 0.7 and
    // 0.4, |kappa|^2 = 4 decays at 0.2.
    let text = "[grid]\ndim = 2\nn = 32\n[[species]]\nname = \"cells\"\ntau = 0.3\n\
                [[coupling]]\ntarget = \"cells\"\nsource = \"cells\"\n\
                kernel_spectrum = \"-39.47841760435743 / dot(kappa, kappa)\"\n[time]\ndt = 0.01\n";
    let config = load(text).unwrap();
    let ctx = ctx();
    let problem = Problem::from_config(ctx, &config).unwrap();
    let n = 32 * 32;
    let u = vec![(1.0 / (TWO_PI * TWO_PI)) as f32; n];
    let stepper =
        Stepper::new_perturbation(ctx, &problem.params, problem.ops.clone(), &[&u]).unwrap();
    let h = TWO_PI / 32.0;
    let dev: Vec<f32> = (0..n)
        .map(|p| {
            let (x, y) = ((p % 32) as f64 * h, (p / 32) as f64 * h);
            // Small enough that the quadratic term (mode (1, 0) squared feeds
            // (2, 0)) stays below 1e-6 of the linear one.
            (1e-9 * (x.cos() + (x + y).cos() + (2.0 * x).cos())) as f32
        })
        .collect();
    stepper.set_species_deviation(ctx, &[&dev]).unwrap();
    let coeff = |state: &[f32], m1: usize, m2: usize| {
        let i = 2 * (m2 * 32 + m1);
        C64::new(state[i] as f64, state[i + 1] as f64)
    };
    let before = stepper.read_state(ctx).unwrap();
    stepper.advance(ctx, 100);
    let after = stepper.read_state(ctx).unwrap();
    for ((m1, m2), k2) in [((1, 0), 1.0), ((1, 1), 2.0), ((2, 0), 4.0)] {
        let rate = (coeff(&after, m1, m2) / coeff(&before, m1, m2)).norm().ln();
        // Over t = 1: -(tau |kappa|^2 - chi / L^2).
        let want = 1.0 - 0.3 * k2;
        assert!(
            (rate - want).abs() < 1e-4,
            "mode ({m1}, {m2}): rate {rate} against {want}"
        );
    }
    ctx.take_errors().unwrap();
}

#[test]
fn a_three_player_game_follows_the_f64_reference_for_many_steps() {
    let text = format!(
        "{GRID}[[species]]\nname = \"rock\"\ntau = 0.3\npotential = \"0.2 * cos(x.x)\"\n\
         [[species]]\nname = \"paper\"\ntau = 0.25\nrate = 0.8\n\
         [[species]]\nname = \"scissors\"\ntau = 0.35\nrate = 1.2\n\
         [[coupling]]\ntarget = \"rock\"\nsource = \"paper\"\nkernel = \"sin(z.x) + 0.3 * cos(2.0 * z.x)\"\n\
         [[coupling]]\ntarget = \"paper\"\nsource = \"rock\"\nkernel = \"sin(z.x) - 0.3 * cos(2.0 * z.x)\"\n\
         [[coupling]]\ntarget = \"paper\"\nsource = \"scissors\"\nkernel = \"sin(z.x) + 0.3 * cos(2.0 * z.x)\"\n\
         [[coupling]]\ntarget = \"scissors\"\nsource = \"paper\"\nkernel = \"sin(z.x) - 0.3 * cos(2.0 * z.x)\"\n\
         [[coupling]]\ntarget = \"scissors\"\nsource = \"rock\"\nkernel = \"sin(z.x) + 0.3 * cos(2.0 * z.x)\"\n\
         [[coupling]]\ntarget = \"rock\"\nsource = \"scissors\"\ninteraction = \"-(sin(y.x - x.x) + 0.3 * cos(2.0 * (y.x - x.x)))\"\n\
         [time]\ndt = 0.02\n"
    );
    let config = load(&text).unwrap();
    let ctx = ctx();
    let problem = Problem::from_config(ctx, &config).unwrap();
    assert_eq!(problem.system().len(), 3);
    assert!(!problem.system().is_gradient(problem.params.shape));
    let stepper = problem.stepper(ctx).unwrap();
    let n = 64;
    let h = TWO_PI / n as f64;
    let start: Vec<Vec<f64>> = (0..3)
        .map(|s| {
            (0..n)
                .map(|j| (1.0 + 0.4 * (j as f64 * h + s as f64).cos()) / TWO_PI)
                .collect()
        })
        .collect();
    let f32s: Vec<Vec<f32>> = start
        .iter()
        .map(|v| v.iter().map(|&x| x as f32).collect())
        .collect();
    let refs: Vec<&[f32]> = f32s.iter().map(|v| v.as_slice()).collect();
    stepper.set_species_densities(ctx, &refs).unwrap();
    let cpu = CpuSystem::new(&problem.params, problem.system());
    let mut rho: Vec<Vec<C64>> = f32s
        .iter()
        .map(|v| cpu.spectrum(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()))
        .collect();
    let steps = 50;
    for _ in 0..steps {
        rho = cpu.step(&rho);
    }
    stepper.advance(ctx, steps);
    let got = stepper.species_densities(ctx).unwrap();
    for (s, (g, w)) in got.iter().zip(&rho).enumerate() {
        let w = cpu.real(w);
        let num: f64 = g.iter().zip(&w).map(|(a, b)| (*a as f64 - b).powi(2)).sum();
        let den: f64 = w.iter().map(|b| b * b).sum();
        let err = (num / den).sqrt();
        assert!(
            err < 1e-5,
            "species {s} after {steps} steps: relative L2 error {err:e}"
        );
        let moved: f64 = g
            .iter()
            .zip(&f32s[s])
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(moved > 1e-3, "species {s} did not move");
    }
    ctx.take_errors().unwrap();
}

#[test]
fn set_addresses_a_species_by_name_or_index() {
    let text = format!(
        "{GRID}[[species]]\nname = \"a\"\ntau = 0.3\n[[species]]\nname = \"b\"\ntau = 0.4\n"
    );
    let sets = [
        "species.b.tau=0.2".to_string(),
        "species.0.rate=2".to_string(),
    ];
    let c = Config::from_toml_str_with_sets(&text, "test", &sets).unwrap();
    assert_eq!((c.species[0].rate, c.species[1].tau), (2.0, 0.2));
    for (bad, want) in [
        (
            "species.c.tau=0.2",
            "no [[species]] table `c`; the tables are 0 (a), 1 (b)",
        ),
        ("species.a.temp=0.2", "unknown key"),
        ("species.tau=0.2", "<name or index>"),
    ] {
        let err = Config::from_toml_str_with_sets(&text, "test", &[bad.to_string()]).unwrap_err();
        assert!(err.to_string().contains(want), "{bad}: {err}");
    }
}

#[test]
fn a_game_kernel_given_by_its_multiplier_runs_as_the_kernel_itself() {
    // k(z) = cos(z) + 0.6 sin(z) on the circle of length 2 pi has M(+-1) =
    // pi (1 -+ 0.6 i) and no other mode.
    let base = "[grid]\ndim = 1\nn = 64\n[game]\ntau = 0.3\npotential_mu = \"0.3 * cos(x.x)\"\n\
                [init]\nmu = \"eq * (1.0 + 0.3 * cos(x.x))\"\n[time]\ndt = 0.05\n";
    let spectrum = "select(vec2<f32>(0.0), PI * vec2<f32>(1.0, -0.6 * sign(kappa.x)), \
                    abs(abs(kappa.x) - 1.0) < 0.5)";
    let with_kernel = load(&base.replace(
        "tau = 0.3\n",
        "tau = 0.3\nkernel = \"cos(z.x) + 0.6 * sin(z.x)\"\n",
    ))
    .unwrap();
    let text = base.replace(
        "tau = 0.3\n",
        &format!("tau = 0.3\nkernel_spectrum = \"{spectrum}\"\n"),
    );
    let with_spectrum = load(&text).unwrap();
    let ctx = ctx();
    let states: Vec<(Vec<f32>, Vec<f32>)> = [with_kernel, with_spectrum]
        .iter()
        .map(|config| {
            let plan = mflda::Plan::new(ctx, config).unwrap();
            let p = &plan.problem;
            let (solver, _) = p.equilibrium(ctx, &plan.equilibrium_options()).unwrap();
            let (mu, nu) = solver.densities(ctx).unwrap();
            let stepper = p.stepper(ctx).unwrap();
            let start = plan.initial_species(ctx, &[&mu, &nu]).unwrap();
            stepper.set_densities(ctx, &start[0], &start[1]).unwrap();
            stepper.advance(ctx, 40);
            stepper.densities(ctx).unwrap()
        })
        .collect();
    let rel = |a: &[f32], b: &[f32]| {
        let num: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
        let den: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
        (num / den).sqrt()
    };
    let (a, b) = (&states[0], &states[1]);
    assert!(
        rel(&a.0, &b.0) < 1e-5 && rel(&a.1, &b.1) < 1e-5,
        "{} {}",
        rel(&a.0, &b.0),
        rel(&a.1, &b.1)
    );
    // Both forms at once are refused.
    let both = text.replace("tau = 0.3\n", "tau = 0.3\nkernel = \"cos(z.x)\"\n");
    let (key, message) = config_error(&both);
    assert_eq!(key, "game.kernel_spectrum");
    assert!(message.contains("give one of"), "{message}");
}
