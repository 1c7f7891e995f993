//! `mflda sweep --particles`, the propagation-of-chaos study: chaos.csv
//! (one row per configuration, the MMD to the grid near its noise floor,
//! one fitted slope per group near -1/2), chaos.png, `--collect` giving the
//! same table from the run directories, `--emit-jobs` emitting `mflda
//! particles` commands, and a study without the grid refused.

mod common;

use common::mflda;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const COMMON: [&str; 12] = [
    "--set",
    "grid.n=16",
    "--set",
    "time.t_end=2",
    "--set",
    "output.metrics_every=0.1",
    "--set",
    "output.snapshots_every=0",
    "--set",
    "init.mu=\"eq\"",
    "--set",
    "init.nu=\"eq\"",
];

#[test]
fn a_particle_study_tabulates_the_mmd_against_n() {
    let out = scratch("chaos");
    let dir = out.to_str().unwrap();
    let mut args = vec![
        "sweep",
        "--particles",
        "-q",
        "--param",
        "particles.n=400,3200",
        "--param",
        "time.dt=0.05,0.1",
        "-o",
        dir,
    ];
    args.extend(COMMON);
    let run = mflda(&args);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{}", common::output_text(&run));
    assert!(stdout.contains("chaos.csv"), "{stdout}");
    let text = std::fs::read_to_string(out.join("chaos.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
    let num = |r: &[&str], c: &str| r[col(c)].parse::<f64>().unwrap();
    for r in &rows {
        assert_eq!(r[col("status")], "ok", "{r:?}");
        for s in ["mu", "nu"] {
            // Started at the equilibrium, the particles stay within their
            // sampling noise of the grid: the raw MMD^2 is about the noise
            // term, and the debiased value is a fraction of it.
            let (raw, noise) = (num(r, &format!("mmd2_{s}")), num(r, &format!("noise_{s}")));
            assert!(
                raw > 0.5 * noise && raw < 2.0 * noise,
                "{s}: {raw} vs noise {noise}"
            );
            let deb = num(r, &format!("debiased_{s}"));
            assert!(
                deb.abs() < 0.8 * noise,
                "{s}: debiased {deb} vs noise {noise}"
            );
            assert_eq!(num(r, &format!("n_{s}")), num(r, "particles.n"));
        }
    }
    // One slope per (dt, species) group, shared by its rows, near -1/2.
    for s in ["mu", "nu"] {
        for dt in ["0.05", "0.1"] {
            let group: Vec<f64> = rows
                .iter()
                .filter(|r| r[col("time.dt")] == dt)
                .map(|r| num(r, &format!("slope_{s}")))
                .collect();
            assert_eq!(group.len(), 2);
            assert_eq!(group[0], group[1]);
            assert!(
                group[0] > -0.8 && group[0] < -0.2,
                "{s} dt {dt}: slope {}",
                group[0]
            );
        }
        // The noise term of n exact samples scales as 1/n.
        let noise: Vec<f64> = rows.iter().map(|r| num(r, &format!("noise_{s}"))).collect();
        let ratio = noise[0] / noise[2];
        assert!((ratio - 8.0).abs() < 0.8, "noise 400 / 3200 = {ratio}");
    }
    assert!(out.join("chaos.png").is_file() && out.join("chaos.svg").is_file());
    // --collect rebuilds the same table (the wall times aside: the same
    // values, read from the same files).
    std::fs::remove_file(out.join("chaos.csv")).unwrap();
    let mut collect = args.clone();
    collect.push("--collect");
    let again = mflda(&collect);
    assert!(again.status.success(), "{}", common::output_text(&again));
    assert_eq!(
        std::fs::read_to_string(out.join("chaos.csv")).unwrap(),
        text
    );
    // The jobs are `mflda particles` commands, one per configuration.
    let jobs = out.join("jobs.txt");
    let mut emit = args.clone();
    emit.extend(["--emit-jobs", jobs.to_str().unwrap(), "--force"]);
    let emitted = mflda(&emit);
    assert!(
        emitted.status.success(),
        "{}",
        common::output_text(&emitted)
    );
    let lines = std::fs::read_to_string(&jobs).unwrap();
    assert_eq!(lines.lines().count(), 4);
    for l in lines.lines() {
        assert!(l.contains(" particles ") && !l.contains("analyze"), "{l}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_particle_study_without_the_grid_is_refused() {
    let out = scratch("chaos-no-grid");
    let mut args = vec![
        "sweep",
        "--particles",
        "-q",
        "--param",
        "particles.n=100,200",
        "--set",
        "particles.compare=false",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(COMMON);
    let run = mflda(&args);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("particles.compare"), "{stderr}");
    let _ = std::fs::remove_dir_all(&out);
}
