//! `mflda analyze`: the decoupled game's rightmost eigenvalue is -tau times the
//! Poincare constant; on coupled games with all three payoff terms the
//! rightmost eigenvalue respects the lower bound tau min(lambda_1) (docs/MATHEMATICS.md
//! section 6); analysis.json carries the documented fields.

use std::process::Command;

use mflda::analysis::analyze::analyze;
use mflda::config::Config;
use mflda::gpu::{AdapterRequest, GpuContext};
use mflda::output::RunDir;

fn config(sets: &[&str]) -> Config {
    let mut all: Vec<String> = ["grid.dim=1", "grid.n=64", "time.dt=0.05", "time.t_end=1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    all.extend(sets.iter().map(|s| s.to_string()));
    Config::from_toml_str_with_sets(mflda::config::DEFAULT_TOML, "default", &all).unwrap()
}

fn dir(name: &str) -> RunDir {
    let p = std::env::temp_dir().join(format!("mflda-analyze-{name}-{}", std::process::id()));
    RunDir::create(&p, true).unwrap()
}

#[test]
fn decoupled_rightmost_eigenvalue_is_minus_tau_times_the_poincare_constant() {
    let ctx = GpuContext::new(&AdapterRequest::default()).unwrap();
    let c = config(&[
        "game.kernel=0.0",
        "game.interaction=0.0",
        "game.potential_mu=0.8 * cos(x.x)",
        "game.potential_nu=0.5 * sin(2.0 * y.x)",
        "game.tau=0.3",
    ]);
    let d = dir("decoupled");
    let a = analyze(&ctx, &c, &d, false, true, &Default::default()).unwrap();
    let lambda1 = a
        .poincare_of("mu")
        .unwrap()
        .lambda1
        .min(a.poincare_of("nu").unwrap().lambda1);
    let rightmost = a.eigenvalues[0].re;
    assert!(
        (rightmost + 0.3 * lambda1).abs() < 1e-3 * 0.3 * lambda1,
        "rightmost {rightmost} vs -tau lambda_1 = {}",
        -0.3 * lambda1
    );
    assert!(
        a.eigenvalues[0].im.abs() < 1e-6,
        "decoupled dynamics does not rotate"
    );
    let _ = std::fs::remove_dir_all(d.path());
}

#[test]
fn coupled_games_respect_the_lower_bound() {
    let ctx = GpuContext::new(&AdapterRequest::default()).unwrap();
    for (i, (tau, kernel, a, b, k)) in [
        (
            0.5,
            "cos(z.x) + 0.5 * sin(z.x)",
            "0.3 * cos(x.x)",
            "0.2 * sin(y.x)",
            "0.4 * cos(x.x - y.x)",
        ),
        (
            0.2,
            "cos(z.x)",
            "0.5 * cos(2.0 * x.x)",
            "0.3 * cos(y.x)",
            "0.3 * sin(x.x + 2.0 * y.x)",
        ),
        (
            0.1,
            "0.5 * sin(z.x) + cos(2.0 * z.x)",
            "0.2 * sin(x.x)",
            "0.2 * cos(y.x)",
            "0.3 * cos(x.x + y.x)",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let sets = [
            format!("game.tau={tau}"),
            format!("game.kernel={kernel}"),
            format!("game.potential_mu={a}"),
            format!("game.potential_nu={b}"),
            format!("game.interaction={k}"),
            "game.interaction_modes=2".to_string(),
        ];
        let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
        let d = dir(&format!("coupled{i}"));
        let an = analyze(&ctx, &config(&refs), &d, false, true, &Default::default()).unwrap();
        assert!(an.bound > 0.0 && an.predicted_rate > 0.0, "{an:?}");
        assert!(
            an.bound_holds && an.predicted_rate >= an.bound,
            "tau {tau}: rate {} below the bound {}",
            an.predicted_rate,
            an.bound
        );
        let _ = std::fs::remove_dir_all(d.path());
    }
}

/// `mflda analyze --force` of the default game on a 32-point circle into
/// `out`, with `extra` arguments.
fn analyze_cli(out: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(["analyze", "--force", "--out", out])
        .args(["--set", "grid.dim=1", "--set", "grid.n=32"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn analyze_writes_the_documented_json() {
    let out = std::env::temp_dir().join(format!("mflda-analyze-cli-{}", std::process::id()));
    let o = out.to_str().unwrap();
    let res = analyze_cli(
        o,
        &[
            "--run",
            "--set",
            "time.dt=0.05",
            "--set",
            "time.t_end=10",
            "--set",
            "output.metrics_every=0.5",
        ],
    );
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("analysis.json")).unwrap()).unwrap();
    for key in [
        "equilibrium",
        "poincare_mu",
        "poincare_nu",
        "eigenvalues",
        "bound",
        "predicted_rate",
        "measured",
    ] {
        assert!(!v[key].is_null(), "{key} missing: {v:#}");
    }
    assert!(v["poincare_mu"]["residual"].is_number());
    assert!(v["eigenvalues"][0]["re"].is_number() && v["eigenvalues"][0]["im"].is_number());
    assert!(v["measured"]["rate"].as_f64().unwrap() > 0.0);
    assert!(out.join("eigvec_0_re.npy").is_file());
    // The pictures: the spectrum beside the bound, the leading eigenvectors.
    for f in ["spectrum.png", "eigvec_0.png", "eigvec_2.png"] {
        let img = image::open(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(img.width() >= 400 && img.height() >= 300, "{f}");
    }
    let svg = std::fs::read_to_string(out.join("spectrum.svg")).unwrap();
    assert!(
        svg.contains("bound: Re") && svg.contains("Re lambda"),
        "{svg}"
    );
    // The table prints each iteration's stop reason.
    let table = String::from_utf8_lossy(&res.stdout);
    assert!(
        table.contains("stop: ") && table.contains("Holley-Stroock bound"),
        "{table}"
    );
    assert_eq!(v["equilibrium_reused"], false);

    // Again at the equilibrium just written: read, not solved, the same
    // spectrum to the f32 rounding of the density files.
    let again = out.with_extension("again");
    let a = again.to_str().unwrap();
    let analyze_from =
        |from: &str| analyze_cli(a, &["--equilibrium-from", from, "--set", "time.dt=0.05"]);
    let res = analyze_from(o);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let w: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.join("analysis.json")).unwrap())
            .unwrap();
    assert_eq!(w["equilibrium_reused"], true);
    for key in ["iterations", "stop", "residual", "tol"] {
        assert_eq!(w["equilibrium"][key], v["equilibrium"][key], "{key}");
    }
    let (p, q) = (
        v["predicted_rate"].as_f64().unwrap(),
        w["predicted_rate"].as_f64().unwrap(),
    );
    assert!((p - q).abs() <= 1e-4 * p.abs(), "{p} against {q}");
    let other = analyze_cli(a, &["--equilibrium-from", o, "--set", "game.tau=0.3"]);
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(
        !other.status.success() && err.contains("another problem") && err.contains("[game]"),
        "{err}"
    );
    let missing = analyze_from(again.join("nothing").to_str().unwrap());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        !missing.status.success() && err.contains("config.toml"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&again);
}
