//! `mflda w2 A.npy B.npy`: the distance between two saved densities, its
//! JSON report, the displacement map, and bad input refused with the fix.

mod common;

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mflda::output::{read_npy_f64, write_npy_f32, write_npy_f64};
use mflda::w2::circle::w2_circle;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mflda-w2-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn w2(args: &[&Path], extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mflda"))
        .arg("w2")
        .args(args)
        .args(extra)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn line(n: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..n).map(|j| f(j as f64 * TAU / n as f64)).collect()
}

#[test]
fn the_circle_distance_of_two_files_is_the_formula_s() {
    let d = dir("circle");
    let f = line(200, |x| (1.5 * x.cos()).exp());
    let g = line(200, |x| 1.0 + 0.8 * (x - 2.0).sin());
    let (a, b) = (d.join("a.npy"), d.join("b.npy"));
    write_npy_f64(&a, &[200], &f).unwrap();
    // float32, and with another mass: normalised, with a note.
    let g32: Vec<f32> = g.iter().map(|v| (3.0 * v) as f32).collect();
    write_npy_f32(&b, &[1, 200], &g32).unwrap();
    let out = w2(&[&a, &b], &["--json"]);
    let r = json(&out);
    let g_read: Vec<f64> = g32.iter().map(|&v| f64::from(v)).collect();
    let want = w2_circle(&f, &g_read, TAU).unwrap().w2;
    assert_eq!(r["w2"].as_f64().unwrap(), want);
    assert_eq!(r["stop"], "exact");
    assert!(String::from_utf8_lossy(&out.stderr).contains("normalised to unit mass"));
}

#[test]
fn a_2d_product_is_within_its_error_bound_and_its_map_is_saved() {
    let d = dir("product");
    let n = 48;
    let (f1, g1) = (
        line(n, |x| 1.0 + 0.5 * x.cos()),
        line(n, |x| (x - 1.0).cos().exp()),
    );
    let (f2, g2) = (
        line(n, |x| 1.0 + 0.3 * x.sin()),
        line(n, |x| 1.0 + 0.6 * (x - 3.0).cos()),
    );
    let mu: Vec<f64> = (0..n * n).map(|i| f1[i % n] * f2[i / n]).collect();
    let nu: Vec<f64> = (0..n * n).map(|i| g1[i % n] * g2[i / n]).collect();
    let (a, b, map) = (d.join("a.npy"), d.join("b.npy"), d.join("map.npy"));
    write_npy_f64(&a, &[n, n], &mu).unwrap();
    write_npy_f64(&b, &[n, n], &nu).unwrap();
    let r = json(&w2(&[&a, &b], &["--json", "--map", map.to_str().unwrap()]));
    let exact2 =
        w2_circle(&f1, &g1, TAU).unwrap().w2.powi(2) + w2_circle(&f2, &g2, TAU).unwrap().w2.powi(2);
    let got2 = r["w2"].as_f64().unwrap().powi(2);
    let bound = r["error_bound"].as_f64().unwrap();
    assert!(
        (got2 - exact2).abs() <= bound * got2,
        "W2^2 {got2} against {exact2}: beyond the bound {bound}"
    );
    assert!(r["iterations"].as_u64().unwrap() > 1);
    let (shape, disp) = read_npy_f64(&map).unwrap();
    assert_eq!(shape, vec![n, n, 2]);
    // The map's cost is the reported primal value.
    let cost: f64 = disp
        .chunks(2)
        .zip(&mu)
        .map(|(v, m)| m * (v[0] * v[0] + v[1] * v[1]))
        .sum::<f64>()
        / mu.iter().sum::<f64>();
    assert!((cost - got2).abs() < 1e-9 * got2, "{cost} against {got2}");
}

