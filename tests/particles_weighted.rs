//! Weighted particles (MFLDA.md section 9): Wasserstein-Fisher-Rao and
//! mirror-descent steps on the GPU against their f64 reference, the same
//! positions and weights whatever the workgroup size, and WFR particles
//! against the grid flow with the Fisher-Rao term (their mean-field limit),
//! which Langevin particles do not follow.

mod common;
#[path = "common/particles.rs"]
mod particles;

use common::mflda;
use mflda::config::{Dynamics, ParticleScheme};
use mflda::particles::fourier::FourierTables;
use mflda::particles::langevin::{LangevinOptions, LangevinStepper};
use mflda::particles::reference::step_cpu_weighted;
use mflda::particles::summary::weight_sums;
use mflda::particles::weight_sums::WeightSums;
use particles::{default_game, f32_positions, positions_f64, rates, torus_worst};

fn options(dynamics: Dynamics, dt: f64, wg_size: u32) -> LangevinOptions {
    LangevinOptions {
        dt,
        scheme: ParticleScheme::LeimkuhlerMatthews,
        seed: 11,
        wg_size,
        dynamics,
        alpha: 2.0,
    }
}

fn weights_f64(gpu: &LangevinStepper, species: usize) -> Vec<Vec<f64>> {
    let ctx = common::ctx();
    (0..species)
        .map(|s| {
            gpu.weights(ctx, s)
                .unwrap()
                .iter()
                .map(|&w| f64::from(w))
                .collect()
        })
        .collect()
}

/// Two GPU steps of `wfr` and of `mirror` against the f64 reference (the
/// second from the GPU's first): positions to 2e-5 as for Langevin
/// particles, weights to 1e-5 relative (f32 moments and potentials); the
/// weights move by far more than that, the positions of mirror descent not
/// at all.
#[test]
fn weighted_steps_match_the_f64_reference() {
    let ctx = common::ctx();
    let (params, system) = default_game(32);
    let tables = FourierTables::new(&params, &system).unwrap();
    let mut rng = common::rng("weighted_step");
    let l = params.length;
    let x0 = f32_positions(&mut rng, &[3000, 1000], l);
    let r = rates(&system);
    for dynamics in [Dynamics::Wfr, Dynamics::Mirror] {
        let opts = options(dynamics, 0.2, 64);
        let mut gpu = LangevinStepper::new(ctx, tables.clone(), &r, &x0, opts).unwrap();
        let weighted = gpu.tables().clone();
        assert!(weighted.total_slot.iter().all(Option::is_some));
        let (mut x, mut w) = (x0.clone(), weights_f64(&gpu, 2));
        for k in 0..2 {
            gpu.advance(ctx, 1);
            let (want_x, want_w) = step_cpu_weighted(&weighted, &r, &x, &w, k, &opts);
            let (got_x, got_w) = (positions_f64(&gpu, 2), weights_f64(&gpu, 2));
            let worst = torus_worst(&got_x, &want_x, l);
            assert!(worst < 2e-5, "{dynamics:?} step {k}: positions {worst:e}");
            if dynamics == Dynamics::Mirror {
                assert_eq!(got_x, x, "mirror descent moved the positions");
            }
            for s in 0..2 {
                let scale = want_w[s].iter().fold(0.0f64, |m, v| m.max(*v));
                let err = got_w[s]
                    .iter()
                    .zip(&want_w[s])
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
                    / scale;
                assert!(
                    err < 1e-5,
                    "{dynamics:?} step {k} species {s}: weights {err:e}"
                );
                let spread = want_w[s].iter().fold(0.0f64, |m, v| m.max(*v))
                    / want_w[s].iter().fold(f64::MAX, |m, v| m.min(*v));
                assert!(
                    spread > 1.05,
                    "{dynamics:?}: the weights hardly moved ({spread})"
                );
                let total: f64 = got_w[s].iter().sum();
                assert!(
                    (total - 1.0).abs() < 0.1,
                    "species {s}: weights sum to {total}"
                );
            }
            (x, w) = (got_x, got_w);
        }
    }
}

/// The same seed gives the same positions and weights, bit for bit, for
/// every workgroup size of the update.
#[test]
fn weighted_particles_do_not_depend_on_the_workgroup_size() {
    let ctx = common::ctx();
    let (params, system) = default_game(16);
    let tables = FourierTables::new(&params, &system).unwrap();
    let x0 = f32_positions(
        &mut common::rng("weighted_wg"),
        &[5000, 5000],
        params.length,
    );
    let run = |wg: u32| {
        let opts = options(Dynamics::Wfr, 0.05, wg);
        let mut gpu =
            LangevinStepper::new(ctx, tables.clone(), &rates(&system), &x0, opts).unwrap();
        gpu.advance(ctx, 20);
        let bits: Vec<u32> = (0..2)
            .flat_map(|s| {
                let x = gpu.positions(ctx, s).unwrap();
                let w = gpu.weights(ctx, s).unwrap();
                x.into_iter()
                    .flatten()
                    .chain(w)
                    .map(f32::to_bits)
                    .collect::<Vec<_>>()
            })
            .collect();
        bits
    };
    let a = run(256);
    for wg in [1, 32] {
        assert!(a == run(wg), "workgroups of {wg} changed the particles");
    }
}

