//! The run directory and its files: atomic writes, npy, metrics CSV, RunDir.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use mflda::output::{
    format_value, read_npy_f32, read_npy_f64, write_atomic, write_npy_f32, write_npy_f64,
    MetricsCsv, RunDir, MARKER_FILE,
};
use mflda::Error;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("output-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn io_message(err: Error) -> String {
    match err {
        Error::Io { .. } => err.to_string(),
        other => panic!("expected Error::Io, got {other:?}"),
    }
}

#[test]
fn atomic_write_replaces_and_leaves_no_temp_files() {
    let dir = scratch("atomic");
    let path = dir.join("a.txt");
    write_atomic(&path, b"first").unwrap();
    write_atomic(&path, b"second, longer").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"second, longer");
    assert_eq!(names(&dir), ["a.txt"]);

    let missing = dir.join("no_such_dir").join("b.txt");
    let msg = io_message(write_atomic(&missing, b"x").unwrap_err());
    assert!(msg.contains("b.txt"), "{msg}");
    assert_eq!(names(&dir), ["a.txt"]);
}

#[test]
fn npy_round_trip_and_header_layout() {
    let dir = scratch("npy");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for shape in [
        vec![3, 4],
        vec![1, 16],
        vec![5],
        vec![],
        vec![2, 3, 4],
        vec![0, 8],
    ] {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = (0..n).map(|_| rng.random_range(-1e3..1e3)).collect();
        let path = dir.join("a.npy");
        write_npy_f32(&path, &shape, &data).unwrap();
        let bytes = fs::read(&path).unwrap();
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        assert_eq!((10 + header_len) % 64, 0, "shape {shape:?}");
        assert_eq!(bytes[9 + header_len], b'\n');
        assert_eq!(bytes.len(), 10 + header_len + 4 * n);
        let (s, d) = read_npy_f32(&path).unwrap();
        assert_eq!(s, shape);
        assert_eq!(d, data);
    }
    // f64 too.
    let path = dir.join("b.npy");
    let data = [1.0f64, -2.5, std::f64::consts::PI, 1e-300];
    write_npy_f64(&path, &[2, 2], &data).unwrap();
    assert_eq!(read_npy_f64(&path).unwrap(), (vec![2, 2], data.to_vec()));
    assert_eq!(names(&dir), ["a.npy", "b.npy"]);
}

#[test]
fn npy_exact_header_text() {
    let dir = scratch("npy-header");
    let path = dir.join("h.npy");
    write_npy_f32(&path, &[3, 4], &[0.0; 12]).unwrap();
    let bytes = fs::read(&path).unwrap();
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!(10 + header_len, 128);
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    assert!(header.starts_with(dict), "{header:?}");
    assert!(header[dict.len()..]
        .trim_end_matches('\n')
        .chars()
        .all(|c| c == ' '));
    assert!(header.ends_with('\n'));
    write_npy_f32(&path, &[5], &[0.0; 5]).unwrap();
    let bytes = fs::read(&path).unwrap();
    assert!(bytes[10..].starts_with(b"{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"));
}

#[test]
fn npy_errors() {
    let dir = scratch("npy-errors");
    let path = dir.join("x.npy");
    match write_npy_f32(&path, &[3, 4], &[0.0; 11]) {
        Err(Error::Usage(m)) => assert!(m.contains("12") && m.contains("11"), "{m}"),
        other => panic!("expected Error::Usage, got {other:?}"),
    }
    assert!(!path.exists());

    fs::write(&path, b"hello, not numpy").unwrap();
    assert!(io_message(read_npy_f32(&path).unwrap_err()).contains("magic"));

    write_npy_f64(&path, &[2], &[1.0, 2.0]).unwrap();
    let msg = io_message(read_npy_f32(&path).unwrap_err());
    assert!(msg.contains("<f8") && msg.contains("x.npy"), "{msg}");

    write_npy_f32(&path, &[4], &[1.0; 4]).unwrap();
    let mut bytes = fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 2);
    fs::write(&path, &bytes).unwrap();
    assert!(io_message(read_npy_f32(&path).unwrap_err()).contains("data bytes"));

    let fortran = b"{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(fortran.len() as u16).to_le_bytes());
    bytes.extend_from_slice(fortran);
    bytes.extend_from_slice(&1.0f32.to_le_bytes());
    fs::write(&path, &bytes).unwrap();
    assert!(io_message(read_npy_f32(&path).unwrap_err()).contains("Fortran"));

    assert!(
        io_message(read_npy_f32(&dir.join("missing.npy")).unwrap_err()).contains("missing.npy")
    );
}

