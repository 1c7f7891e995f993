//! `mflda particles` end to end (every output of the default game on a
//! small grid), its bad input, and `mflda bench particles`' figures.

mod common;

use mflda::config::Config;

fn mflda(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .output()
        .expect("the mflda binary runs")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `mflda particles` on the embedded default game (a small grid and few
/// particles here) writes every output: metrics.csv with a row per
/// metrics time and the grid comparison, positions per species at each
/// snapshot time, frames (each species' histogram beside its grid
/// density), summary.json, metrics.png and the stationary densities.
#[test]
fn the_particles_command_writes_its_outputs() {
    let out = scratch("particles");
    let dir = out.to_str().unwrap();
    let run = mflda(&[
        "particles",
        "-q",
        "--set",
        "grid.n=16",
        "--set",
        "particles.n=3000",
        "--set",
        "time.t_end=0.2",
        "--set",
        "output.metrics_every=0.1",
        "--set",
        "output.snapshots_every=0.2",
        "--set",
        "output.frames_every=0.1",
        "--set",
        "output.frame_size=64",
        "-o",
        dir,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "header and rows at t = 0, 0.1, 0.2:\n{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in [
        "t",
        "mmd_mu",
        "mmddeb_nu",
        "mmdeq_mu",
        "m10re_nu",
        "gridm01im_mu",
    ] {
        assert!(header.contains(&col), "no column {col} in {header:?}");
    }
    // At t = 0 the particles are exact draws of the grid's density: the
    // debiased MMD is within a few noise units of 0.
    let row: Vec<f64> = lines[1].split(',').map(|v| v.parse().unwrap()).collect();
    let at = |c: &str| row[header.iter().position(|h| *h == c).unwrap()];
    for s in ["mu", "nu"] {
        let (deb, noise) = (at(&format!("mmddeb_{s}")), at(&format!("mmdnoise_{s}")));
        assert!(
            deb.abs() < 3.0 * noise,
            "{s}: debiased {deb} vs noise {noise}"
        );
    }
    for (s, t) in [("mu", "00000.000000"), ("nu", "00000.200000")] {
        let (shape, data) =
            mflda::output::read_npy_f32(&out.join(format!("particles/{s}_{t}.npy"))).unwrap();
        assert_eq!(shape, vec![3000, 2]);
        let l = std::f32::consts::TAU;
        assert!(data.iter().all(|&v| (0.0..l).contains(&v)));
    }
    for f in [
        "summary.json",
        "metrics.png",
        "config.toml",
        "mu_star.npy",
        "nu_star.npy",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Frames at t = 0, 0.1, 0.2: four panels (histogram and grid per
    // species) of the grid upscaled to 64 pixels, side by side.
    for i in 0..3 {
        let img = image::open(out.join(format!("frames/frame_{i:06}.png"))).unwrap();
        assert!(
            img.width() > 4 * 64 && img.height() > 64,
            "{}x{}",
            img.width(),
            img.height()
        );
    }
    assert!(!out.join("frames/frame_000003.png").exists());
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"steps\": 20"), "{summary}");
    let _ = std::fs::remove_dir_all(&out);
}

/// Bad `[particles]` input is refused before anything is written, naming
/// the key and the fix.
#[test]
fn bad_particle_input_is_refused_with_the_fix() {
    let cases: [(&str, &str); 6] = [
        ("particles.n=0", "particles.n"),
        (
            "particles.dynamics=\"langevn\"",
            "did you mean \"langevin\"",
        ),
        ("particles.dynamics=\"wfr\"", "alpha"),
        ("particles.drift=\"fast\"", "particles.drift"),
        ("particles.n={ mu = 10 }", "species `nu` has no count"),
        ("particles.n=4000000000", "do not fit this device"),
    ];
    for (set, needle) in cases {
        let out = scratch("bad-particles");
        let run = mflda(&[
            "particles",
            "-q",
            "--set",
            "grid.n=16",
            "--set",
            set,
            "-o",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{set} was accepted");
        assert!(
            stderr.contains(needle),
            "{set}: `{needle}` not in:\n{stderr}"
        );
        assert!(!out.exists(), "{set}: the run directory was made");
    }
    let config = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Config::from_toml_str_with_sets(mflda::config::DEFAULT_TOML, "default", &sets).unwrap()
    };
    // The grid beside the particles is their mean-field limit.
    let wfr = config(&["particles.dynamics=\"wfr\"", "particles.alpha=0.5"]);
    assert_eq!(wfr.particles_companion().unwrap().time.fisher_rao, 0.5);
    for (sets, needle) in [
        (
            &[
                "particles.dynamics=\"wfr\"",
                "particles.alpha=0.5",
                "time.fisher_rao=2",
            ][..],
            "differs from particles.alpha",
        ),
        (&["time.fisher_rao=2"][..], "Langevin particles have none"),
        (
            &["particles.dynamics=\"mirror\"", "particles.alpha=1"][..],
            "compare = false",
        ),
    ] {
        let e = config(sets).particles_companion().unwrap_err().to_string();
        assert!(e.contains(needle), "{sets:?}: `{needle}` not in {e}");
    }
    let mirror = config(&[
        "particles.dynamics=\"mirror\"",
        "particles.alpha=1",
        "particles.compare=false",
    ]);
    assert_eq!(mirror.particles_companion().unwrap().time.fisher_rao, 0.0);
}

/// `mflda bench particles`' figures are consistent: both Langevin schemes
/// and WFR per count with the direct sums, Langevin and WFR with the spread
/// drift, the bytes a step moves (with the direct sums each particle's
/// position read and written by its update, and its position and weight
/// read by the moments its drift needs, for both players; with the spread
/// drift at least the forward and inverse FFTs of each player's oversampled
/// grid, 512^2 points for the default 256^2 grid, 16 B per point and pass,
/// two passes), a positive time and its ratio to the copy floor.
#[test]
fn particle_bench_reports_consistent_figures() {
    let ctx = common::ctx();
    let timing = mflda::bench::timing::Timing {
        warmup: 1,
        reps: 5,
        wall_clock: true,
    };
    let report = mflda::bench::particles::run(ctx, &[2000], &timing).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.results.len(), 5);
    let drifts: Vec<&str> = report.results.iter().map(|r| r.drift).collect();
    assert_eq!(
        drifts,
        ["fourier", "fourier", "fourier", "spread", "spread"]
    );
    for r in &report.results {
        // WFR also reads and writes each weight in its update.
        let update = if r.dynamics == "wfr" { 24 } else { 16 };
        if r.drift == "fourier" {
            assert_eq!(r.bytes_per_step, 2 * 2000 * (update + 12), "{}", r.dynamics);
            assert_eq!(
                r.drift_modes, 6,
                "the default game's potentials have six modes"
            );
        } else {
            let ffts = if r.dynamics == "wfr" { 3 } else { 2 };
            let floor = 2 * ffts * 2 * 16 * 512 * 512;
            assert!(r.bytes_per_step > floor, "{r:?}");
            assert_eq!(r.drift_modes, 0);
        }
        let ms = r.time.median_us / 1e3;
        assert!(ms.is_finite() && ms > 0.0, "{ms}");
        let want = ms / (r.bytes_per_step as f64 / (r.copy.gbps * 1e6));
        assert!((r.ratio_to_floor - want).abs() <= 1e-9 * want, "{r:?}");
        assert!(
            (r.particle_steps_per_s - 4000.0 / (ms / 1e3)).abs() < 1e-6 * r.particle_steps_per_s
        );
    }
}

/// A particle run extended from its checkpoint (`--resume DIR --t-end T`)
/// writes, bit for bit, the snapshots and metrics of the run made to T at
/// once (weighted particles, Leimkuhler-Matthews: positions, weights, the
/// grid flow and the noise's step counter all carry over); a complete run
/// resumed without a later end, and a grid run's directory, are refused
/// with the fix.
#[test]
fn an_extended_particle_run_is_the_run_made_at_once() {
    let sets = [
        "grid.n=16",
        "particles.n=3000",
        "output.metrics_every=0.25",
        "output.snapshots_every=0.5",
        "output.checkpoint_every=0.5",
        "output.frames_every=0.5",
        "output.frame_size=32",
        "particles.dynamics=\"wfr\"",
        "particles.alpha=1",
        "particles.scheme=\"leimkuhler-matthews\"",
    ];
    let with = |extra: &[&str], out: &std::path::Path| {
        let mut args = vec!["particles", "-q", "-o", out.to_str().unwrap()];
        for s in sets.iter().chain(extra) {
            args.extend(["--set", s]);
        }
        let run = mflda(&args);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    };
    let (a, b) = (scratch("extend-a"), scratch("extend-b"));
    with(&["time.t_end=1"], &a);
    let more = mflda(&[
        "particles",
        "-q",
        "--resume",
        a.to_str().unwrap(),
        "--t-end",
        "2",
    ]);
    assert!(
        more.status.success(),
        "{}",
        String::from_utf8_lossy(&more.stderr)
    );
    with(&["time.t_end=2"], &b);
    let read = |p: std::path::PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
    let mut snapshots = 0;
    for entry in std::fs::read_dir(b.join("particles")).unwrap() {
        let name = entry.unwrap().file_name();
        let (x, y) = (
            read(a.join("particles").join(&name)),
            read(b.join("particles").join(&name)),
        );
        assert!(x == y, "{name:?} differs");
        snapshots += 1;
    }
    assert_eq!(snapshots, 10, "five snapshot times, two species");
    for i in 0..5 {
        let name = format!("frames/frame_{i:06}.png");
        assert!(read(a.join(&name)) == read(b.join(&name)), "{name} differs");
    }
    assert_eq!(read(a.join("metrics.csv")), read(b.join("metrics.csv")));
    let summary: serde_json::Value = serde_json::from_slice(&read(a.join("summary.json"))).unwrap();
    assert_eq!(summary["resumed_from_step"], 100);
    assert_eq!(summary["steps"], 200);
    // Complete: a later end is needed.
    let again = mflda(&["particles", "-q", "--resume", a.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        !again.status.success() && stderr.contains("--t-end 4"),
        "{stderr}"
    );
    // A grid run's checkpoints are not a particle run's.
    let grid = scratch("extend-grid");
    let run = mflda(&[
        "run",
        "-q",
        "--set",
        "grid.n=16",
        "--set",
        "time.t_end=0.1",
        "--set",
        "output.checkpoint_every=0.05",
        "-o",
        grid.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let wrong = mflda(&[
        "particles",
        "-q",
        "--resume",
        grid.to_str().unwrap(),
        "--t-end",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        !wrong.status.success() && stderr.contains("mflda run --resume"),
        "{stderr}"
    );
    for d in [a, b, grid] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// SIGINT during the steps writes a checkpoint and exits with 130, naming
/// the command that resumes; `--resume` then finishes the run, whose
/// metrics.csv has every row once and whose summary says where it resumed.
/// The run is long (10^5 steps, so that the interrupt lands on any
/// device); once it is stopped the test moves its end to 20 steps past the
/// checkpoint in config.toml (the end is outside the checkpoint's hash, as
/// `--t-end` relies on), so that the resumed part is short.
#[test]
fn an_interrupted_particle_run_resumes_to_its_end() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let out = scratch("particles-interrupt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args([
            "particles",
            "-q",
            "-o",
            out.to_str().unwrap(),
            "--set",
            "grid.n=16",
            "--set",
            "particles.n=20000",
            "--set",
            "time.dt=0.01",
            "--set",
            "time.t_end=1000",
            "--set",
            "output.metrics_every=0.05",
            "--set",
            "output.snapshots_every=0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let csv = out.join("metrics.csv");
    let start = Instant::now();
    while std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count()) < 4 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the steps never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("Resume with: mflda particles --resume"),
        "{err}"
    );
    let step: u64 = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            name.strip_prefix("checkpoint-")?
                .strip_suffix(".bin")?
                .parse()
                .ok()
        })
        .max()
        .expect("a checkpoint");
    assert!(step > 0 && step < 100_000, "checkpoint at step {step}");
    let end = (step + 20).div_ceil(5) * 5;
    let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
    let shorter = config.replace("t_end = 1000.0", &format!("t_end = {}", end as f64 * 0.01));
    assert_ne!(config, shorter, "no t_end in:\n{config}");
    std::fs::write(out.join("config.toml"), shorter).unwrap();
    let resumed = mflda(&["particles", "-q", "--resume", out.to_str().unwrap()]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let times: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        times.len() as u64,
        end / 5 + 1,
        "rows every 5 steps to step {end}"
    );
    for (i, t) in times.iter().enumerate() {
        assert!((t - 0.05 * i as f64).abs() < 1e-9, "row {i} at t = {t}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["steps"], end);
    assert_eq!(summary["resumed_from_step"], step);
    let _ = std::fs::remove_dir_all(&out);
}

/// `particles.drift = "spread"` runs the whole command, says so in
/// summary.json, and follows the run with the direct sums from the same
/// seed: the final positions agree to 1e-4 of the side after 0.2 time units
/// (the drifts differ by a few 1e-6, tests/particles_spread_drift.rs).
#[test]
fn a_spread_drift_run_follows_the_direct_sums() {
    let run_with = |drift: &str| {
        let out = scratch(&format!("particles-{drift}"));
        let run = mflda(&[
            "particles",
            "-q",
            "--set",
            "grid.n=16",
            "--set",
            "particles.n=2000",
            "--set",
            &format!("particles.drift=\"{drift}\""),
            "--set",
            "time.t_end=0.2",
            "--set",
            "output.snapshots_every=0.2",
            "--set",
            "output.frames_every=0",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            run.status.success(),
            "{drift}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
        assert!(
            summary.contains(&format!("\"drift\": \"{drift}\"")),
            "{summary}"
        );
        let (_, x) =
            mflda::output::read_npy_f32(&out.join("particles/mu_00000.200000.npy")).unwrap();
        let _ = std::fs::remove_dir_all(&out);
        x
    };
    let (a, b) = (run_with("fourier"), run_with("spread"));
    let l = std::f32::consts::TAU;
    let worst = a
        .iter()
        .zip(&b)
        .map(|(u, v)| {
            let d = (u - v).abs();
            d.min(l - d)
        })
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4 * l, "positions differ by {worst}");
    assert!(
        a != b,
        "the two drifts gave the same bits: the spread drift was not used"
    );
}
