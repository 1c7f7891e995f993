//! benches/gpu/: the scripts of the GPU measurements, the one command on a
//! GPU host (`measure.sh`) and the tables made from its files afterwards
//! (`tables.py`), run end to end on this machine's adapter at small sizes,
//! so that a broken script is found here and not on the GPU host.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-gpu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn have_jax() -> bool {
    Command::new("python3")
        .args(["-c", "import jax, numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `bash benches/gpu/measure.sh SIZES` into `out`, with few repetitions.
fn measure(out: &Path, sizes: &str, mflda: &Path, env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("benches/gpu/measure.sh")
        .arg(sizes)
        .env("OUT", out)
        .env("MFLDA", mflda)
        .env("REPS", "3")
        .env("PEER_REPS", "2")
        .env("PEER_STEPS", "2")
        .env("PARTICLE_COUNTS", "1000")
        .env("W2_SIZES", "32")
        .envs(env.iter().copied())
        .output()
        .expect("bash runs")
}

fn tables(out: &Path) -> Output {
    Command::new("python3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg("benches/gpu/tables.py")
        .arg(out)
        .output()
        .expect("python3 runs")
}

fn steps(out: &Path) -> String {
    std::fs::read_to_string(out.join("steps.tsv")).expect("steps.tsv written")
}

/// The markdown section under the heading that contains `title`.
fn section<'a>(tables: &'a str, title: &str) -> &'a str {
    let start = tables
        .find(&format!("### {title}"))
        .unwrap_or_else(|| panic!("no section {title:?} in\n{tables}"));
    let rest = &tables[start + 4..];
    &rest[..rest.find("\n### ").unwrap_or(rest.len())]
}

/// measure.sh writes at most 8 plain files named in letters, digits,
/// '.', '_' and '-': everything measure.sh writes must come back.
fn assert_returnable(out: &Path) {
    let entries: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    assert!(
        entries.len() <= 8,
        "{} files in {}",
        entries.len(),
        out.display()
    );
    for e in entries {
        let name = e.file_name().into_string().unwrap();
        assert!(
            e.file_type().unwrap().is_file(),
            "{name} is not a plain file"
        );
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "{name}: a name outside letters, digits and ._-"
        );
    }
}

/// What `jax_step.py --check` prints for one export (its format, which
/// tests/peer.rs parses too), appended to peer.txt below: the check needs an
/// `mflda peer-export`, whose equilibrium solve is tests/peer.rs's cost, not
/// this test's.
const CHECK_OUTPUT: &str = "\
/tmp/x/peer64: 2D 64 x 64, float32, mflda on llvmpipe
  default_game.py: the same game (payoff differs by 5.6e-07)
  mu: output rel_l2 1.261e-07  increment rel_l2 1.244e-04  ok
  nu: output rel_l2 1.225e-07  increment rel_l2 3.946e-05  ok
PASS
";