#[test]
fn numpy_reads_our_files() {
    if !common::python_has("numpy") {
        eprintln!("skipping the numpy.load check: python3 with numpy is not available here");
        return;
    }
    let dir = scratch("numpy");
    let path = dir.join("n.npy");
    let data: Vec<f32> = (0..12).map(|i| i as f32 * 0.5 - 1.0).collect();
    write_npy_f32(&path, &[3, 4], &data).unwrap();
    let script = "import numpy, sys; a = numpy.load(sys.argv[1]); \
                  assert a.shape == (3, 4) and a.dtype == numpy.float32, (a.shape, a.dtype); \
                  assert (a.ravel() == numpy.arange(12, dtype=numpy.float32) * 0.5 - 1.0).all(), a";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // And the other way: files numpy writes read back here.
    let theirs = dir.join("theirs.npy");
    let script = "import numpy, sys; numpy.save(sys.argv[1], numpy.arange(6, dtype='<f4').reshape(2, 3) / 4)";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&theirs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (shape, values) = read_npy_f32(&theirs).unwrap();
    assert_eq!(shape, [2, 3]);
    assert_eq!(values, [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]);
}

#[test]
fn metrics_csv_append_reopen_truncate() {
    let dir = scratch("csv");
    let path = dir.join("metrics.csv");
    let cols = ["t", "mass", "gap"];
    let mut csv = MetricsCsv::create(&path, &cols).unwrap();
    csv.append(&[0.0, 1.0, 0.5]).unwrap();
    csv.append(&[0.1, 1.0, f64::NAN]).unwrap();
    csv.append(&[0.2, f64::INFINITY, -f64::INFINITY]).unwrap();
    assert!(matches!(csv.append(&[0.3, 1.0]), Err(Error::Usage(_))));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "t,mass,gap\n0,1,0.5\n0.1,1,nan\n0.2,inf,-inf\n"
    );
    drop(csv);

    // Reopen: the header must match; a torn last row is dropped.
    assert!(matches!(
        MetricsCsv::open_append(&path, &["t", "mass"]),
        Err(Error::Data { .. })
    ));
    fs::write(&path, fs::read_to_string(&path).unwrap() + "0.3,1,0.2").unwrap();
    let mut csv = MetricsCsv::open_append(&path, &cols).unwrap();
    csv.append(&[0.3, 1.0, 1e-12]).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "t,mass,gap\n0,1,0.5\n0.1,1,nan\n0.2,inf,-inf\n0.3,1,1e-12\n"
    );
    drop(csv);

    assert_eq!(MetricsCsv::truncate_after(&path, 0.1).unwrap(), 2);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "t,mass,gap\n0,1,0.5\n0.1,1,nan\n"
    );
    assert_eq!(names(&dir), ["metrics.csv"]);
    assert!(MetricsCsv::open_append(&dir.join("missing.csv"), &cols).is_err());
    assert!(matches!(
        MetricsCsv::create(&path, &["t", "a,b"]),
        Err(Error::Usage(_))
    ));
}

#[test]
fn csv_values_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..10_000 {
        let v = f64::from_bits(rng.random());
        let text = format_value(v);
        let back: f64 = text.parse().unwrap();
        assert!(
            back == v || (v.is_nan() && back.is_nan()),
            "{v:e} -> {text}"
        );
        assert!(text.len() <= 24, "{text}");
    }
    assert_eq!(format_value(0.25), "0.25");
    assert_eq!(format_value(1e-7), "1e-7");
    assert_eq!(format_value(-3e20), "-3e20");
}

