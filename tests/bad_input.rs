//! The `mflda` binary on bad input: one test per row of the table below. Every
//! row must exit non-zero without a panic, and its stderr must name what was
//! wrong (the dotted key, the file or the flag) and, where it applies, the
//! offending value and the fix (the row's `must` texts, matched ignoring case).
//! Rows run on the embedded default with `--set grid.n=16`, so the ones that
//! get as far as the equilibrium stay fast on lavapipe.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One bad invocation and what its stderr must (not) say.
struct Row {
    /// Arguments of `mflda`; `{dir}` is the row's scratch directory.
    args: Vec<String>,
    /// Files to write into `{dir}` first: (name, contents).
    files: Vec<(&'static str, &'static str)>,
    /// Prepares `{dir}` (after `files`).
    setup: Option<fn(&Path)>,
    /// Texts stderr must contain, ignoring case; `{dir}` as in `args`.
    must: Vec<String>,
    /// Texts stderr must not contain, ignoring case.
    must_not: Vec<String>,
    /// Checks `{dir}` after the run (nothing the user had is destroyed).
    after: Option<fn(&Path)>,
    /// The run must end within this time.
    within: Duration,
}

/// `mflda run --out {dir}/out --set grid.n=16 --set <each of sets>`.
fn set(sets: &[&str]) -> Row {
    let mut args = vec!["run", "--out", "{dir}/out", "--set", "grid.n=16"];
    for s in sets {
        args.extend(["--set", s]);
    }
    raw(&args)
}

/// `mflda <args>`.
fn raw(args: &[&str]) -> Row {
    Row {
        args: args.iter().map(|s| s.to_string()).collect(),
        files: Vec::new(),
        setup: None,
        must: Vec::new(),
        must_not: Vec::new(),
        after: None,
        within: Duration::from_secs(120),
    }
}

impl Row {
    fn must(mut self, texts: &[&str]) -> Self {
        self.must.extend(texts.iter().map(|s| s.to_string()));
        self
    }

    fn must_not(mut self, texts: &[&str]) -> Self {
        self.must_not.extend(texts.iter().map(|s| s.to_string()));
        self
    }

    fn file(mut self, name: &'static str, contents: &'static str) -> Self {
        self.files.push((name, contents));
        self
    }

    fn setup(mut self, f: fn(&Path)) -> Self {
        self.setup = Some(f);
        self
    }

    fn after(mut self, f: fn(&Path)) -> Self {
        self.after = Some(f);
        self
    }

    fn within(mut self, seconds: u64) -> Self {
        self.within = Duration::from_secs(seconds);
        self
    }

    /// Expression rows: refused before the equilibrium is computed.
    fn before_equilibrium(self) -> Self {
        self.must_not(&["equilibrium:"])
    }
}

/// A fresh scratch directory for row `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mflda-bad-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `mflda args` with a time limit; (exit code, stderr, elapsed). The
/// child is killed at the limit, which fails the row.
fn mflda(args: &[String], dir: &Path, limit: Duration) -> (Option<i32>, String, Duration) {
    let (out, err) = (dir.join("stdout.txt"), dir.join("stderr.txt"));
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .expect("the mflda binary starts");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`mflda {}` did not finish within {limit:?}; stderr so far:\n{}",
                args.join(" "),
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    (status.code(), stderr, start.elapsed())
}

