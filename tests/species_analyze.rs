//! `mflda analyze` on species systems (docs/MATHEMATICS.md section 8): the
//! closed form of the linearisation at the uniform state for one and three
//! species, an unstable state reported as such, the translation mode of a
//! non-uniform state recognised, and the rate of each decoupled species.

use mflda::analysis::analyze::{analyze, Analysis};
use mflda::config::Config;
use mflda::gpu::{AdapterRequest, GpuContext};
use mflda::output::RunDir;
use nalgebra::DMatrix;
use num_complex::Complex64 as C64;

fn run(name: &str, text: &str, sets: &[&str]) -> Analysis {
    let ctx = GpuContext::new(&AdapterRequest::default()).unwrap();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let config = Config::from_toml_str_with_sets(text, name, &sets).unwrap();
    let p = std::env::temp_dir().join(format!(
        "mflda-species-analyze-{name}-{}",
        std::process::id()
    ));
    let dir = RunDir::create(&p, true).unwrap();
    let a = analyze(&ctx, &config, &dir, false, true, &Default::default()).unwrap();
    for name in config.species_names() {
        assert!(dir.file(&format!("{name}_star.npy")).is_file());
    }
    let _ = std::fs::remove_dir_all(p);
    a
}

const KURAMOTO: &str = "[grid]\ndim = 1\nn = 64\n[[species]]\nname = \"rho\"\ntau = 0.8\n\
    init = \"1.0 + 0.3 * cos(x.x - 1.0)\"\n[[coupling]]\ntarget = \"rho\"\nsource = \"rho\"\n\
    kernel = \"-cos(z.x) + 0.4 * cos(2.0 * z.x)\"\n[time]\ndt = 0.05\n";

#[test]
fn one_species_at_the_uniform_state_has_the_closed_form_rates() {
    // W^_1 = -1/2, W^_2 = 0.2: rates -(tau + W^_m) m^2, each twice (cos, sin).
    let a = run("uniform-one", KURAMOTO, &[]);
    let want = [-(0.8 - 0.5), -(0.8 + 0.2) * 4.0];
    let got: Vec<f64> = a.eigenvalues.iter().map(|e| e.re).collect();
    for (i, w) in [want[0], want[0], want[1], want[1]].iter().enumerate() {
        assert!(
            (got[i] - w).abs() < 1e-4,
            "eigenvalue {i}: {got:?} against {want:?}"
        );
    }
    assert!(a.stable && (a.predicted_rate - 0.3).abs() < 1e-4);
    assert!(a.bound.is_nan(), "an attraction is not a zero-sum game");
    assert!(a.eigenvalues.iter().all(|e| !e.translation));
}

#[test]
fn below_the_critical_temperature_the_uniform_state_is_unstable_and_the_branch_stable() {
    // tau = 0.3 < 1/2: uniform unstable at rate 0.2; from the initial density
    // the iteration finds the synchronised state, stable but for its zero
    // translation mode.
    let a = run("unstable", KURAMOTO, &["species.rho.tau=0.3"]);
    assert!(!a.stable, "{:?}", a.eigenvalues);
    assert!(
        (a.predicted_rate + 0.2).abs() < 1e-4,
        "{}",
        a.predicted_rate
    );
    let b = run(
        "branch",
        KURAMOTO,
        &["species.rho.tau=0.3", "equilibrium.start=init"],
    );
    assert!(b.eigenvalues[0].translation, "{:?}", b.eigenvalues);
    assert!(b.eigenvalues[0].re.abs() < 1e-4, "{:?}", b.eigenvalues[0]);
    assert!(b.stable && b.predicted_rate > 0.01, "{b:?}");
    assert!(b.eigenvalues.iter().filter(|e| e.translation).count() == 1);
}