#[test]
fn run_dir_create_and_write() {
    let root = scratch("rundir");
    let path = root.join("nested").join("run");
    let run = RunDir::create(&path, false).unwrap();
    assert!(path.join(MARKER_FILE).is_file());
    // snapshots/ comes with the first snapshot: `equilibrium` and `analyze`
    // write none.
    assert!(!path.join("snapshots").exists());
    run.ensure_snapshots().unwrap();
    assert!(path.join("snapshots").is_dir());
    assert_eq!(run.path(), path);
    assert_eq!(run.file("metrics.csv"), path.join("metrics.csv"));
    assert_eq!(
        run.snapshot_path("mu", 5.0),
        path.join("snapshots/mu_00005.000000.npy")
    );
    let mut times: Vec<PathBuf> = [12.5, 0.25, 100.0, 3.0]
        .iter()
        .map(|&t| run.snapshot_path("nu", t))
        .collect();
    times.sort();
    assert_eq!(times[0], run.snapshot_path("nu", 0.25));
    assert_eq!(times[3], run.snapshot_path("nu", 100.0));

    run.write_json("summary.json", &serde_json::json!({"steps": 3, "ok": true}))
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["steps"], 3);
    run.write_text("config.toml", "[grid]\n").unwrap();
    assert_eq!(
        fs::read_to_string(path.join("config.toml")).unwrap(),
        "[grid]\n"
    );
    assert_eq!(
        names(&path),
        [MARKER_FILE, "config.toml", "snapshots", "summary.json"]
    );

    // An existing empty directory is fine; RunDir::open needs the marker.
    let empty = root.join("empty");
    fs::create_dir(&empty).unwrap();
    assert!(RunDir::open(&empty).is_err());
    RunDir::create(&empty, false).unwrap();
    RunDir::open(&empty).unwrap();
}

#[test]
fn run_dir_refuses_to_clobber() {
    let root = scratch("rundir-errors");

    // An existing run: refuse without overwrite, clear it with overwrite.
    let run = root.join("run");
    RunDir::create(&run, false).unwrap();
    fs::write(run.join("old.txt"), "old").unwrap();
    let msg = io_message(RunDir::create(&run, false).unwrap_err());
    assert!(msg.contains("--resume") && msg.contains("--force"), "{msg}");
    RunDir::create(&run, true).unwrap();
    assert_eq!(names(&run), [MARKER_FILE]);

    // One that a command left before producing anything (stopped in its
    // equilibrium, say) is taken again without --force; one with results is not.
    let unstarted = root.join("unstarted");
    RunDir::create(&unstarted, false).unwrap();
    fs::write(unstarted.join("config.toml"), "[grid]\n").unwrap();
    fs::write(unstarted.join("mu_star.npy"), "x").unwrap();
    RunDir::create(&unstarted, false).unwrap();
    assert_eq!(names(&unstarted), [MARKER_FILE]);
    fs::write(unstarted.join("equilibrium.json"), "{}").unwrap();
    let msg = io_message(RunDir::create(&unstarted, false).unwrap_err());
    assert!(msg.contains("--force"), "{msg}");

    // --resume of a directory that does not exist says so.
    let msg = io_message(RunDir::open(&root.join("nowhere")).unwrap_err());
    assert!(msg.contains("does not exist"), "{msg}");

    // A foreign non-empty directory: refused even with overwrite, untouched.
    let foreign = root.join("photos");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("cat.jpg"), "meow").unwrap();
    for overwrite in [false, true] {
        let msg = io_message(RunDir::create(&foreign, overwrite).unwrap_err());
        assert!(
            msg.contains("not an mflda run directory") && msg.contains("--out"),
            "{msg}"
        );
    }
    assert_eq!(names(&foreign), ["cat.jpg"]);

    // A file in the way.
    let file = root.join("file");
    fs::write(&file, "x").unwrap();
    let msg = io_message(RunDir::create(&file, true).unwrap_err());
    assert!(msg.contains("not a directory"), "{msg}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");

    // Cannot be created (a parent is a file): the error names the path.
    let below = file.join("run");
    let msg = io_message(RunDir::create(&below, false).unwrap_err());
    assert!(msg.contains(&below.display().to_string()), "{msg}");
}
