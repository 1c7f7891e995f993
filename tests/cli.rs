//! The `mflda` binary end to end: `info`, `bench fft --json`, adapter errors,
//! a quiet start.

use std::process::Command;

fn mflda(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .output()
        .expect("the mflda binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn info_names_the_adapter_and_the_largest_grid() {
    let out = mflda(&["info"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for key in [
        "adapter",
        "backend",
        "driver",
        "device type",
        "largest square grid",
    ] {
        assert!(stdout.contains(key), "`{key}` missing from:\n{stdout}");
    }
    let line = stdout
        .lines()
        .find(|l| l.starts_with("largest square grid"))
        .unwrap();
    let n: u32 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(n.is_power_of_two() && n >= 256, "{line}");
    // The species table: the row of one or two fields is the square grid
    // above; each doubling of the widest buffer's fields keeps the side or
    // halves it (2D: sqrt(2) per doubling, rounded to a power of two), and
    // the 1D side is halved or kept too.
    let rows: Vec<(u32, u32)> = ["1-2", "4", "8", "16"]
        .iter()
        .map(|label| {
            let row = stdout
                .lines()
                .find(|l| l.split_whitespace().next() == Some(label))
                .unwrap_or_else(|| panic!("no row for {label} fields in:\n{stdout}"));
            let w: Vec<&str> = row.split_whitespace().collect();
            (w[1].parse().unwrap(), w[4].parse().unwrap())
        })
        .collect();
    assert_eq!(rows[0].0, n, "{stdout}");
    for pair in rows.windows(2) {
        let ((a2, a1), (b2, b1)) = (pair[0], pair[1]);
        assert!(b2 == a2 || 2 * b2 == a2, "{stdout}");
        assert!(b1 == a1 || 2 * b1 == a1, "{stdout}");
    }
}

/// On a headless machine (no Wayland session) the only thing on stderr of
/// `info` is mflda's own words: Mesa's device-select layer, which would make
/// libwayland complain about `XDG_RUNTIME_DIR`, is turned off. (Where that
/// layer is not installed, as with no Mesa Vulkan driver, this holds anyway.)
#[test]
fn a_headless_start_prints_no_platform_noise() {
    let out = Command::new(env!("CARGO_BIN_EXE_mflda"))
        .arg("info")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("NODEVICE_SELECT")
        .env_remove("MESA_VK_DEVICE_SELECT")
        .output()
        .expect("the mflda binary runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
    for line in stderr.lines() {
        assert!(
            line.starts_with("warning: running on the software adapter"),
            "{stderr}"
        );
    }
}

#[test]
fn bench_fft_json_has_every_field_and_skips_what_does_not_fit() {
    let out = mflda(&[
        "bench",
        "fft",
        "--sizes",
        "256,1024,16384",
        "--reps",
        "3",
        "--warmup",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert!(v["adapter"]["name"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(v["clock"].is_string());
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{v:#}");
    for (r, n) in results.iter().zip([256u64, 1024]) {
        assert_eq!(r["n"].as_u64(), Some(n));
        assert_eq!(r["bytes_per_transform"].as_u64(), Some(32 * n * n));
        for key in [
            "us_per_transform",
            "achieved_gbps",
            "floor_us",
            "ratio_to_floor",
        ] {
            let x = r[key].as_f64().unwrap_or_else(|| panic!("{key} missing"));
            assert!(x.is_finite() && x > 0.0, "{key} = {x}");
        }
        assert!(r["copy"]["gbps"].as_f64().unwrap() > 0.0);
        assert!(r["forward"]["median_us"].as_f64().unwrap() > 0.0);
        let passes = r["passes"].as_array().unwrap();
        assert_eq!(passes.len(), 2);
        assert_eq!(passes[0]["axis"], "rows");
        assert_eq!(passes[1]["axis"], "columns");
        // Consistency: ratio = time / floor, floor = bytes / copy bandwidth.
        let ratio = r["us_per_transform"].as_f64().unwrap() / r["floor_us"].as_f64().unwrap();
        assert!((ratio / r["ratio_to_floor"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    }
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["n"].as_u64(), Some(16384));
    assert!(skipped[0]["reason"].as_str().unwrap().contains("16384"));
}

#[test]
fn bench_fft_table_prints_ratios() {
    let out = mflda(&["bench", "fft", "--sizes", "64", "--reps", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("x floor"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("64 ")),
        "{stdout}"
    );
}

#[test]
fn bench_rejects_a_size_that_is_not_a_power_of_two() {
    let out = mflda(&["bench", "fft", "--sizes", "100"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--sizes") && stderr.contains("100"),
        "{stderr}"
    );
}

#[test]
fn unknown_backend_is_named_in_the_error() {
    let out = mflda(&["--backend", "vulkn", "info"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("vulkn") && stderr.contains("vulkan"),
        "{stderr}"
    );
}

#[test]
fn unmatched_adapter_lists_the_adapters_found() {
    let out = mflda(&["--adapter", "no-such-gpu-xyz", "info"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no-such-gpu-xyz"), "{stderr}");
    assert!(stderr.contains("Adapters found"), "{stderr}");
    assert!(
        stderr.contains("  - "),
        "the listing names at least one adapter: {stderr}"
    );
}

#[test]
fn bench_step_json_reports_both_schemes_against_the_floor() {
    let out = mflda(&[
        "bench", "step", "--sizes", "32", "--reps", "2", "--warmup", "1", "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let results = v["results"].as_array().unwrap();
    let schemes: Vec<&str> = results
        .iter()
        .map(|r| r["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(schemes, ["etdrk2", "etdrk4"]);
    for r in results {
        assert_eq!(r["n"].as_u64(), Some(32));
        for key in [
            "bytes_per_step",
            "achieved_gbps",
            "floor_ms",
            "ratio_to_floor",
        ] {
            let x = r[key].as_f64().unwrap_or_else(|| panic!("{key} missing"));
            assert!(x.is_finite() && x > 0.0, "{key} = {x}");
        }
    }
    // ETDRK4 evaluates the right-hand side twice as often as ETDRK2.
    let bytes = |i: usize| results[i]["bytes_per_step"].as_f64().unwrap();
    assert!(bytes(1) > 1.8 * bytes(0));
}
