//! `mflda run` and `mflda equilibrium` end to end: every output file is written
//! and reads back (with the crate's readers, and with numpy/pandas).

mod common;

use std::path::Path;
use std::process::Command;

use mflda::config::Config;
use mflda::output::read_npy_f32;

fn mflda(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .output()
        .expect("the mflda binary runs")
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// numpy and pandas read the outputs. On CI they must be installed (.ci/run
/// installs them); elsewhere the check is skipped with a note if they are absent.
fn python_reads(dir: &Path, n: usize, rows: usize) {
    if !common::python_has("numpy, pandas") {
        eprintln!("note: numpy/pandas not installed; skipping the Python read-back");
        return;
    }
    let script = format!(
        r#"
import glob, json, numpy as np, pandas as pd
d = r"{dir}"
for f in ["mu_star", "nu_star", "mu_final", "nu_final"]:
    a = np.load(f"{{d}}/{{f}}.npy")
    assert a.dtype == np.float32 and a.shape == ({n}, {n}), (f, a.dtype, a.shape)
    assert np.isfinite(a).all()
snaps = sorted(glob.glob(f"{{d}}/snapshots/*.npy"))
assert len(snaps) >= 4, snaps
for s in snaps:
    assert np.load(s).shape == ({n}, {n})
m = pd.read_csv(f"{{d}}/metrics.csv")
assert len(m) == {rows}, len(m)
for c in ["t", "mass_mu", "mass_nu", "min_mu", "min_nu", "l2_mu", "l2_nu", "linf_mu", "linf_nu",
          "kl_mu", "kl_nu", "chi2_mu", "chi2_nu", "entropy_mu", "entropy_nu", "ni"]:
    assert c in m.columns, c
assert abs(m["mass_mu"].iloc[-1] - 1) < 1e-5
s = json.load(open(f"{{d}}/summary.json"))
assert s["steps"] > 0 and s["equilibrium"]["iterations"] > 0
"#,
        dir = dir.display()
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python read-back failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn run_writes_every_output_and_they_read_back() {
    let dir = tmp("run");
    let out = mflda(&[
        "run",
        "--out",
        dir.to_str().unwrap(),
        "--set",
        "grid.n=32",
        "--set",
        "time.t_end=0.2",
        "--set",
        "time.dt=0.02",
        "--set",
        "output.metrics_every=0.04",
        "--set",
        "output.snapshots_every=0.1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let config = Config::load(&dir.join("config.toml")).expect("config.toml is a valid config");
    assert_eq!(config.grid.n, 32);
    assert_eq!(config.time.t_end, 0.2);
    assert!(
        config.output.metrics_every.is_some(),
        "the written config is resolved"
    );

    for f in ["mu_star", "nu_star", "mu_final", "nu_final"] {
        let (shape, data) = read_npy_f32(&dir.join(format!("{f}.npy"))).unwrap();
        assert_eq!(shape, vec![32, 32], "{f}");
        assert!(data.iter().all(|v| v.is_finite()));
    }
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let rows = csv.lines().count() - 1;
    assert_eq!(rows, 6, "t = 0, 0.04, ..., 0.2:\n{csv}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["steps"], 10);
    assert!(summary["adapter"]["name"].is_string());
    assert!(summary["steps_per_s"].as_f64().unwrap() > 0.0);
    assert!(summary["equilibrium"]["residual"].as_f64().unwrap() < 1e-4);
    // l2 decays towards the equilibrium over the run.
    let l2 = |line: &str| line.split(',').nth(7).unwrap().parse::<f64>().unwrap();
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert!(l2(lines[5]) < l2(lines[0]), "{csv}");
    python_reads(&dir, 32, 6);

    // A second run into the same directory is refused without --force.
    let again = mflda(&["run", "--out", dir.to_str().unwrap(), "--set", "grid.n=32"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `mflda equilibrium` on a 64-point 1D grid into `dir`, with `sets` added:
/// its output (which must be a success) and `equilibrium.json`.
fn equilibrium_1d(dir: &Path, sets: &[&str]) -> (std::process::Output, serde_json::Value) {
    let mut args = vec!["equilibrium", "--out", dir.to_str().unwrap()];
    for set in ["grid.dim=1", "grid.n=64"].iter().chain(sets) {
        args.extend(["--set", set]);
    }
    let out = mflda(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("equilibrium.json")).unwrap();
    (out, serde_json::from_str(&text).unwrap())
}

#[test]
fn equilibrium_command_writes_the_equilibrium_only() {
    let dir = tmp("equilibrium");
    let (out, eq) = equilibrium_1d(&dir, &[]);
    let (shape, mu) = read_npy_f32(&dir.join("mu_star.npy")).unwrap();
    assert_eq!(shape, vec![1, 64]);
    let mass: f64 = mu.iter().map(|&v| v as f64).sum::<f64>() * std::f64::consts::TAU / 64.0;
    assert!((mass - 1.0).abs() < 1e-5, "mass {mass}");
    assert!(eq["ni"].as_f64().unwrap() >= 0.0);
    assert!(!dir.join("metrics.csv").exists());
    assert!(!dir.join("snapshots").exists(), "an empty snapshots/");
    // The stop reason is spelled on screen as in equilibrium.json.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stop = eq["stop"].as_str().unwrap();
    assert!(stdout.contains(&format!("stop: {stop}")), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning: the equilibrium"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An equilibrium cut short by `max_iter` still gets written, with a warning
/// that names the key to raise.
#[test]
fn an_unconverged_equilibrium_is_a_warning_naming_the_fix() {
    let dir = tmp("equilibrium-short");
    let (out, eq) = equilibrium_1d(&dir, &["equilibrium.max_iter=20"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: the equilibrium did not converge")
            && stderr.contains("equilibrium.max_iter = 20")
            && stderr.contains("raise equilibrium.max_iter")
            && !stderr.contains("  "),
        "{stderr}"
    );
    assert_eq!(eq["stop"], "max-iterations");
    assert_eq!(eq["iterations"], 20);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_config_fails_fast_naming_the_key() {
    let dir = tmp("bad");
    let out = mflda(&[
        "run",
        "--out",
        dir.to_str().unwrap(),
        "--set",
        "game.tua=0.1",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("game.tua") && err.contains("game.tau"),
        "{err}"
    );
    let out = mflda(&[
        "run",
        "--out",
        dir.to_str().unwrap(),
        "--set",
        "game.kernel=cos(q.x)",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("game.kernel") && err.contains("cos(q.x)"),
        "{err}"
    );
}

/// A round-off stop is quiet near `tol`; far above it, a note when the
/// residual is at the f32 round-off scale, and a warning naming the step to
/// lower when it is far above that too; a converged equilibrium is never
/// either.
#[test]
fn a_round_off_stop_far_above_tol_is_a_note_or_a_warning() {
    use mflda::equilibrium::Stop;
    use mflda::run::EquilibriumSummary;
    let config = Config::embedded_default().equilibrium;
    let tol = config.tol;
    let summary = |residual: f64, stop: Stop, round_off: f64| EquilibriumSummary {
        iterations: 500,
        residual,
        ni: 0.0,
        step: 0.05,
        stop,
        round_off,
        tol,
        anderson: 0,
        restarts: 0,
    };
    let quiet = 1e-2 * tol;
    // The screen line says why a stop above tol stopped, in JSON's spelling.
    let line = summary(3.0 * tol, Stop::RoundOff, quiet).describe();
    assert!(
        line.contains("stop: round-off (the residual stopped falling above tol"),
        "{line}"
    );
    let line = summary(0.0, Stop::Converged, quiet).describe();
    assert!(line.contains("residual 0 (tol 1.00e-6), NI 0,"), "{line}");
    assert_eq!(
        summary(0.5 * tol, Stop::Converged, quiet).warning(&config),
        None
    );
    assert_eq!(
        summary(3.0 * tol, Stop::RoundOff, quiet).warning(&config),
        None
    );
    let w = summary(1e3 * tol, Stop::RoundOff, quiet)
        .warning(&config)
        .expect("a warning");
    assert!(
        w.starts_with("warning: ")
            && w.contains("stopped improving")
            && w.contains("equilibrium.step (now 5.000e-2)")
            && !w.contains("  "),
        "{w}"
    );
    // At low temperature the f32 floor itself lies far above tol.
    let n = summary(1e3 * tol, Stop::RoundOff, 500.0 * tol)
        .warning(&config)
        .expect("a note");
    assert!(
        n.starts_with("note: ")
            && n.contains("f32 round-off")
            && !n.contains("equilibrium.step")
            && !n.contains("  "),
        "{n}"
    );
}

/// A fresh run given `--equilibrium-from` takes the equilibrium an earlier
/// `mflda equilibrium` of the same problem wrote (other time settings
/// allowed) instead of solving it, and refuses one of another problem
/// before it makes its directory.
#[test]
fn a_fresh_run_takes_a_known_equilibrium() {
    let source = tmp("eq-source");
    let (_, eq) = equilibrium_1d(&source, &[]);
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            "--out",
            out.to_str().unwrap(),
            "--equilibrium-from",
            source.to_str().unwrap(),
        ];
        for set in ["grid.dim=1", "grid.n=64", "time.t_end=0.05"]
            .iter()
            .chain(extra)
        {
            args.extend(["--set", set]);
        }
        mflda(&args)
    };
    let reuse = tmp("eq-reuse");
    let out = run(&reuse, &["equilibrium.tol=1e-3"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("equilibrium: taken from"), "{stderr}");
    let (_, want) = read_npy_f32(&source.join("mu_star.npy")).unwrap();
    let (_, got) = read_npy_f32(&reuse.join("mu_star.npy")).unwrap();
    // The run writes the logarithms it read back as densities again.
    let worst = want
        .iter()
        .zip(&got)
        .map(|(a, b)| ((a - b) / a).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "mu_star changed by {worst:e}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reuse.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["equilibrium"]["iterations"], eq["iterations"]);
    let residual = |v: &serde_json::Value| v["residual"].as_f64().unwrap();
    let (r, r0) = (residual(&summary["equilibrium"]), residual(&eq));
    assert!((r - r0).abs() <= 1e-12 * r0, "residual {r} against {r0}");

    let other = tmp("eq-other");
    let out = run(&other, &["game.tau=0.3"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("poses another problem") && stderr.contains("[game]"),
        "{stderr}"
    );
    assert!(!other.exists(), "a refused run left its directory");
    for dir in [source, reuse] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