#[test]
fn three_player_cyclic_game_at_the_uniform_state_has_the_closed_form_and_the_bound() {
    let k = "0.5 * sin(z.x) + 0.3 * cos(2.0 * z.x)";
    let back = "0.5 * sin(z.x) - 0.3 * cos(2.0 * z.x)"; // -k(-z)
    let mut text = String::from("[grid]\ndim = 1\nn = 64\n");
    let (taus, rates) = ([0.3, 0.2, 0.4], [1.0, 0.7, 1.3]);
    for s in 0..3 {
        text += &format!(
            "[[species]]\nname = \"p{s}\"\ntau = {}\nrate = {}\n",
            taus[s], rates[s]
        );
    }
    for s in 0..3 {
        let r = (s + 1) % 3;
        text += &format!(
            "[[coupling]]\ntarget = \"p{s}\"\nsource = \"p{r}\"\nkernel = \"{k}\"\n\
             [[coupling]]\ntarget = \"p{r}\"\nsource = \"p{s}\"\nkernel = \"{back}\"\n"
        );
    }
    text += "[time]\ndt = 0.02\n";
    let a = run("cyclic", &text, &[]);
    // d/dt r_s = -eta_s m^2 [tau_s r_s + sum_r k^_sr r_r] (section 8),
    // k^_1 = -0.25 i, k^_2 = 0.15 one way and -conj of them back.
    let mut want: Vec<f64> = Vec::new();
    for (m, khat) in [(1.0, C64::new(0.0, -0.25)), (2.0, C64::new(0.15, 0.0))] {
        let mut a = DMatrix::<C64>::zeros(3, 3);
        for s in 0..3 {
            let r = (s + 1) % 3;
            a[(s, s)] = C64::new(-rates[s] * taus[s] * m * m, 0.0);
            a[(s, r)] = -rates[s] * m * m * khat;
            a[(r, s)] = rates[r] * m * m * khat.conj();
        }
        let eig = a.schur().eigenvalues().unwrap();
        // Real fields: each complex mode's eigenvalue with its conjugate.
        want.extend(eig.iter().map(|e| e.re));
    }
    want.sort_by(|x, y| y.total_cmp(x));
    let top = want[0];
    assert!(
        (a.eigenvalues[0].re - top).abs() < 1e-4,
        "rightmost {:?} against {top} ({want:?})",
        a.eigenvalues[0]
    );
    // A zero-sum game at the uniform state: lambda_1 = 1 for every species.
    let bound = (0..3).map(|s| rates[s] * taus[s]).fold(f64::MAX, f64::min);
    assert!(
        (a.bound - bound).abs() < 1e-4,
        "bound {} against {bound}",
        a.bound
    );
    assert!(a.bound_holds && a.predicted_rate >= a.bound * (1.0 - 1e-3));
}

#[test]
fn a_decoupled_player_does_not_hide_the_other_players_rate() {
    // The game with no coupling: mu and nu relax on their own, at tau
    // lambda_1 of their Gibbs densities; the system's rate is the slower one.
    let a = run(
        "decoupled",
        mflda::config::DEFAULT_TOML,
        &[
            "grid.dim=1",
            "grid.n=64",
            "time.dt=0.05",
            "game.kernel=0.0",
            "game.interaction=0.0",
            "game.potential_mu=0.8 * cos(x.x)",
            "game.potential_nu=0.0",
            "game.tau=0.3",
        ],
    );
    assert_eq!(a.groups.len(), 2, "{:?}", a.groups);
    let lambda = |name: &str| a.poincare_of(name).unwrap().lambda1;
    for (g, name) in a.groups.iter().zip(["mu", "nu"]) {
        assert_eq!(g.species, vec![name.to_string()]);
        let want = 0.3 * lambda(name);
        assert!(
            (g.predicted_rate - want).abs() < 1e-3 * want,
            "{name}: {} against tau lambda_1 = {want}",
            g.predicted_rate
        );
    }
    // nu is uniform (lambda_1 = 1), mu is not: their rates differ.
    assert!((a.groups[1].predicted_rate - 0.3).abs() < 1e-4);
    assert!(a.groups[0].predicted_rate > 0.3 * 1.001 || a.groups[0].predicted_rate < 0.3 * 0.999);
    assert!(
        (a.predicted_rate
            - a.groups
                .iter()
                .map(|g| g.predicted_rate)
                .fold(f64::MAX, f64::min))
        .abs()
            < 1e-6
    );
}
