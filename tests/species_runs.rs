//! Runs of species configs through the `mflda` binary, against exact
//! answers (docs/MATHEMATICS.md section 8): the heat equation of a species
//! with no terms, the free energy of a gradient flow never rising, each
//! example, branch following on the noisy Kuramoto transition, and a resumed
//! run against one made at once.

mod common;

use common::{mflda, output_text};
use mflda::config::Config;

const GRID: &str = "[grid]\ndim = 1\nn = 64\n";

/// Reads a run's metrics.csv: its header and rows.
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<f64>], name: &str) -> Vec<f64> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|r| r[i]).collect()
}

fn run(dir: &std::path::Path, config: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    let out_dir = dir.join("out");
    let out = mflda(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--force",
        "-q",
    ]);
    assert!(out.status.success(), "{}", output_text(&out));
    read_csv(&out_dir.join("metrics.csv"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-species-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_species_with_no_terms_follows_the_heat_equation() {
    // rho - 1/L = 0.3/L cos(x) decays as exp(-eta tau t) (kappa = 1).
    let dir = scratch("heat");
    let (h, rows) = run(
        &dir,
        &format!(
            "{GRID}[[species]]\nname = \"u\"\ntau = 0.25\nrate = 2.0\n\
             init = \"1.0 + 0.3 * cos(x.x)\"\n[time]\nt_end = 2.0\ndt = 0.01\n"
        ),
    );
    let (t, l2) = (column(&h, &rows, "t"), column(&h, &rows, "l2_u"));
    assert!(
        h.contains(&"free_energy".to_string()),
        "a heat equation is a gradient flow"
    );
    for (t, got) in t.iter().zip(&l2) {
        let want = l2[0] * (-0.5 * t).exp();
        assert!(
            (got - want).abs() <= 1e-5 * l2[0],
            "t = {t}: {got} against {want}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_free_energy_of_a_gradient_flow_never_rises() {
    // Attraction below the critical temperature (tau < 1/2), from near the
    // unstable uniform state, with a potential: F falls through the
    // transition to the non-uniform state.
    let dir = scratch("energy");
    let (h, rows) = run(
        &dir,
        &format!(
            "{GRID}[[species]]\nname = \"rho\"\ntau = 0.3\npotential = \"0.05 * cos(2.0 * x.x)\"\n\
             init = \"1.0 + 0.1 * cos(x.x - 1.0)\"\n[[coupling]]\ntarget = \"rho\"\n\
             source = \"rho\"\nkernel = \"-cos(z.x)\"\n[time]\nt_end = 20.0\n"
        ),
    );
    let f = column(&h, &rows, "free_energy");
    let scale = f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (i, w) in f.windows(2).enumerate() {
        // Up to the f32 round-off of the reduced sums.
        assert!(
            w[1] <= w[0] + 1e-6 * scale,
            "row {i}: F rose from {} to {}",
            w[0],
            w[1]
        );
    }
    assert!(
        f[0] - f[f.len() - 1] > 1e-3,
        "F barely moved: {} -> {}",
        f[0],
        f[f.len() - 1]
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_species_example_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    for (study, file) in [
        ("kuramoto-transition", "kuramoto.toml"),
        ("keller-segel", "keller-segel.toml"),
        ("three-player-cyclic", "cyclic.toml"),
    ] {
        let config = root.join(study).join(file);
        let dir = scratch(study);
        let out = dir.join("out");
        let run = mflda(&[
            "run",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force",
            "-q",
            "--set",
            "time.t_end=0.5",
            "--set",
            "output.frames_every=0.25",
        ]);
        assert!(run.status.success(), "{study}: {}", output_text(&run));
        let loaded = Config::load(&config).unwrap();
        for name in loaded.species_names() {
            for f in [format!("{name}_star.npy"), format!("{name}_final.npy")] {
                assert!(out.join(&f).is_file(), "{study}: no {f}");
            }
        }
        let (header, rows) = read_csv(&out.join("metrics.csv"));
        assert!(
            rows.len() > 1 && header.contains(&"gap".to_string()),
            "{study}: {header:?}"
        );
        assert!(
            out.join("frames").read_dir().unwrap().count() >= 2,
            "{study}: frames"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn continuation_follows_the_kuramoto_branch_and_its_stability() {
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples/kuramoto-transition/kuramoto.toml");
    let dir = scratch("branch");
    let branch = |name: &str, values: &str, start: &str| -> (Vec<String>, Vec<Vec<String>>) {
        let out = dir.join(name);
        let run = mflda(&[
            "sweep",
            config.to_str().unwrap(),
            "--set",
            "grid.n=64",
            "--set",
            &format!("equilibrium.start={start}"),
            "--param",
            &format!("species.rho.tau={values}"),
            "--continue",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert!(run.status.success(), "{}", output_text(&run));
        assert!(out.join("branch.png").is_file() && out.join("branch.svg").is_file());
        let text = std::fs::read_to_string(out.join("branch.csv")).unwrap();
        let mut lines = text.lines();
        let header = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        (header, rows)
    };
    let num = |row: &[String], header: &[String], name: &str| -> f64 {
        row[header.iter().position(|h| h == name).unwrap()]
            .parse()
            .unwrap()
    };
    // Up from the synchronised state: r solves r = I1(r/tau) / I0(r/tau)
    // (0.7731 at tau = 0.3), stable; uniform above tau_c = 1/2, at -(tau - 1/2).
    let (h, rows) = branch("up", "0.3,0.4,0.6", "init");
    assert_eq!(h[0], "species.rho.tau");
    let r = num(&rows[0], &h, "fourier_1");
    assert!((r - 0.7731).abs() < 2e-3, "order parameter {r}");
    assert!(rows
        .iter()
        .all(|row| row[h.iter().position(|x| x == "stable").unwrap()] == "yes"));
    assert!(num(&rows[1], &h, "fourier_1") < r, "r falls with tau");
    assert!(num(&rows[2], &h, "distance_from_uniform") < 1e-4);
    assert!((num(&rows[2], &h, "rightmost_re") + 0.1).abs() < 1e-3);
    // F is lower on the synchronised branch than at the uniform state.
    let (h2, rows2) = branch("down", "0.6,0.4,0.3", "uniform");
    let stable = h2.iter().position(|x| x == "stable").unwrap();
    assert_eq!(rows2[0][stable], "yes");
    assert_eq!(rows2[1][stable], "no", "the uniform state below tau_c");
    assert!((num(&rows2[1], &h2, "rightmost_re") - 0.1).abs() < 1e-3);
    assert!(num(&rows[0], &h, "free_energy") < num(&rows2[2], &h2, "free_energy"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_species_run_extended_from_its_checkpoint_matches_a_run_made_at_once() {
    // Three species: the packed pairs, the odd last one and every output.
    let text = format!(
        "{GRID}[[species]]\nname = \"a\"\ntau = 0.3\npotential = \"0.2 * cos(x.x)\"\n\
         init = \"eq * (1.0 + 0.3 * sin(x.x))\"\n\
         [[species]]\nname = \"b\"\ntau = 0.4\ninit = \"1.0 + 0.2 * cos(x.x)\"\n\
         [[species]]\nname = \"c\"\ntau = 0.5\nrate = 2.0\n\
         [[coupling]]\ntarget = \"a\"\nsource = \"b\"\nkernel = \"sin(z.x)\"\n\
         [[coupling]]\ntarget = \"b\"\nsource = \"a\"\nkernel = \"sin(z.x)\"\n\
         [[coupling]]\ntarget = \"c\"\nsource = \"a\"\nkernel = \"-cos(z.x)\"\n\
         [time]\ndt = 0.02\nt_end = 1.0\n[output]\ncheckpoint_every = 0.5\nsnapshots_every = 0.5\n"
    );
    let dir = scratch("resume");
    let path = dir.join("config.toml");
    std::fs::write(&path, &text).unwrap();
    let at_once = dir.join("at-once");
    let extended = dir.join("extended");
    let go = |args: &[&str]| {
        let out = mflda(args);
        assert!(out.status.success(), "{}", output_text(&out));
    };
    let p = path.to_str().unwrap();
    go(&[
        "run",
        p,
        "--out",
        at_once.to_str().unwrap(),
        "--t-end",
        "2.0",
        "-q",
    ]);
    go(&["run", p, "--out", extended.to_str().unwrap(), "-q"]);
    go(&[
        "run",
        "--resume",
        extended.to_str().unwrap(),
        "--t-end",
        "2.0",
        "-q",
    ]);
    for f in [
        "a_final.npy",
        "b_final.npy",
        "c_final.npy",
        "snapshots/c_00002.000000.npy",
    ] {
        let (x, y) = (
            std::fs::read(at_once.join(f)).unwrap(),
            std::fs::read(extended.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs between the run made at once and the extended one"
        );
    }
    let (h, rows) = read_csv(&extended.join("metrics.csv"));
    let (_, once) = read_csv(&at_once.join("metrics.csv"));
    assert_eq!(rows, once, "metrics.csv");
    assert!(h.contains(&"l2_c".to_string()) && h.contains(&"gap".to_string()));
    let _ = std::fs::remove_dir_all(dir);
}
