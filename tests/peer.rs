//! The peer comparison (benches/peer/): `mflda peer-export` writes one ETDRK4
//! step's input and output, and the JAX version of the step
//! (`benches/peer/jax_step.py --check`) must reproduce the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The output difference the issue asks for (relative L2 of the stepped densities).
const OUTPUT_TOL: f64 = 1e-5;
/// The increments (stepped - initial) are about 1e-3 of the densities, so f32
/// round-off alone puts their relative difference near 1e-4 (JAX in float32
/// against JAX in float64 gives the same); a 1% error in tau gives 1e-2.
const INCREMENT_TOL: f64 = 1e-3;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-peer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Panics (the test fails, it does not skip) when python3 with JAX is missing.
fn require_jax() {
    let have = Command::new("python3")
        .args(["-c", "import jax, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        have,
        "the peer comparison needs python3 with jax and numpy: run .ci/run, or \
         `python3 -m pip install jax numpy`"
    );
}

fn export(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_mflda"))
        .arg("peer-export")
        .arg("--out")
        .arg(dir)
        .args(args)
        .output()
        .expect("the mflda binary runs");
    assert!(
        out.status.success(),
        "peer-export failed:\n{}",
        text(&out.stderr)
    );
    for f in [
        "params.json",
        "mu0.npy",
        "nu1.npy",
        "kernel.npy",
        "band_coeffs.npy",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing from {}", dir.display());
    }
}

fn jax_check(dirs: &[&Path], extra: &[&str]) -> Output {
    Command::new("python3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg("benches/peer/jax_step.py")
        .arg("--check")
        .args(dirs)
        .args(extra)
        .output()
        .expect("python3 runs")
}

/// The (output, increment) relative L2 differences of every
/// `  mu: output rel_l2 X  increment rel_l2 Y  ok` line.
fn differences(stdout: &str) -> Vec<(f64, f64)> {
    stdout
        .lines()
        .filter(|l| l.contains("output rel_l2"))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            // "<key> rel_l2 <value>"
            let at = |key: &str| -> f64 {
                let i = w.iter().position(|&x| x == key).expect(key);
                w[i + 2].parse().expect("a number")
            };
            (at("output"), at("increment"))
        })
        .collect()
}

fn assert_agrees(out: &Output, fields: usize) {
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "jax_step.py --check failed:\n{stdout}\n{}",
        text(&out.stderr)
    );
    let diffs = differences(&stdout);
    assert_eq!(diffs.len(), fields, "{stdout}");
    for (output, increment) in diffs {
        assert!(output < OUTPUT_TOL, "{stdout}");
        assert!(increment < INCREMENT_TOL, "{stdout}");
    }
}

#[test]
fn jax_step_reproduces_mfldas_etdrk4_step() {
    require_jax();
    let (d2, d1, variant) = (tmp("2d"), tmp("1d"), tmp("variant"));
    // The embedded default game: the one `jax_step.py --bench` times.
    export(&d2, &["--n", "64"]);
    export(&d1, &["--n", "256", "--set", "grid.dim=1"]);
    let out = jax_check(&[&d2, &d1], &["--default-game"]);
    assert_agrees(&out, 4);
    assert!(text(&out.stdout).contains("default_game.py: the same game"));

    // De-aliasing and two timescales, against JAX in float64.
    export(
        &variant,
        &[
            "--n",
            "32",
            "--set",
            "time.dealias=true",
            "--set",
            "game.eta=2",
        ],
    );
    assert_agrees(&jax_check(&[&variant], &["--x64"]), 2);
    for d in [d2, d1, variant] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn jax_check_fails_on_a_wrong_output() {
    require_jax();
    let dir = tmp("wrong");
    export(&dir, &["--n", "16"]);
    // Scale mflda's stepped mu by 1 + 1e-4: the check must say FAIL, exit 1.
    let py = "import numpy as np, sys; p = sys.argv[1] + '/mu1.npy'; \
              np.save(p, (np.load(p) * np.float32(1.0001)).astype(np.float32))";
    let status = Command::new("python3")
        .args(["-c", py])
        .arg(&dir)
        .status()
        .expect("python3 runs");
    assert!(status.success());
    let out = jax_check(&[&dir], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL"), "{stdout}");
    let _ = std::fs::remove_dir_all(dir);
}