/// Runs one row and checks it; `name` picks the scratch directory.
fn check(name: &str, row: Row) {
    let dir = scratch(name);
    let fill = |s: &str| s.replace("{dir}", &dir.to_string_lossy());
    for (file, contents) in &row.files {
        std::fs::write(dir.join(file), contents).unwrap();
    }
    if let Some(setup) = row.setup {
        setup(&dir);
    }
    let args: Vec<String> = row.args.iter().map(|a| fill(a)).collect();
    let (code, stderr, elapsed) = mflda(&args, &dir, row.within);
    let shown = format!(
        "`mflda {}` (exit {code:?}, {elapsed:.2?}), stderr:\n{stderr}",
        args.join(" ")
    );
    let mut problems = Vec::new();
    if code == Some(0) {
        problems.push("it succeeded".to_string());
    }
    if code == Some(101) {
        problems.push("exit status 101, a panic".to_string());
    }
    let lower = stderr.to_lowercase();
    for bad in ["panicked", "stack backtrace"] {
        if lower.contains(bad) {
            problems.push(format!("stderr shows `{bad}`"));
        }
    }
    for text in &row.must {
        let text = fill(text);
        if !lower.contains(&text.to_lowercase()) {
            problems.push(format!("stderr does not say `{text}`"));
        }
    }
    for text in &row.must_not {
        if lower.contains(&text.to_lowercase()) {
            problems.push(format!("stderr says `{text}`"));
        }
    }
    assert!(
        problems.is_empty(),
        "{name}: {}\n{shown}",
        problems.join("; ")
    );
    if let Some(after) = row.after {
        after(&dir);
    }
    eprintln!("{name}: ok in {elapsed:.2?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small finished run in `{dir}/prev` (run directory marker included).
fn previous_run(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_mflda"))
        .args(["run", "--quiet", "--out"])
        .arg(dir.join("prev"))
        .args(["--set", "grid.n=16", "--set", "time.t_end=0.04"])
        .args(["--set", "time.dt=0.02"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the setup run failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory of the user's that is not a run.
fn user_directory(dir: &Path) {
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/notes.txt"), "keep me").unwrap();
}

fn user_directory_kept(dir: &Path) {
    let notes = std::fs::read_to_string(dir.join("mine/notes.txt"));
    assert_eq!(
        notes.ok().as_deref(),
        Some("keep me"),
        "the user's file was touched"
    );
}

fn previous_run_kept(dir: &Path) {
    assert!(
        dir.join("prev/config.toml").is_file() && dir.join("prev/mu_final.npy").is_file(),
        "the earlier run was touched"
    );
}

/// One `#[test]` per row.
macro_rules! rows {
    ($($name:ident: $row:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), $row);
            }
        )*
    };
}

rows! {
    // The config file and the --set syntax.
    malformed_toml_file: raw(&["run", "{dir}/bad.toml", "--out", "{dir}/out"])
        .file("bad.toml", "[grid\nn = 16\n")
        .must(&["{dir}/bad.toml", "not valid toml", "line 1"]);
    missing_config_file: raw(&["run", "{dir}/missing.toml", "--out", "{dir}/out"])
        .must(&["{dir}/missing.toml", "no such file"]);
    set_without_equals: set(&["game.tau"])
        .must(&["game.tau", "no `=`", "--set table.key=value"]);
    unknown_key_suggests_the_nearest: set(&["game.tua=0.1"])
        .must(&["`game.tua`", "did you mean `game.tau`"]);
    unknown_table_in_a_file: raw(&["run", "{dir}/c.toml", "--out", "{dir}/out"])
        .file(
            "c.toml",
            "[grid]\ndim = 1\nn = 16\n[game]\ntau = 0.2\n[time]\ndt = 0.01\nt_end = 0.1\n\
             [outptu]\nmetrics_every = 0.01\n",
        )
        .must(&["`outptu`", "did you mean `output`"]);
    unknown_table_in_a_set: set(&["gmae.tau=0.1"])
        .must(&["`gmae.tau`", "did you mean `game.tau`"]);
    wrong_type: set(&["grid.n=\"abc\""])
        .must(&["grid.n", "abc", "expected an integer"]);

    // Ranges.
    tau_zero: set(&["game.tau=0"]).must(&["game.tau", "got 0", "> 0", "e.g. tau ="]);
    tau_negative: set(&["game.tau=-1"]).must(&["game.tau", "got -1", "> 0"]);
    dt_zero: set(&["time.dt=0"]).must(&["time.dt", "got 0", "> 0", "e.g. dt ="]);
    dt_negative: set(&["time.dt=-0.1"]).must(&["time.dt", "got -0.1", "> 0"]);
    t_end_nan: set(&["time.t_end=nan"]).must(&["time.t_end", "got nan", "finite"]);
    t_end_infinite: set(&["time.t_end=inf"]).must(&["time.t_end", "got inf", "finite"]);
    n_not_a_power_of_two: set(&["grid.n=100"])
        .must(&["grid.n", "100", "power of two", "64 or 128"]);
    n_above_the_maximum: set(&["grid.n=16384"]).must(&["grid.n", "16384", "8192"]);
    dim_three: set(&["grid.dim=3"]).must(&["grid.dim", "got 3", "1 or 2"]);

    // Expressions: refused with naga's message under the user's text, before
    // the equilibrium is computed.
    kernel_does_not_parse: set(&["game.kernel=cos(z.x"])
        .must(&["game.kernel", "cos(z.x", "^", "expected `)`"])
        .before_equilibrium();
    kernel_does_not_type_check: set(&["game.kernel=cos(z.x) + z"])
        .must(&["game.kernel", "cos(z.x) + z", "^", "vec2<f32>", "scalar"])
        .before_equilibrium();
    interaction_does_not_parse: set(&["game.interaction=cos(x.x + )"])
        .must(&["game.interaction", "cos(x.x + )", "^", "expected expression"])
        .before_equilibrium();
    interaction_does_not_type_check: set(&["game.interaction=cos(x.x) * y"])
        .must(&["game.interaction", "cos(x.x) * y", "^", "vec2<f32>", "scalar"])
        .before_equilibrium();
    interaction_uses_another_kinds_variable: set(&["game.interaction=cos(x.x + z.y)"])
        .must(&["game.interaction", "`z`", "`x: vec2<f32>`, `y: vec2<f32>`"])
        .before_equilibrium();
    init_does_not_parse: set(&["init.mu=eq * (1.0 + cos(x.x)"])
        .must(&["init.mu", "eq * (1.0 + cos(x.x)", "^", "expected `)`"])
        .before_equilibrium();
    init_does_not_type_check: set(&["init.mu=eq * x"])
        .must(&["init.mu", "eq * x", "^", "scalar"])
        .before_equilibrium();

    // Initial densities that are not densities (found once `eq` is known).
    init_negative_somewhere: set(&["init.mu=cos(x.x)"])
        .must(&["init.mu", "cos(x.x)", "negative", "minimum is -1", "add a constant"]);
    init_zero_everywhere: set(&["init.mu=0.0"])
        .must(&["init.mu", "zero everywhere", "fix", "`eq`"]);
    init_not_finite: set(&["init.nu=eq / x.x"])
        .must(&["init.nu", "eq / x.x", "is inf", "x = (0.000000, 0.000000)", "finite"]);
    init_nan: set(&["init.nu=sqrt(x.x - 1.0)"])
        .must(&["init.nu", "is nan", "finite"]);

    // The output directory.
    out_parent_is_a_file: raw(&["run", "--out", "{dir}/afile/out", "--set", "grid.n=16"])
        .file("afile", "a regular file")
        .must(&["{dir}/afile", "not a directory", "--out"]);
    out_is_a_users_directory: raw(&["run", "--out", "{dir}/mine", "--set", "grid.n=16"])
        .setup(user_directory)
        .after(user_directory_kept)
        .must(&["{dir}/mine", "not an mflda run", "--out"]);
    out_is_a_users_directory_even_with_force:
        raw(&["run", "--out", "{dir}/mine", "--set", "grid.n=16", "--force"])
        .setup(user_directory)
        .after(user_directory_kept)
        .must(&["{dir}/mine", "not an mflda run"]);
    out_is_an_earlier_run: raw(&["run", "--out", "{dir}/prev", "--set", "grid.n=16"])
        .setup(previous_run)
        .after(previous_run_kept)
        .must(&["{dir}/prev", "already", "--force"]);
}

/// A grid the device cannot hold fails at once, naming `grid.n`, the
/// device's limit and the largest n that fits, whatever the device: twice
/// the largest side is asked for. Through the CLI where that is a valid
/// `grid.n` (at most 8192), and through the library's check in any case.
#[test]
fn grid_too_large_for_the_device() {
    let ctx = mflda::gpu::GpuContext::new(&mflda::gpu::AdapterRequest::default())
        .unwrap_or_else(|e| panic!("no adapter: {e}"));
    let largest = mflda::Problem::largest_grid(&ctx, 2);
    assert!(largest >= 16, "{largest}");
    let too_big = mflda::gpu::Shape::square(2 * largest);
    let e = mflda::Problem::check_fits(&ctx, too_big)
        .unwrap_err()
        .to_string();
    let fix = format!("--set grid.n={largest}");
    assert!(e.contains("grid.n") && e.contains(&fix), "{e}");
    let limit = format!("{} MiB", ctx.max_binding_bytes() >> 20);
    let name = ctx.info.name.clone();
    drop(ctx);
    if 2 * largest <= 8192 {
        let n = format!("grid.n={}", 2 * largest);
        let row = set(&[&n])
            .must(&[&limit, &name, &fix])
            .before_equilibrium()
            .within(20);
        check("grid_too_large_for_the_device", row);
    }
}

/// Fixing a rejected expression and running again into the same `--out` works
/// without `--force`: a run refused at its input leaves no run directory behind.
#[test]
fn a_rejected_expression_does_not_block_the_next_run() {
    let dir = scratch("a_rejected_expression_does_not_block_the_next_run");
    let out = dir.join("out").to_string_lossy().into_owned();
    let args = |kernel: &str| -> Vec<String> {
        let sets = ["grid.n=16", kernel, "time.t_end=0.04", "time.dt=0.02"];
        let mut a = vec![
            "run".to_string(),
            "--quiet".into(),
            "--out".into(),
            out.clone(),
        ];
        for s in sets {
            a.extend(["--set".to_string(), s.to_string()]);
        }
        a
    };
    let limit = Duration::from_secs(120);
    let (code, stderr, _) = mflda(&args("game.kernel=cos(q.x)"), &dir, limit);
    assert!(
        code != Some(0) && stderr.contains("game.kernel"),
        "{stderr}"
    );
    let (code, stderr, _) = mflda(&args("game.kernel=cos(z.x)"), &dir, limit);
    assert_eq!(
        code,
        Some(0),
        "the corrected run into the same --out failed:\n{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
