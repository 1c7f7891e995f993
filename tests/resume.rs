//! Robustness of runs: determinism, SIGTERM then resume with bit-identical
//! outputs, checkpoint atomicity, a blow-up that keeps the last good state, a
//! resume refused after the config changed, and a complete run extended to a
//! later end.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mflda::output::{read_npy_f32, Checkpoint};

const BIN: &str = env!("CARGO_BIN_EXE_mflda");

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-resume-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A small 2D run with frequent checkpoints and snapshots.
fn run_args(out: &Path, t_end: &str) -> Vec<String> {
    let mut v: Vec<String> = ["run", "-q", "--force", "--out"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.push(out.display().to_string());
    for s in [
        "grid.n=32",
        "time.dt=0.02",
        &format!("time.t_end={t_end}"),
        "output.metrics_every=0.04",
        "output.snapshots_every=0.5",
        "output.checkpoint_every=0.2",
    ] {
        v.push("--set".into());
        v.push(s.into());
    }
    v
}

fn files_equal(a: &Path, b: &Path, name: &str) {
    let x =
        std::fs::read(a.join(name)).unwrap_or_else(|e| panic!("{name} in {}: {e}", a.display()));
    let y =
        std::fs::read(b.join(name)).unwrap_or_else(|e| panic!("{name} in {}: {e}", b.display()));
    assert!(
        x == y,
        "{name} differs between {} and {}",
        a.display(),
        b.display()
    );
}

fn snapshots(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn same_config_gives_bit_identical_outputs() {
    let (a, b) = (tmp("det-a"), tmp("det-b"));
    for d in [&a, &b] {
        let out = Command::new(BIN).args(run_args(d, "1.0")).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for f in [
        "metrics.csv",
        "mu_final.npy",
        "nu_final.npy",
        "mu_star.npy",
        "config.toml",
    ] {
        files_equal(&a, &b, f);
    }
    let _ = (std::fs::remove_dir_all(&a), std::fs::remove_dir_all(&b));
}

#[test]
fn sigterm_then_resume_matches_an_uninterrupted_run() {
    let (whole, cut) = (tmp("whole"), tmp("cut"));
    let t_end = "8.0";
    let out = Command::new(BIN)
        .args(run_args(&whole, t_end))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let child = Command::new(BIN)
        .args(run_args(&cut, t_end))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signal once the first checkpoint exists, so the run is mid-way.
    let start = Instant::now();
    while !std::fs::read_dir(&cut).is_ok_and(|mut d| {
        d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("checkpoint-")))
    }) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("--resume"),
        "the message says how to resume: {stderr}"
    );
    assert!(
        !cut.join("mu_final.npy").exists(),
        "the run stopped before its end"
    );

    let out = Command::new(BIN)
        .args(["run", "-q", "--resume", cut.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["metrics.csv", "mu_final.npy", "nu_final.npy"] {
        files_equal(&whole, &cut, f);
    }
    assert_eq!(snapshots(&whole), snapshots(&cut));
    for s in snapshots(&whole) {
        files_equal(&whole, &cut, &format!("snapshots/{s}"));
    }
    let _ = (
        std::fs::remove_dir_all(&whole),
        std::fs::remove_dir_all(&cut),
    );
}

#[test]
fn a_checkpoint_cut_mid_write_leaves_the_previous_one_loadable() {
    let dir = tmp("atomic");
    std::fs::create_dir_all(&dir).unwrap();
    let make = |step: u64| Checkpoint {
        step,
        t: step as f64 * 0.5,
        config_hash: 42,
        arrays: vec![
            (
                "state".into(),
                (0..64).map(|i| i as f32 * step as f32).collect(),
            ),
            ("eq_logs".into(), vec![-1.5; 16]),
        ],
        meta: serde_json::json!({ "note": step }),
    };
    make(10).write(&dir).unwrap();
    let second = make(20).write(&dir).unwrap();
    // The third write is cut off: a partial temporary file, never renamed...
    std::fs::write(
        dir.join(".checkpoint-000000000030.bin.tmp"),
        b"MFLDACK1 partial",
    )
    .unwrap();
    // ...and, worse, the newest complete file is damaged on disk.
    let bytes = std::fs::read(&second).unwrap();
    std::fs::write(&second, &bytes[..bytes.len() / 2]).unwrap();
    let (loaded, skipped) = Checkpoint::load_latest(&dir).unwrap();
    let loaded = loaded.expect("the previous checkpoint is still there");
    assert_eq!(loaded, make(10));
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].contains("checksum") || skipped[0].contains("truncated"),
        "{skipped:?}"
    );
    // Only the two newest are kept.
    for s in [30, 40, 50] {
        make(s).write(&dir).unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("checkpoint-"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [Checkpoint::file_name(40), Checkpoint::file_name(50)]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_blow_up_stops_cleanly_and_keeps_the_last_good_state() {
    // A strong drift (|grad V| ~ 20) with a step far above the stable one.
    let dir = tmp("blowup");
    let out = Command::new(BIN)
        .args(["run", "-q", "--out", dir.to_str().unwrap()])
        .args([
            "--set",
            "grid.n=32",
            "--set",
            "game.kernel=20.0 * cos(z.x) * cos(z.y)",
        ])
        .args(["--set", "time.dt=0.5", "--set", "output.metrics_every=0.5"])
        .args([
            "--set",
            "time.t_end=20",
            "--set",
            "output.snapshots_every=0",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("time.dt") && stderr.contains("blew up"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--set time.dt=1.250e-1"),
        "suggests dt/4: {stderr}"
    );
    // The message names the kept snapshot: it exists and is finite.
    let marker = "the last good state (t = ";
    let at = stderr.find(marker).unwrap_or_else(|| panic!("{stderr}")) + marker.len();
    let rest = &stderr[at..];
    let path = rest[rest.find(") is in ").unwrap() + ") is in ".len()..]
        .split_whitespace()
        .next()
        .unwrap();
    let good = std::path::Path::new(path);
    assert!(good.starts_with(dir.join("snapshots")), "{path}");
    let (_, mu) = read_npy_f32(good).unwrap();
    assert!(
        mu.iter().all(|v| v.is_finite()),
        "the kept state is the good one"
    );
    let rows = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    assert!(
        rows.lines().count() >= 2,
        "metrics up to the blow-up are kept"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resume_refuses_a_changed_config() {
    let dir = tmp("changed");
    let mut child = Command::new(BIN)
        .args(run_args(&dir, "8.0"))
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !dir.join(Checkpoint::file_name(10)).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("tau = 0.2", "tau = 0.3");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(BIN)
        .args(["run", "-q", "--resume", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("config.toml") && stderr.contains("changed"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_signal_exits_at_once() {
    // A grid big enough that a chunk of steps takes a while on a software adapter.
    let dir = tmp("twice");
    let child = Command::new(BIN)
        .args(["run", "-q", "--out", dir.to_str().unwrap()])
        .args(["--set", "grid.n=128", "--set", "time.t_end=100"])
        // One loop pass is a chunk of 64 steps (seconds on lavapipe): the second
        // signal lands while the first is still being honoured.
        .args([
            "--set",
            "output.checkpoint_every=0.64",
            "--set",
            "output.metrics_every=0.64",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !dir.join(Checkpoint::file_name(64)).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let term = || {
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
    };
    assert!(term().success());
    std::thread::sleep(Duration::from_millis(30));
    let _ = term();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("second interrupt"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn mflda_ok(args: &[&str]) {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "mflda {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn mflda_err(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(!out.status.success(), "mflda {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A complete run, extended with `--t-end`, ends in the state of a run made
/// to the later end at once (same explicit output schedules), bit for bit;
/// its config.toml records the new end. Resuming a complete run without a
/// later end, or with an end that is not later, is an error naming the fix.
#[test]
fn a_complete_run_extends_to_a_later_end_bit_for_bit() {
    let (a, b) = (tmp("extend-a"), tmp("extend-b"));
    let (a_str, b_args) = (a.to_str().unwrap(), run_args(&b, "1.0"));
    let a_args = run_args(&a, "0.6");
    mflda_ok(&a_args.iter().map(String::as_str).collect::<Vec<_>>());

    let err = mflda_err(&["run", "-q", "--resume", a_str]);
    assert!(
        err.contains("complete") && err.contains(&format!("--resume {a_str} --t-end")),
        "{err}"
    );
    let err = mflda_err(&["run", "-q", "--resume", a_str, "--t-end", "0.5"]);
    assert!(
        err.contains("--t-end") && err.contains("before the run's end time 0.6"),
        "{err}"
    );

    mflda_ok(&["run", "-q", "--resume", a_str, "--t-end", "1.0"]);
    mflda_ok(&b_args.iter().map(String::as_str).collect::<Vec<_>>());
    for f in ["mu_final.npy", "nu_final.npy", "metrics.csv", "config.toml"] {
        files_equal(&a, &b, f);
    }
    // The extended run keeps the snapshot of its old end besides b's.
    let (sa, sb) = (snapshots(&a), snapshots(&b));
    assert!(sb.iter().all(|s| sa.contains(s)), "{sa:?} vs {sb:?}");
    for s in &sb {
        files_equal(&a, &b, &format!("snapshots/{s}"));
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["steps"], 50, "{summary}");
    assert_eq!(summary["resumed_from_step"], 30, "{summary}");
    assert_eq!(summary["t_end"], 1.0, "{summary}");
    for d in [&a, &b] {
        let _ = std::fs::remove_dir_all(d);
    }
}
