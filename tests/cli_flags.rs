//! What a new user meets at the command line: every flag a subcommand lists
//! works (and the others are not listed), the time step may be left to
//! mflda, a run lands on its end time or stops early, and an interrupt
//! during the equilibrium stops it at once, leaving a directory that a plain
//! rerun accepts. Tiny 1D runs on the embedded default.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{mflda, output_text as text};
use mflda::config::Config;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-flags-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `mflda <command> --out DIR` on a 32-point 1D default game, with `extra`
/// arguments after.
fn tiny(command: &str, dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        command,
        "--out",
        dir.to_str().unwrap(),
        "--set",
        "grid.dim=1",
        "--set",
        "grid.n=32",
        "--set",
        "equilibrium.tol=1e-4",
    ];
    args.extend(extra);
    mflda(&args)
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// `--t-end` works on a fresh run (it was silently ignored without
/// `--resume`), and on a resumed one only moves the end later: an earlier
/// end is refused instead of shortening the run and rewriting config.toml.
#[test]
fn t_end_applies_to_fresh_runs_and_only_extends_resumed_ones() {
    let dir = tmp("t-end");
    let out = tiny(
        "run",
        &dir,
        &["--set", "time.dt=0.05", "--t-end", "0.5", "--quiet"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(summary(&dir)["t_end"], 0.5);
    let config_before = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    let d = dir.to_str().unwrap();
    let out = mflda(&["run", "--resume", d, "--t-end", "0.2"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--t-end") && err.contains("0.5"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("config.toml")).unwrap(),
        config_before
    );
    // Off the step grid: the run could not end there.
    let out = mflda(&["run", "--resume", d, "--t-end", "0.71"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("0.7"));
    let out = mflda(&["run", "--resume", d, "--t-end", "0.7", "--quiet"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(summary(&dir)["t_end"], 0.7);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Help texts list only what works: `equilibrium` has no `--resume` or
/// `--t-end`, `run` says that `--out` is required unless resuming, and
/// `analyze`, `equilibrium` and `run` all take `-q`, which also silences the
/// software-adapter warning.
#[test]
fn help_lists_only_working_flags_and_quiet_is_quiet() {
    let help = |cmd: &str| String::from_utf8_lossy(&mflda(&[cmd, "--help"]).stdout).into_owned();
    let eq = help("equilibrium");
    assert!(!eq.contains("--resume") && !eq.contains("--t-end"), "{eq}");
    assert!(eq.contains("--quiet"), "{eq}");
    let run = help("run");
    assert!(run.contains("required unless --resume"), "{run}");
    assert!(help("analyze").contains("--quiet"));
    let dir = tmp("quiet");
    for command in ["equilibrium", "analyze"] {
        let out = tiny(command, &dir, &["-q", "--force"]);
        assert!(out.status.success(), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("software adapter"), "{command}: {err}");
        assert!(!dir.join("snapshots").exists(), "{command} made snapshots/");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A step that does not divide `t_end` is shortened so that the run ends
/// exactly at `t_end` (it ended at 20.001 with dt = 0.003); the step taken is
/// recorded in config.toml.
#[test]
fn a_run_ends_exactly_at_its_end_time() {
    let dir = tmp("landing");
    let out = tiny("run", &dir, &["--set", "time.dt=0.03", "--t-end", "0.5"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("shortened"),
        "{}",
        text(&out)
    );
    let s = summary(&dir);
    assert_eq!(
        (s["t_end"].as_f64(), s["steps"].as_u64()),
        (Some(0.5), Some(17))
    );
    let config = Config::load(&dir.join("config.toml")).unwrap();
    assert_eq!(config.time.dt, Some(0.5 / 17.0));
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let last_t: f64 = csv
        .lines()
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(last_t, 0.5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// With no step given (or `"auto"`), the run takes the estimate, says so and
/// records it; `equilibrium` and `analyze` need no `[time]` table at all.
#[test]
fn the_step_may_be_left_to_mflda_and_time_may_be_left_out() {
    let dir = tmp("auto");
    let out = tiny("run", &dir, &["--set", "time.dt=auto", "--t-end", "0.5"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("automatic"),
        "{}",
        text(&out)
    );
    let config = Config::load(&dir.join("config.toml")).unwrap();
    let dt = config.time.dt.expect("the chosen step is recorded");
    let estimate = summary(&dir)["step_estimate"]["dt_max"].as_f64().unwrap();
    assert!(
        dt <= 0.9 * estimate * (1.0 + 1e-12) && dt <= 0.5 / 100.0,
        "{dt} {estimate}"
    );

    let cfg = dir.with_extension("toml");
    std::fs::write(
        &cfg,
        "[grid]\ndim = 1\nn = 32\n[game]\ntau = 0.3\nkernel = \"cos(z.x)\"\n",
    )
    .unwrap();
    for command in ["equilibrium", "analyze"] {
        let out = mflda(&[
            command,
            cfg.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--force",
        ]);
        assert!(out.status.success(), "{command}: {}", text(&out));
    }
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("analysis.json")).unwrap()).unwrap();
    // The uniform equilibrium of cos(z): the rightmost rate is tau |kappa_1|^2.
    let rate = a["predicted_rate"].as_f64().unwrap();
    assert!((rate - 0.3).abs() < 1e-3, "{rate}");
    let _ = std::fs::remove_file(&cfg);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `time.stop_below` ends a run once the joint L2 distance falls below it,
/// and summary.json says so.
#[test]
fn a_run_stops_early_below_stop_below() {
    let dir = tmp("stop-below");
    let out = tiny(
        "run",
        &dir,
        &[
            "--set",
            "game.tau=1.0",
            "--set",
            "time.dt=0.05",
            "--set",
            "time.stop_below=1e-3",
            "--t-end",
            "50",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let s = summary(&dir);
    assert_eq!(s["stop"], "stop-below");
    assert_eq!(s["stop_below"], 1e-3);
    let t = s["t_end"].as_f64().unwrap();
    assert!(t < 50.0, "{t}");
    let m = &s["final_metrics"];
    let joint = m["mu"]["l2"]
        .as_f64()
        .unwrap()
        .hypot(m["nu"]["l2"].as_f64().unwrap());
    assert!(joint < 1e-3, "{s:#}");
    // With stop_below lowered in its config.toml the run continues (the
    // checkpoint's hash leaves the end of a run out) to t_end.
    let cfg = dir.join("config.toml");
    let toml = std::fs::read_to_string(&cfg).unwrap();
    assert!(toml.contains("stop_below = 0.001"), "{toml}");
    std::fs::write(
        &cfg,
        toml.replace("stop_below = 0.001", "stop_below = 1e-300"),
    )
    .unwrap();
    let out = mflda(&["run", "--resume", dir.to_str().unwrap(), "-q"]);
    assert!(out.status.success(), "{}", text(&out));
    let s = summary(&dir);
    assert_eq!(
        (s["stop"].as_str(), s["t_end"].as_f64()),
        (Some("t-end"), Some(50.0))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A game with no payoff is the heat equation: nothing limits the step, the
/// estimate is infinite (null in JSON), and its run resumes and extends.
#[test]
fn the_heat_equation_runs_with_an_unlimited_step_and_extends() {
    let dir = tmp("heat");
    let zero = [
        "--set",
        "game.kernel=0.0",
        "--set",
        "game.potential_mu=0.0",
        "--set",
        "game.potential_nu=0.0",
        "--set",
        "game.interaction=0.0",
        "--set",
        "time.dt=0.05",
        "--t-end",
        "0.5",
        "-q",
    ];
    let out = tiny("run", &dir, &zero);
    assert!(out.status.success(), "{}", text(&out));
    assert!(summary(&dir)["step_estimate"]["dt_max"].is_null());
    let out = mflda(&[
        "run",
        "--resume",
        dir.to_str().unwrap(),
        "--t-end",
        "1.0",
        "-q",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(summary(&dir)["t_end"], 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGINT during the equilibrium stops it at once (it ran to the end before)
/// and removes the directory the run had made, so the same command runs
/// again without `--force`. The equilibrium here would take minutes: a
/// 512^2 grid at a low temperature (whose transient it waits out), a
/// tolerance below reach.
#[test]
fn an_interrupt_during_the_equilibrium_stops_it_and_a_rerun_works() {
    let dir = tmp("interrupt");
    let args = [
        "run",
        "--out",
        dir.to_str().unwrap(),
        "--set",
        "grid.n=512",
        "--set",
        "game.tau=0.02",
        "--set",
        "equilibrium.tol=1e-12",
        "--set",
        "equilibrium.max_iter=100000",
        "--set",
        "time.t_end=0.02",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the equilibrium has started: its directory exists.
    let start = Instant::now();
    while !dir.join("config.toml").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(30),
            "still running 30 s after the interrupt"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted during the equilibrium iteration"),
        "{err}"
    );
    assert!(!dir.exists(), "the run directory was left behind:\n{err}");
    let again = tiny(
        "run",
        &dir,
        &["--set", "time.t_end=0.05", "--set", "time.dt=0.05", "-q"],
    );
    assert!(again.status.success(), "{}", text(&again));
    let _ = std::fs::remove_dir_all(&dir);
}