/// `--device` runs the device method and `--host` the host one, and they
/// agree; without either, other sides run on the host (said on stderr), as
/// power-of-two ones do on a software adapter (said too) and on a GPU do
/// not; a float32 file is read as well as a float64 one.
#[test]
fn power_of_two_sides_run_on_the_device_and_meet_the_host() {
    let d = dir("device");
    let n = 64;
    let grid = |f: &dyn Fn(f64, f64) -> f64| -> Vec<f64> {
        let h = TAU / n as f64;
        (0..n * n)
            .map(|i| f((i % n) as f64 * h, (i / n) as f64 * h))
            .collect()
    };
    let mu = grid(&|x, y| (0.8 * x.cos() + 0.3 * (x - y).sin()).exp());
    let nu = grid(&|x, y| (1.2 * (y - 2.0).cos() + 0.2 * x.sin()).exp());
    let (a, b) = (d.join("a.npy"), d.join("b.npy"));
    write_npy_f64(&a, &[n, n], &mu).unwrap();
    let nu32: Vec<f32> = nu.iter().map(|&v| v as f32).collect();
    write_npy_f32(&b, &[n, n], &nu32).unwrap();
    let dev = json(&w2(&[&a, &b], &["--json", "--device"]));
    let host = json(&w2(&[&a, &b], &["--json", "--host"]));
    assert_eq!(dev["method"], "back-and-forth (device, f32)");
    assert_eq!(host["method"], "back-and-forth (host, f64)");
    let (wd, wh) = (dev["w2"].as_f64().unwrap(), host["w2"].as_f64().unwrap());
    assert!(
        (wd - wh).abs() <= 2e-4 * wh,
        "device {wd} against host {wh}"
    );
    let auto = w2(&[&a, &b], &["--json"]);
    let software = common::ctx().is_software();
    assert_eq!(
        String::from_utf8_lossy(&auto.stderr).contains("is a software adapter"),
        software
    );
    let want = if software { &host } else { &dev };
    assert_eq!(json(&auto)["method"], want["method"]);
    let small = d.join("small.npy");
    write_npy_f64(&small, &[48, 48], &vec![1.0; 48 * 48]).unwrap();
    let out = w2(&[&small, &small], &["--json"]);
    assert_eq!(json(&out)["method"], "back-and-forth (host, f64)");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a power of two"));
}

#[test]
fn bad_densities_are_refused_with_the_fix() {
    let d = dir("bad");
    let ok = vec![1.0; 16 * 16];
    let mut nan = ok.clone();
    nan[5] = f64::NAN;
    let mut neg = ok.clone();
    neg[7] = -1.0;
    let files = [
        ("ok.npy", vec![16, 16], ok.clone()),
        ("other.npy", vec![8, 32], vec![1.0; 256]),
        ("nan.npy", vec![16, 16], nan),
        ("neg.npy", vec![16, 16], neg),
        ("cube.npy", vec![4, 8, 8], vec![1.0; 256]),
    ];
    for (name, shape, data) in &files {
        write_npy_f64(&d.join(name), shape, data).unwrap();
    }
    let ok = d.join("ok.npy");
    let refused = |b: &str, extra: &[&str], says: &str| {
        let out = w2(&[&ok, &d.join(b)], extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{b}: {err}");
    };
    refused("other.npy", &[], "same grid");
    refused("nan.npy", &[], "not finite");
    refused("neg.npy", &[], "negative");
    refused("cube.npy", &[], "1D (N,) or 2D (N, N)");
    refused("ok.npy", &["--length=-1"], "--length");
    refused("ok.npy", &["--tol", "0"], "tolerance");
    // An iteration limit is said, with the gap, never a silent number.
    let b = d.join("b.npy");
    let g: Vec<f64> = (0..256)
        .map(|i| 1.0 + 0.5 * ((i % 16) as f64).cos())
        .collect();
    write_npy_f64(&b, &[16, 16], &g).unwrap();
    let out = w2(&[&ok, &b], &["--max-iter", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("iteration limit (2)"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("iteration-limit after 2"));
}