#[test]
fn measure_then_tables_at_64() {
    let out = tmp("measure");
    // The JAX step is timed where jax imports (CI installs it); no export is
    // checked (PEER_CHECK_MAX=0).
    let peer = have_jax();
    let env = [
        ("PEER", if peer { "1" } else { "0" }),
        ("PEER_CHECK_MAX", "0"),
    ];
    let run = measure(&out, "64", Path::new(env!("CARGO_BIN_EXE_mflda")), &env);
    let log = format!("{}{}", text(&run.stdout), text(&run.stderr));
    assert!(run.status.success(), "measure.sh failed:\n{log}");
    assert_returnable(&out);
    for f in [
        "measure.log",
        "steps.tsv",
        "env.txt",
        "bench-all.txt",
        "all.json",
        "particles.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing; log:\n{log}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("all.json")).unwrap()).unwrap();
    let adapter = report["step"]["adapter"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let env_txt = std::fs::read_to_string(out.join("env.txt")).unwrap();
    assert!(
        env_txt.contains("sizes: 64") && env_txt.contains(&adapter),
        "{env_txt}"
    );

    let t = tables(&out);
    assert!(t.status.success(), "tables.py failed:\n{}", text(&t.stderr));
    let md = text(&t.stdout);
    let head = md.lines().next().unwrap();
    assert!(
        head.starts_with("Adapter: ") && head.contains(&adapter),
        "{head}"
    );
    assert!(section(&md, "FFT").contains("\n| 64 | "), "{md}");
    let step = section(&md, "Time step");
    assert!(step.contains("\n| 64 | ETDRK2 | "), "{md}");
    assert!(step.contains("\n| 64 | ETDRK4 | "), "{md}");
    assert!(section(&md, "Equilibrium (").contains("\n| 64 | "), "{md}");
    let kernels = section(&md, "ETDRK4 step by kernel");
    assert!(kernels.contains("kernel (ETDRK4, 64^2)"), "{md}");
    assert!(
        kernels.contains("| rhs.potentials_ifft.columns | 4 | "),
        "{md}"
    );
    let unfused = section(&md, "Unfused time step");
    assert!(unfused.contains("\n| 64 | ETDRK4 | "), "{md}");
    assert!(unfused.contains("| 44 |"), "{md}");
    let w2 = section(&md, "W2 by the back-and-forth method");
    assert!(w2.contains("solver: back-and-forth, device f32"), "{md}");
    assert!(w2.contains("\n| 32 | "), "{md}");
    let particles = section(&md, "Particle steps");
    for row in [
        "\n| 1000 | langevin | euler-maruyama | fourier | ",
        "\n| 1000 | langevin | leimkuhler-matthews | fourier | ",
        "\n| 1000 | wfr | euler-maruyama | fourier | ",
    ] {
        assert!(particles.contains(row), "{row:?} not in:\n{md}");
    }
    assert!(!md.contains("### Not measured"), "{md}");

    if peer {
        assert!(out.join("jax-step.json").is_file(), "{log}");
        // The ETDRK4 row carries JAX's steps/s and the ratio, ETDRK2's none.
        assert!(step.contains("| JAX steps/s | mflda / JAX |"), "{md}");
        let rk4 = step
            .lines()
            .find(|l| l.starts_with("| 64 | ETDRK4 |"))
            .unwrap();
        assert!(!rk4.ends_with("| - | - |"), "{rk4}");
        let rk2 = step
            .lines()
            .find(|l| l.starts_with("| 64 | ETDRK2 |"))
            .unwrap();
        assert!(rk2.ends_with("| - | - |"), "{rk2}");
    } else {
        assert!(steps(&out).contains("peer\tskipped"), "{}", steps(&out));
        assert!(!step.contains("JAX"), "{md}");
    }

    let mut peer_txt = std::fs::read_to_string(out.join("peer.txt")).unwrap_or_default();
    peer_txt.push_str(CHECK_OUTPUT);
    std::fs::write(out.join("peer.txt"), peer_txt).unwrap();
    let md = text(&tables(&out).stdout);
    let checks = section(&md, "JAX peer against mflda");
    assert!(
        checks.contains("| 64 x 64 | mu | 1.261e-07 | 1.244e-04 | ok |"),
        "{md}"
    );
    assert!(
        checks.contains("| 64 x 64 | nu | 1.225e-07 | 3.946e-05 | ok |"),
        "{md}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// When `bench all` over every size dies (at the largest, say), measure.sh
/// measures the sizes one by one and merges them, so the rest survive.
#[test]
fn a_crashing_bench_all_falls_back_to_one_size_at_a_time() {
    let out = tmp("fallback");
    std::fs::create_dir_all(&out).unwrap();
    let fake = out.with_extension("mflda.sh");
    std::fs::write(
        &fake,
        format!(
            "#!/usr/bin/env bash\n\
             case \"$*\" in bench*,*) echo simulated crash >&2; exit 101;; esac\n\
             exec {} \"$@\"\n",
            env!("CARGO_BIN_EXE_mflda")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = measure(&out, "32,64", &fake, &[("PEER", "0")]);
    let log = format!("{}{}", text(&run.stdout), text(&run.stderr));
    assert_eq!(
        run.status.code(),
        Some(1),
        "the failure is reported:\n{log}"
    );
    let s = steps(&out);
    assert!(s.contains("bench-all\tfailed rc=101"), "{s}");
    assert!(
        s.contains("bench-all-32\tok") && s.contains("bench-all-64\tok"),
        "{s}"
    );
    assert_returnable(&out);

    let t = tables(&out);
    assert!(t.status.success(), "tables.py failed:\n{}", text(&t.stderr));
    let md = text(&t.stdout);
    assert!(md.contains("one `mflda bench all` per size"), "{md}");
    let step = section(&md, "Time step");
    for row in ["| 32 | ETDRK4 | ", "| 64 | ETDRK2 | ", "| 64 | ETDRK4 | "] {
        assert!(step.contains(row), "{row} missing:\n{md}");
    }
    assert!(section(&md, "ETDRK4 step by kernel").contains("(ETDRK4, 64^2)"));
    assert!(section(&md, "Not measured").contains("bench-all: failed rc=101"));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(&fake);
}

/// With no time left every step is skipped, not run, and the run fails;
/// tables.py then says what is missing instead of printing empty tables.
#[test]
fn steps_past_the_budget_are_skipped() {
    let out = tmp("budget");
    let run = measure(
        &out,
        "64",
        Path::new(env!("CARGO_BIN_EXE_mflda")),
        &[("PEER", "0"), ("BUDGET", "0")],
    );
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stdout));
    let s = steps(&out);
    assert!(s.contains("bench-all\tskipped"), "{s}");
    assert!(!out.join("all.json").exists());
    let t = tables(&out);
    assert_eq!(t.status.code(), Some(1));
    assert!(
        text(&t.stderr).contains("all.json: missing"),
        "{}",
        text(&t.stderr)
    );
    let _ = std::fs::remove_dir_all(&out);
}
