//! `mflda sweep` end to end on tiny 1D grids: the run directories and
//! `sweep.csv`, a failing configuration, `--emit-jobs` and `--collect`, an
//! unknown key; and every example config under `assets/examples/` loads.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mflda::config::Config;

/// A 1D game on 32 points (its potentials make the equilibrium
/// non-uniform, so that solving it takes iterations), a short run, no
/// snapshots, frames or checkpoints.
const TINY: &str = r#"
[grid]
dim = 1
n = 32
[game]
tau = 0.2
kernel = "cos(z.x)"
potential_mu = "0.5 * cos(x.x)"
potential_nu = "0.5 * sin(y.x)"
[init]
mu = "eq * (1.0 + 0.4 * (rand(x) - 0.5) + 0.3 * cos(x.x))"
nu = "eq"
[time]
dt = 0.05
t_end = 1.0
[output]
metrics_every = 0.1
snapshots_every = 0
frames_every = 0
checkpoint_every = 0
checkpoint_wall = 0
"#;

const HEADER: &str = "status,converged,measured_rate,predicted_rate,final_ni,final_l2,\
                      wall_time_s,dir,error";

fn mflda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .output()
        .expect("the mflda binary runs")
}

/// A fresh scratch directory holding `tiny.toml`; returns (dir, config path).
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("mflda-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    (dir, config)
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `sweep.csv` as rows of cells (no quoted fields in these tests).
fn read_csv(dir: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("sweep.csv"))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0].iter().position(|c| c == name).expect(name);
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

