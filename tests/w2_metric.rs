//! `output.w2 = true`: runs add `w2_<species>`, W2 itself to the stationary
//! density, to metrics.csv, equal to the distance of the saved densities
//! (`mflda w2` of a snapshot and `<species>_star.npy`), and draw it.

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::Command;

use mflda::gpu::Shape;
use mflda::output::read_npy_f32;
use mflda::w2::bfm_cpu::{w2_bfm, BfmOptions};
use mflda::w2::circle::w2_circle;

fn run(name: &str, sets: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-w2-metric-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mflda"));
    cmd.args(["run", "-q", "--out", dir.to_str().unwrap()]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The header and the last row of metrics.csv.
fn last_row(dir: &Path) -> (Vec<String>, Vec<f64>) {
    let text = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let last = lines.last().unwrap();
    (
        header,
        last.split(',').map(|v| v.parse().unwrap()).collect(),
    )
}

fn density(path: &Path) -> Vec<f64> {
    let (_, v) = read_npy_f32(path).unwrap();
    v.into_iter().map(|x| f64::from(x).max(0.0)).collect()
}

fn column(header: &[String], row: &[f64], name: &str) -> f64 {
    let i = header.iter().position(|c| c == name).expect(name);
    row[i]
}

#[test]
fn a_1d_run_reports_the_circle_distance_of_its_densities() {
    let dir = run(
        "1d",
        &["grid.dim=1", "grid.n=128", "time.t_end=2", "output.w2=true"],
    );
    let (header, row) = last_row(&dir);
    for name in ["mu", "nu"] {
        let got = column(&header, &row, &format!("w2_{name}"));
        let rho = density(&dir.join(format!("{name}_final.npy")));
        let star = density(&dir.join(format!("{name}_star.npy")));
        let want = w2_circle(&rho, &star, TAU).unwrap().w2;
        assert!(
            (got - want).abs() <= 1e-5 * want,
            "w2_{name}: {got} against {want}"
        );
        assert!(
            want > 1e-3,
            "the run should still be away from rho*: {want}"
        );
    }
    // metrics.png draws it: its SVG twin has the legend entries.
    let svg = std::fs::read_to_string(dir.join("metrics.svg")).unwrap();
    assert!(
        svg.contains("W2, mu") && svg.contains("W2, nu"),
        "W2 is not drawn"
    );
}

#[test]
fn a_2d_run_reports_the_transport_distance_of_its_densities() {
    let dir = run(
        "2d",
        &[
            "grid.n=32",
            "time.t_end=0.5",
            "output.metrics_every=0.25",
            "output.w2=true",
        ],
    );
    let (header, row) = last_row(&dir);
    assert!(header.iter().any(|c| c == "w2_nu"), "{header:?}");
    let got = column(&header, &row, "w2_mu");
    let rho = density(&dir.join("mu_final.npy"));
    let star = density(&dir.join("mu_star.npy"));
    let r = w2_bfm(&rho, &star, Shape::square(32), TAU, BfmOptions::default()).unwrap();
    // The inputs differ in round-off (the run's rho* is exp of its f32 log),
    // which may move the stop rule by an iteration: 1e-3 of W2.
    assert!(
        (got - r.w2()).abs() <= 1e-3 * r.w2(),
        "w2_mu: {got} against {}",
        r.w2()
    );
}
