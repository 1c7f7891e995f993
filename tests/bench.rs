//! `mflda bench`: the `all` report end to end (every field, against the plans'
//! own byte counts), the wall-clock fallback, sizes that do not fit, the
//! labelled groups the breakdowns time, and the memory estimates printed
//! before a run against the device's allocation counters.

use std::process::Command;

use mflda::bench::memory;
use mflda::config::{Config, Scheme};
use mflda::dynamics::rhs::RhsPath;
use mflda::dynamics::Stepper;
use mflda::equilibrium::EquilibriumSolver;
use mflda::gpu::groups::Listing;
use mflda::gpu::{AdapterRequest, GpuContext, Shape};
use mflda::Problem;
use serde_json::Value;

fn mflda(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .output()
        .expect("the mflda binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ctx() -> GpuContext {
    GpuContext::new(&AdapterRequest::default()).expect("a GPU adapter")
}

fn config(n: u32, scheme: Scheme) -> Config {
    let mut c = Config::embedded_default();
    c.grid.n = n;
    c.time.scheme = scheme;
    c
}

fn positive(v: &Value, key: &str) -> f64 {
    let x = v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` missing in {v:#}"));
    assert!(x.is_finite() && x > 0.0, "{key} = {x}");
    x
}

/// Median and spread of a `Stats` object.
fn check_stats(s: &Value) {
    positive(s, "median_us");
    let iqr = s["iqr_us"].as_f64().expect("iqr_us");
    assert!(iqr >= 0.0 && iqr.is_finite(), "iqr_us = {iqr}");
    assert!(s["min_us"].as_f64().unwrap() <= s["median_us"].as_f64().unwrap());
    assert!(s["samples"].as_u64().unwrap() >= 1);
}

/// A breakdown: per-label times, bytes summing to `bytes`, shares to 1.
fn check_breakdown(b: &Value, bytes: u64, clock: &str) {
    assert_eq!(b["clock"], clock, "{b:#}");
    let kernels = b["kernels"].as_array().unwrap();
    assert!(!kernels.is_empty());
    let mut sum_bytes = 0;
    let mut sum_share = 0.0;
    let mut groups = 0;
    for k in kernels {
        assert!(k["label"].as_str().is_some_and(|l| !l.is_empty()));
        check_stats(&k["time"]);
        for key in ["share", "achieved_gbps", "ratio_to_floor"] {
            positive(k, key);
        }
        sum_bytes += k["bytes"].as_u64().unwrap();
        sum_share += k["share"].as_f64().unwrap();
        groups += k["groups"].as_u64().unwrap();
    }
    assert_eq!(sum_bytes, bytes, "breakdown bytes against the call's");
    assert!((sum_share - 1.0).abs() < 1e-9, "shares sum to {sum_share}");
    assert_eq!(b["groups_per_call"].as_u64(), Some(groups));
    let total: f64 = kernels
        .iter()
        .map(|k| k["time"]["median_us"].as_f64().unwrap())
        .sum();
    assert!((total / positive(b, "total_us") - 1.0).abs() < 1e-9);
}

/// The fields every result has, whatever the benchmark; returns the copy
/// bandwidth it was measured against.
fn check_common(r: &Value, n: u64, time_us: f64, bytes: u64, floor_us: f64, clock: &str) -> f64 {
    assert_eq!(r["n"].as_u64(), Some(n));
    let gbps = positive(r, "achieved_gbps");
    assert!((gbps * time_us * 1e3 / bytes as f64 - 1.0).abs() < 1e-9);
    let copy = positive(&r["copy"], "gbps");
    assert_eq!(r["copy"]["bytes"].as_u64(), Some(8 * n * n));
    assert!((floor_us * copy * 1e3 / bytes as f64 - 1.0).abs() < 1e-9);
    let ratio = positive(r, "ratio_to_floor");
    assert!((ratio * floor_us / time_us - 1.0).abs() < 1e-9);
    assert_eq!(
        r["gpu_memory_bytes"].as_u64().unwrap(),
        match r.get("bytes_per_transform") {
            Some(_) => memory::fft(Shape::square(n as u32)),
            None if r.get("scheme").is_some() => memory::step(Shape::square(n as u32)),
            None => memory::equilibrium(Shape::square(n as u32)),
        }
    );
    // The FFT's breakdown is of the forward transform: one call's bytes too.
    check_breakdown(&r["breakdown"], bytes, clock);
    copy
}

#[test]
fn bench_all_json_has_every_field_against_the_plans() {
    let out = mflda(&[
        "bench", "all", "--sizes", "128,256", "--reps", "3", "--warmup", "1", "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("GPU memory needed") && stderr.contains("equilibrium"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let ctx = ctx();
    let adapter = ctx.report().name;
    for section in ["fft", "step", "equilibrium"] {
        let s = &v[section];
        assert_eq!(s["adapter"]["name"].as_str(), Some(adapter.as_str()));
        assert!(s["adapter"]["driver"].is_string());
        assert!(s["skipped"].as_array().unwrap().is_empty(), "{s:#}");
    }
    let clock = v["fft"]["clock"].as_str().unwrap().to_string();
    for section in ["step", "equilibrium"] {
        assert_eq!(v[section]["clock"], clock.as_str());
    }

    for (i, n) in [128u64, 256].into_iter().enumerate() {
        let fft = &v["fft"]["results"][i];
        check_stats(&fft["forward"]);
        check_stats(&fft["inverse"]);
        let bytes = fft["bytes_per_transform"].as_u64().unwrap();
        assert_eq!(bytes, 32 * n * n);
        let copy = check_common(
            fft,
            n,
            positive(fft, "us_per_transform"),
            bytes,
            positive(fft, "floor_us"),
            &clock,
        );

        let steps = &v["step"]["results"];
        for (j, scheme) in [Scheme::Etdrk2, Scheme::Etdrk4].into_iter().enumerate() {
            let r = &steps[2 * i + j];
            assert_eq!(r["scheme"], scheme.as_str());
            check_stats(&r["time"]);
            let plan = Problem::from_config(&ctx, &config(n as u32, scheme))
                .unwrap()
                .stepper(&ctx)
                .unwrap()
                .bytes_moved();
            let bytes = r["bytes_per_step"].as_u64().unwrap();
            assert_eq!(bytes, plan, "N = {n} {}", scheme.as_str());
            // One dispatch per breakdown group: for the default game (fused
            // path), the band, the potentials in the inverse column pass,
            // the flux between the row passes, and the fluxes' column pass
            // with the divergence and the stage's ETD combination, per
            // right-hand side (two and four of them).
            assert_eq!(
                r["dispatches_per_step"],
                r["breakdown"]["groups_per_call"],
                "N = {n} {}",
                scheme.as_str()
            );
            assert_eq!(r["dispatches_per_step"].as_u64(), Some([8, 16][j]));
            assert_eq!(r["rhs"], "fused");
            let c = check_common(
                r,
                n,
                r["time"]["median_us"].as_f64().unwrap(),
                bytes,
                1e3 * positive(r, "floor_ms"),
                &clock,
            );
            assert_eq!(c, copy, "one copy measurement per size");
        }

        let r = &v["equilibrium"]["results"][i];
        check_stats(&r["time"]);
        let config = config(n as u32, Scheme::Etdrk4);
        let problem = Problem::from_config(&ctx, &config).unwrap();
        let opts = problem.equilibrium_options(&config.equilibrium);
        let solver = EquilibriumSolver::new(&ctx, &problem.params, &problem.ops, &opts).unwrap();
        let bytes = r["bytes_per_iteration"].as_u64().unwrap();
        assert_eq!(bytes, solver.bytes_per_iteration());
        let c = check_common(
            r,
            n,
            r["time"]["median_us"].as_f64().unwrap(),
            bytes,
            positive(r, "floor_us"),
            &clock,
        );
        assert_eq!(c, copy, "one copy measurement per size");
    }
}

#[test]
fn wall_clock_breakdown_is_labelled_as_such() {
    let out = mflda(&[
        "bench",
        "equilibrium",
        "--sizes",
        "32",
        "--reps",
        "2",
        "--warmup",
        "1",
        "--wall-clock",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["clock"], "wall-clock");
    let r = &v["results"][0];
    assert_eq!(r["copy"]["clock"], "wall-clock");
    let bytes = r["bytes_per_iteration"].as_u64().unwrap();
    check_breakdown(&r["breakdown"], bytes, "wall-clock");
}

#[test]
fn bench_all_skips_a_size_the_device_cannot_hold_in_every_section() {
    let out = mflda(&["bench", "all", "--sizes", "16384", "--reps", "1", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    for section in ["fft", "step", "equilibrium"] {
        assert!(v[section]["results"].as_array().unwrap().is_empty());
        let skipped = v[section]["skipped"].as_array().unwrap();
        assert_eq!(skipped.len(), 1, "{v:#}");
        assert_eq!(skipped[0]["n"].as_u64(), Some(16384));
        let reason = skipped[0]["reason"].as_str().unwrap();
        assert!(reason.contains("16384"), "{reason}");
    }
}

#[test]
fn bench_step_and_equilibrium_tables_print_breakdowns() {
    for bench in ["step", "equilibrium"] {
        let out = mflda(&["bench", bench, "--sizes", "16", "--reps", "2"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        for key in ["x floor", "share", "adapter:", "driver"] {
            assert!(stdout.contains(key), "`{key}` missing from:\n{stdout}");
        }
    }
}

#[test]
fn step_groups_cover_four_right_hand_sides_and_the_documented_bytes() {
    let ctx = ctx();
    let n = 64u64;
    let problem = Problem::from_config(&ctx, &config(n as u32, Scheme::Etdrk4)).unwrap();
    let build =
        |path| Stepper::with_path(&ctx, &problem.params, problem.ops.clone(), None, path).unwrap();
    let p = n * n;
    // The band kernel's 5x5 box (default interaction_modes = 2).
    let band = 8 * 25 * 25 + 32 * 25;
    for (path, labels, rhs, etd) in [
        (
            RhsPath::Unfused,
            &[
                ("rhs.potentials", 4),
                ("rhs.ifft_grad.rows", 4),
                ("rhs.ifft_grad.columns", 4),
                ("rhs.ifft_dens.rows", 4),
                ("rhs.flux", 4),
                ("rhs.fft_flux.columns", 4),
                ("rhs.divergence", 4),
                ("etd.predict", 2),
                ("etd.rk4_c", 1),
                ("etd.rk4_finish", 1),
            ][..],
            // Per point: potentials 64, flux 40, divergence 32; two
            // transforms of two fields and one of one field, two passes
            // each reading and writing 8 B per field and point.
            (64 + 40 + 32) * p + (2 * 2 * 32 + 2 * 16) * p,
            (2 * 48 + 96 + 80) * p,
        ),
        (
            RhsPath::Fused,
            &[
                ("rhs.potentials_ifft.columns", 4),
                ("rhs.flux_fft.rows", 4),
                ("rhs.fft_divergence_etd.predict", 2),
                ("rhs.fft_divergence_etd.rk4_c", 1),
                ("rhs.fft_divergence_etd.rk4_finish", 1),
                ("rhs.potentials", 0),
                ("rhs.divergence", 0),
                ("etd.predict", 0),
            ][..],
            // Per point: the potentials pass 64, the flux pass 40; the
            // divergence passes the flux and their combinations.
            (64 + 40) * p,
            (2 * 64 + 96 + 80) * p,
        ),
    ] {
        let stepper = build(path);
        let listing = Listing::of(|rec| stepper.record_step_groups(rec));
        for &(label, want) in labels {
            let count = listing
                .groups
                .iter()
                .filter(|(l, _)| l.to_string() == label)
                .count();
            assert_eq!(count, want, "{path:?}: {label}");
        }
        assert_eq!(stepper.bytes_moved(), 4 * (rhs + band) + etd, "{path:?}");
        assert_eq!(stepper.bytes_moved(), listing.bytes());
    }
}

/// Buffer memory the device holds once idle work is reclaimed.
fn held(ctx: &GpuContext) -> u64 {
    ctx.wait().unwrap();
    ctx.device.get_internal_counters().hal.buffer_memory.read() as u64
}

#[test]
fn memory_estimates_bound_what_the_benchmarks_allocate() {
    let ctx = ctx();
    // Large enough that the fixed allowance for small tables is a small part.
    let n = 512;
    let shape = Shape::square(n);
    let base = held(&ctx);
    // What stays allocated is at most the estimate, which also covers setup's
    // transient buffers and an allowance for small tables, and not much more.
    let within = |name: &str, estimate: u64, measured: u64| {
        assert!(
            measured <= estimate && estimate as f64 <= 1.5 * measured as f64,
            "{name}: estimate {estimate} B, held {measured} B"
        );
    };
    {
        let copy = mflda::bench::copy::CopyKernel::new(&ctx, 8 * shape.len() as u64).unwrap();
        within("copy (fft)", memory::fft(shape), held(&ctx) - base);
        drop(copy);
    }
    {
        let problem = Problem::from_config(&ctx, &config(n, Scheme::Etdrk4)).unwrap();
        let stepper = problem.stepper(&ctx).unwrap();
        let uniform = vec![0.1f32; shape.len()];
        stepper.set_densities(&ctx, &uniform, &uniform).unwrap();
        within("step", memory::step(shape), held(&ctx) - base);
    }
    {
        let config = config(n, Scheme::Etdrk4);
        let problem = Problem::from_config(&ctx, &config).unwrap();
        for anderson in [0, config.anderson()] {
            let mut opts = problem.equilibrium_options(&config.equilibrium);
            opts.anderson = anderson;
            let mut solver =
                EquilibriumSolver::new(&ctx, &problem.params, &problem.ops, &opts).unwrap();
            solver.start_uniform(&ctx).unwrap();
            let name = format!("equilibrium (anderson = {anderson})");
            within(
                &name,
                memory::equilibrium_with(shape, anderson),
                held(&ctx) - base,
            );
        }
    }
    {
        let solver = mflda::w2::bfm_gpu::BfmGpu::new(&ctx, shape, std::f64::consts::TAU).unwrap();
        let mu = vec![1.0; shape.len()];
        let r = solver
            .solve(&ctx, &mu, &mu, mflda::w2::bfm_cpu::BfmOptions::default())
            .unwrap();
        assert!(r.w2() < 1e-6);
        within("w2", memory::w2(shape), held(&ctx) - base);
    }
}

/// `mflda bench w2`'s figures are consistent with each other on both
/// solvers, and its error on the product pair is within the bound it
/// reports.
#[test]
fn w2_bench_reports_consistent_figures() {
    use mflda::bench::timing::Timing;
    use mflda::bench::w2::{run, Solver, BYTES_PER_POINT_ITERATION};
    use mflda::w2::bfm_cpu::BfmOptions;
    use mflda::w2::bfm_gpu::BfmGpu;
    let ctx = &ctx();
    let timing = Timing::new(1, 3);
    for solver in [Solver::Device, Solver::Host] {
        let report = run(ctx, &[32], BfmOptions::default(), solver, &timing).unwrap();
        assert_eq!(report.results.len(), 1, "{:?}", report.skipped);
        let r = &report.results[0];
        if solver == Solver::Host {
            assert_eq!(r.bytes_per_iteration, BYTES_PER_POINT_ITERATION * 32 * 32);
            assert_eq!(r.dispatches_per_iteration, 0);
            assert!(
                (r.ms_per_iteration - 1e3 * r.seconds / f64::from(r.iterations)).abs()
                    <= 1e-9 * r.ms_per_iteration
            );
        } else {
            let s = BfmGpu::new(ctx, mflda::gpu::Shape::square(32), std::f64::consts::TAU).unwrap();
            assert_eq!(r.bytes_per_iteration, s.bytes_per_iteration());
            assert_eq!(r.dispatches_per_iteration, s.dispatches());
            assert!(report.clock.is_some());
            assert!(r.ms_per_iteration > 0.0 && r.ms_per_iteration.is_finite());
        }
        let floor = r.bytes_per_iteration as f64 / (r.copy_gbps * 1e6);
        assert!((r.floor_ms - floor).abs() <= 1e-12 * floor);
        assert!(
            (r.ratio_to_floor - r.ms_per_iteration / r.floor_ms).abs() <= 1e-9 * r.ratio_to_floor
        );
        assert!(r.iterations >= 1);
        if r.stop == "converged" {
            assert!(r.gap <= BfmOptions::default().tol, "{r:?}");
        }
        // The bound is relative in W2^2: the relative error of W2 is about half.
        assert!(r.error <= 0.5 * r.bound, "{solver:?}: {r:?}");
    }
}