#[test]
fn two_by_two_sweep_writes_runs_and_table_and_collect_rebuilds_it() {
    let (dir, config) = scratch("grid");
    let out = dir.join("sweep");
    let args = [
        "sweep",
        config.to_str().unwrap(),
        "--param",
        "game.tau=0.2,0.1",
        "--param",
        "init.seed=1,2",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "time.t_end=0.5",
        "--quiet",
    ];
    let run = mflda(&args);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));

    let rows = read_csv(&out);
    assert_eq!(rows[0].join(","), format!("game.tau,init.seed,{HEADER}"));
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(column(&rows, "game.tau"), ["0.2", "0.2", "0.1", "0.1"]);
    assert_eq!(column(&rows, "init.seed"), ["1", "2", "1", "2"]);
    assert!(
        column(&rows, "status").iter().all(|s| s == "ok"),
        "{rows:?}"
    );
    assert!(column(&rows, "converged")
        .iter()
        .all(|s| s == "yes" || s == "no"));
    for name in ["measured_rate", "final_l2", "final_ni", "wall_time_s"] {
        for v in column(&rows, name) {
            assert!(v.parse::<f64>().is_ok_and(f64::is_finite), "{name} {v}");
        }
    }
    // Every completed run is analysed: -Re of the rightmost eigenvalue.
    for v in column(&rows, "predicted_rate") {
        assert!(
            v.parse::<f64>().is_ok_and(|r| r > 0.0),
            "predicted_rate {v}"
        );
    }
    let dirs = column(&rows, "dir");
    assert_eq!(dirs[2], "run_3_game.tau=0.1_init.seed=1");
    for d in &dirs {
        assert!(out.join(d).join("summary.json").is_file(), "{d}");
        // The analysis is at the run's equilibrium, read, not solved again.
        let json = |f: &std::path::Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()
        };
        let run = json(&out.join(d).join("summary.json"));
        let analysis = json(&out.join(d).join("analysis").join("analysis.json"));
        assert_eq!(analysis["equilibrium_reused"], true, "{d}");
        for key in ["iterations", "stop", "residual", "tol"] {
            assert_eq!(
                analysis["equilibrium"][key], run["equilibrium"][key],
                "{d}: {key}"
            );
        }
    }
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("game.tau") && stdout.contains("ok"),
        "{stdout}"
    );
    // The rates against game.tau, one set of curves per seed, with the bound.
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    for label in [
        "measured rate, init.seed=1",
        "predicted rate, init.seed=2",
        "lower bound",
    ] {
        assert!(svg.contains(label), "sweep.svg lacks {label}");
    }
    assert!(image::open(out.join("sweep.png")).is_ok());

    // The same sweep again is refused without --force, before any run.
    let again = mflda(&args);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("--force"), "{}", text(&again));

    // --collect rebuilds the table; a removed run is `missing`.
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    std::fs::remove_file(out.join("sweep.png")).unwrap();
    std::fs::remove_dir_all(out.join(&dirs[1])).unwrap();
    let mut collect_args = args.to_vec();
    collect_args.push("--collect");
    let collected = mflda(&collect_args);
    assert_eq!(collected.status.code(), Some(2), "{}", text(&collected));
    let again = read_csv(&out);
    assert_eq!(again[0], rows[0]);
    assert_eq!(
        column(&again, "status"),
        ["ok", "missing", "ok", "ok"],
        "{again:?}"
    );
    for (a, b) in again
        .iter()
        .zip(&rows)
        .skip(1)
        .filter(|(a, _)| a[2] == "ok")
    {
        assert_eq!(a, b, "a collected row equals the row the sweep wrote");
    }
    assert!(
        out.join("sweep.png").is_file(),
        "--collect draws the rates too"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A configuration that fails only when it runs (its initial density is
/// negative somewhere, which sampling finds) is recorded as failed, and the
/// runs after it complete.
#[test]
fn a_failing_run_is_recorded_and_the_sweep_goes_on() {
    let (dir, config) = scratch("fail");
    let out = dir.join("sweep");
    let run = mflda(&[
        "sweep",
        config.to_str().unwrap(),
        "--param",
        "init.nu=eq,eq * cos(x.x),eq * (1.0 + 0.5 * cos(x.x))",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "time.t_end=0.3",
        "--quiet",
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("run_2_init.nu=eq_cos_x.x"), "{stderr}");

    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with(&format!("init.nu,{HEADER}")), "{csv}");
    assert!(lines[1].starts_with("eq,ok,"), "{csv}");
    assert!(lines[2].starts_with("eq * cos(x.x),failed,"), "{csv}");
    assert!(csv.contains("init.nu") && csv.contains("negative"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("eq * (1.0 + 0.5 * cos(x.x)),ok,")),
        "the run after the failure completes:\n{csv}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every value of every parameter is checked before the first run: a bad
/// one (out of range, or an expression that does not compile) fails the
/// sweep at once, naming the key and the value, and nothing is run.
#[test]
fn a_bad_value_fails_before_the_first_run() {
    let (dir, config) = scratch("bad-value");
    let out = dir.join("sweep");
    for (param, key, value) in [
        ("game.tau=0.1,-0.2", "game.tau", "-0.2"),
        ("game.kernel=cos(z.x),cos(q.x)", "game.kernel", "cos(q.x)"),
    ] {
        let run = mflda(&[
            "sweep",
            config.to_str().unwrap(),
            "--param",
            param,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run));
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.contains(key) && err.contains(&format!("`{value}`")),
            "{err}"
        );
        assert!(!out.exists(), "a run started:\n{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without a config file a sweep starts from the embedded default, as `run`
/// does; its job lines then name no config.
#[test]
fn a_sweep_without_a_config_uses_the_embedded_default() {
    let (dir, _) = scratch("default");
    let out = dir.join("sweep");
    let jobs = dir.join("jobs.txt");
    let run = mflda(&[
        "sweep",
        "--param",
        "game.tau=0.5,0.3",
        "--out",
        out.to_str().unwrap(),
        "--emit-jobs",
        jobs.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run));
    let lines = std::fs::read_to_string(&jobs).unwrap();
    assert_eq!(lines.lines().count(), 2, "{lines}");
    assert!(
        lines
            .lines()
            .all(|l| l.contains(" run --out ") && l.contains("game.tau=")),
        "{lines}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emitted_jobs_run_independently_and_collect() {
    let (dir, config) = scratch("jobs");
    let out = dir.join("sweep");
    let jobs = dir.join("jobs.txt");
    let sweep_args = [
        "sweep",
        config.to_str().unwrap(),
        "--param",
        "game.tau=0.2,0.1",
        "--param",
        "init.mu=eq * (1.0 + 0.5 * cos(x.x)),eq",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "time.t_end=0.3",
    ];
    let mut emit_args = sweep_args.to_vec();
    emit_args.extend(["--emit-jobs", jobs.to_str().unwrap()]);
    let emit = mflda(&emit_args);
    assert_eq!(emit.status.code(), Some(0), "{}", text(&emit));
    assert!(!out.exists(), "--emit-jobs runs nothing");
    let file = std::fs::read_to_string(&jobs).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(lines.len(), 4, "{file}");
    let config_abs = std::path::absolute(&config).unwrap();
    for line in &lines {
        assert!(line.starts_with(env!("CARGO_BIN_EXE_mflda")), "{line}");
        assert!(line.contains(&format!(" run {} --out ", config_abs.display())));
        assert!(
            line.contains("--set time.t_end=0.3 --set game.tau="),
            "{line}"
        );
        // Then the analysis of the config the run wrote, for predicted_rate.
        let (_, analyze) = line.split_once(" && ").expect("run && analyze");
        assert!(
            analyze.starts_with(env!("CARGO_BIN_EXE_mflda"))
                && analyze.contains("/config.toml --out ")
                && analyze.contains("/analysis --equilibrium-from ")
                && analyze.ends_with(" --force"),
            "{analyze}"
        );
    }
    assert!(
        lines[0].contains("'init.mu=eq * (1.0 + 0.5 * cos(x.x))'"),
        "{}",
        lines[0]
    );

    let bash = Command::new("bash")
        .args(["-c", lines[0]])
        .output()
        .unwrap();
    assert!(bash.status.success(), "{}", text(&bash));
    let first = out.join("run_1_game.tau=0.2_init.mu=eq_1.0_+_0.5_cos_x.x");
    assert!(first.join("summary.json").is_file());
    assert!(first.join("analysis").join("analysis.json").is_file());
    // The emitted analysis is at the run's equilibrium, read, not solved.
    let json = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let analysis = json(&first.join("analysis").join("analysis.json"));
    assert_eq!(analysis["equilibrium_reused"], true);
    let run = json(&first.join("summary.json"));
    for key in ["iterations", "stop", "residual", "tol"] {
        assert_eq!(
            analysis["equilibrium"][key], run["equilibrium"][key],
            "{key}"
        );
    }
    let resolved = Config::load(&first.join("config.toml")).unwrap();
    assert_eq!(resolved.game.as_ref().unwrap().tau, 0.2);
    assert_eq!(resolved.init.mu, "eq * (1.0 + 0.5 * cos(x.x))");

    let mut collect_args = sweep_args.to_vec();
    collect_args.push("--collect");
    let collected = mflda(&collect_args);
    assert_eq!(collected.status.code(), Some(2), "{}", text(&collected));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(rows[0].contains(",ok,"), "{csv}");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let predicted = header.iter().position(|h| *h == "predicted_rate").unwrap();
    // The init.mu values hold commas, quoted: read the column from the end.
    let from_end = header.len() - predicted;
    let cells: Vec<&str> = rows[0].split(',').collect();
    let cell = cells[cells.len() - from_end];
    assert!(
        cell.parse::<f64>().is_ok_and(|r| r > 0.0),
        "predicted_rate {cell:?} in {csv}"
    );
    assert!(rows[1..].iter().all(|r| r.contains(",missing,")), "{csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_keys_fail_before_anything_runs() {
    let (dir, config) = scratch("unknown");
    let out = dir.join("sweep");
    let run = mflda(&[
        "sweep",
        config.to_str().unwrap(),
        "--param",
        "game.tua=0.2,0.1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("game.tua") && err.contains("did you mean `game.tau`"),
        "{err}"
    );
    assert!(err.contains("--param game.tua=0.2,0.1"), "{err}");
    assert!(!out.exists());

    let run = mflda(&[
        "sweep",
        config.to_str().unwrap(),
        "--param",
        "game.tau=0.2",
        "--set",
        "time.tend=3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("time.t_end"));
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_example_config_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    let mut studies = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let study = entry.unwrap().path();
        if !study.is_dir() {
            continue;
        }
        studies += 1;
        assert!(study.join("README.md").is_file(), "{}", study.display());
        let mut configs = 0;
        for file in std::fs::read_dir(&study).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let config =
                    Config::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                // Small enough to try on a software adapter in a minute.
                let points = (config.grid.n as u64).pow(config.grid.dim);
                assert!(points <= 64 * 64, "{}: {points} points", path.display());
                configs += 1;
            }
        }
        assert!(configs > 0, "{} has no config", study.display());
    }
    assert!(studies >= 3, "{studies} example studies");
}