/// The metrics.csv of `mflda particles` on the default game (32^2 grid,
/// 20000 particles per player, t = 2) with `sets`, and its summary.json.
fn particle_run(name: &str, sets: &[&str]) -> (Vec<Vec<f64>>, Vec<String>, serde_json::Value) {
    let out = std::env::temp_dir().join(format!("mflda-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut args = vec![
        "particles",
        "-q",
        "-o",
        out.to_str().unwrap(),
        "--set",
        "grid.n=32",
        "--set",
        "time.t_end=2",
        "--set",
        "output.metrics_every=0.5",
        "--set",
        "output.snapshots_every=2",
        "--set",
        "particles.n=20000",
    ];
    for s in sets {
        args.extend(["--set", s]);
    }
    let run = mflda(&args);
    assert!(
        run.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    if sets.iter().any(|s| s.contains("wfr")) {
        // The snapshots carry the normalised weights as a last column.
        let (shape, v) =
            mflda::output::read_npy_f32(&out.join("particles/mu_00002.000000.npy")).unwrap();
        assert_eq!(shape, vec![20000, 3]);
        let total: f64 = v.chunks(3).map(|r| f64::from(r[2])).sum();
        assert!((total - 1.0).abs() < 1e-5, "weights sum to {total}");
    }
    let _ = std::fs::remove_dir_all(&out);
    (rows, header, summary)
}

/// WFR particles follow the grid flow with the Fisher-Rao term at their
/// alpha (the companion the command runs): the first Fourier moments of
/// the weighted particles stay within 4 standard errors (`1 / sqrt(n_eff)`
/// per component, Kish's effective size at the end, the smallest) of the
/// grid's at every metrics time, while the term moves the grid's moments
/// away from those of the flow without it (the Langevin run's) by more
/// than five times that (about 7 measured).
#[test]
fn wfr_particles_follow_the_grid_flow_with_the_fisher_rao_term() {
    let wfr = ["particles.dynamics=\"wfr\"", "particles.alpha=3"];
    let (rows, header, summary) = particle_run("wfr-grid", &wfr);
    let (plain, plain_header, _) = particle_run("langevin-grid", &[]);
    assert_eq!(header, plain_header);
    assert_eq!(summary["dynamics"], "wfr");
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let mut apart = 0.0f64;
    for s in ["mu", "nu"] {
        let n_eff = summary["effective_n"][s].as_f64().unwrap();
        assert!(n_eff > 1000.0 && n_eff < 20000.0, "{s}: n_eff {n_eff}");
        let tol = 4.0 / n_eff.sqrt();
        for c in ["m10re", "m10im", "m01re", "m01im"] {
            let (p, g) = (col(&format!("{c}_{s}")), col(&format!("grid{c}_{s}")));
            for (row, other) in rows.iter().zip(&plain) {
                let d = (row[p] - row[g]).abs();
                assert!(
                    d < tol,
                    "{s} {c} at t = {}: particles {} grid {}",
                    row[0],
                    row[p],
                    row[g]
                );
                apart = apart.max((row[g] - other[g]).abs() / tol);
            }
        }
    }
    assert!(
        apart > 5.0,
        "the Fisher-Rao term moved the grid's moments by only {apart} tolerances"
    );
}

/// The weights' sum and effective sample size reduced on the device
/// (`WeightSums`, the square kernel and two mode-0 moments) against the f64
/// sums of the weights read back, after WFR steps have spread them.
#[test]
fn weight_sums_on_the_device_match_the_f64_sums() {
    let ctx = common::ctx();
    let (params, system) = default_game(16);
    let tables = FourierTables::new(&params, &system).unwrap();
    let x0 = f32_positions(
        &mut common::rng("weight_sums"),
        &[70_000, 3_000],
        params.length,
    );
    let opts = options(Dynamics::Wfr, 0.1, 256);
    let mut gpu = LangevinStepper::new(ctx, tables, &rates(&system), &x0, opts).unwrap();
    gpu.advance(ctx, 10);
    let sums = WeightSums::new(ctx, &gpu, params.length).unwrap();
    for (s, x) in x0.iter().enumerate() {
        let (total, n_eff) = sums.measure(ctx, s).unwrap();
        let (want_total, want_n) = weight_sums(&gpu.weights(ctx, s).unwrap());
        assert!(
            (total - want_total).abs() < 1e-6 * want_total,
            "{s}: {total} vs {want_total}"
        );
        assert!(
            (n_eff - want_n).abs() < 1e-5 * want_n,
            "{s}: {n_eff} vs {want_n}"
        );
        let n = x.len() as f64;
        assert!(
            want_n < 0.99 * n,
            "{s}: the weights did not spread ({want_n} of {n})"
        );
    }
}
