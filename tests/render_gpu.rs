//! The GPU colour map against the CPU reference, a known pattern, animations of
//! a short run, and bad rendering input.

mod common;

use common::{ctx, mflda, random, rng};
use mflda::gpu::{Elem, GpuField, Shape};
use mflda::render::gpu::{GpuColormap, Source, Style};
use mflda::render::{colorize, Colormap, Limits, Scale};

/// GPU colours of one real field.
fn gpu_colors(shape: Shape, field: &[f32], style: Style) -> Vec<u8> {
    let ctx = ctx();
    let f = GpuField::from_data(ctx, "test.field", shape, 1, Elem::Real, field).unwrap();
    let source = Source {
        buffer: &f.buffer,
        shape,
        stride: 1,
        components: 1,
    };
    let g = GpuColormap::new(ctx, source, None, style).unwrap();
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    g.record(&mut encoder.begin_compute_pass(&Default::default()));
    ctx.queue.submit([encoder.finish()]);
    let mut images = g.read(ctx).unwrap();
    ctx.take_errors().unwrap();
    assert_eq!(images.len(), 1);
    images.remove(0)
}

/// Every GPU pixel is the CPU reference's colour or one table entry away.
fn assert_within_one_level(gpu: &[u8], cpu: &[u8], map: Colormap, what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: image sizes");
    let lut = map.lut();
    let index = |c: &[u8]| lut.iter().position(|e| e[..] == c[..]);
    let mut off = 0;
    for (p, (g, c)) in gpu.chunks_exact(4).zip(cpu.chunks_exact(4)).enumerate() {
        if g == c {
            continue;
        }
        let (gi, ci) = (index(g), index(c));
        assert!(
            matches!((gi, ci), (Some(a), Some(b)) if a.abs_diff(b) <= 1),
            "{what}: pixel {p}: GPU {g:?} vs CPU {c:?}"
        );
        off += 1;
    }
    assert!(
        off * 100 <= gpu.len() / 4,
        "{what}: {off} pixels differ by a level"
    );
}

#[test]
fn gpu_colours_match_the_cpu_reference_linear_log_and_downsampled() {
    let mut r = rng("render-gpu");
    let shape = Shape::square(64);
    let field: Vec<f32> = random(&mut r, shape.len())
        .iter()
        .map(|v| 0.05 + 0.04 * v)
        .collect();
    for (scale, factor, map) in [
        (Scale::Linear, 1, Colormap::Viridis),
        (Scale::Log, 1, Colormap::Magma),
        (Scale::Linear, 4, Colormap::Cividis),
        (Scale::Log, 8, Colormap::Viridis),
    ] {
        let limits = Limits::new(0.02, 0.08, scale).unwrap();
        let style = Style {
            map,
            scale,
            limits,
            factor,
        };
        let gpu = gpu_colors(shape, &field, style);
        let cpu = colorize(&field, 64, 64, factor as usize, limits, scale, map).unwrap();
        assert_within_one_level(&gpu, &cpu, map, &format!("{scale:?} / {factor}"));
    }
}

#[test]
fn a_single_fourier_mode_gives_its_stripes() {
    // rho = 1 + cos(x): brightest column at x = 0, darkest at x = pi; rows equal;
    // with y up, image row 0 is the last grid row.
    let n = 32;
    let shape = Shape::square(n);
    let h = std::f64::consts::TAU / n as f64;
    let field: Vec<f32> = (0..shape.len())
        .map(|p| (1.0 + ((p % n as usize) as f64 * h).cos()) as f32)
        .collect();
    let map = Colormap::Viridis;
    let style = Style {
        map,
        scale: Scale::Linear,
        limits: Limits::new(0.0, 2.0, Scale::Linear).unwrap(),
        factor: 1,
    };
    let img = gpu_colors(shape, &field, style);
    let lut = map.lut();
    let px = |x: usize, y: usize| &img[(y * n as usize + x) * 4..][..4];
    for y in 0..n as usize {
        assert_eq!(px(0, y), lut[255], "x = 0 is the top colour");
        assert_eq!(px(n as usize / 2, y), lut[0], "x = pi is the bottom colour");
        assert_eq!(px(5, y), px(5, 0), "columns are uniform");
    }
    // A mode along y instead: row 0 of the image is the top grid row j2 = n-1.
    let field: Vec<f32> = (0..shape.len()).map(|p| (p / n as usize) as f32).collect();
    let style = Style {
        limits: Limits::new(0.0, (n - 1) as f32, Scale::Linear).unwrap(),
        ..style
    };
    let img = gpu_colors(shape, &field, style);
    assert_eq!(&img[..4], lut[255], "image row 0 shows the last grid row");
}

/// The frames of the GIF at `path`.
fn gif_frames(path: &std::path::Path) -> Vec<image::Frame> {
    use image::AnimationDecoder;
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let decoder = image::codecs::gif::GifDecoder::new(file).unwrap();
    decoder.into_frames().collect_frames().unwrap()
}

#[test]
fn a_short_run_animates_as_gif_and_apng_and_bad_input_is_refused() {
    use image::AnimationDecoder;
    let dir = std::env::temp_dir().join(format!("mflda-render-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let out = mflda(&[
        "run",
        "-q",
        "--force",
        "--out",
        d,
        "--set",
        "grid.n=32",
        "--set",
        "time.t_end=0.4",
        "--set",
        "time.dt=0.02",
        "--set",
        "output.snapshots_every=0.1",
        "--set",
        "output.frames_every=0.2",
        "--set",
        "output.frame_size=16",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["frame_000000.png", "frame_000001.png", "frame_000002.png"] {
        let img = image::open(dir.join("frames").join(f)).unwrap();
        assert!(img.width() > 32 && img.height() > 16, "{f}");
    }
    assert!(dir.join("metrics.png").is_file() && dir.join("metrics.svg").is_file());

    // Five snapshots (t = 0 .. 0.4) re-rendered on the GPU with another colour map.
    let gif = dir.join("movie.gif");
    let out = mflda(&[
        "render",
        d,
        "--colormap",
        "magma",
        "--size",
        "32",
        "--out",
        gif.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = gif_frames(&gif);
    assert_eq!(frames.len(), 5);
    let size = frames[0].buffer().dimensions();
    assert!(frames.iter().all(|f| f.buffer().dimensions() == size));

    // The run's own frames as an APNG.
    let apng = dir.join("movie.png");
    let out = mflda(&[
        "render",
        d,
        "--from-frames",
        "--format",
        "apng",
        "--out",
        apng.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = image::codecs::png::PngDecoder::new(std::io::BufReader::new(
        std::fs::File::open(&apng).unwrap(),
    ))
    .unwrap();
    let frames = decoder
        .apng()
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 3);
    let first = image::open(dir.join("frames/frame_000000.png")).unwrap();
    assert_eq!(
        frames[0].buffer().dimensions(),
        (first.width(), first.height())
    );

    // Bad input: an unknown colour map, a zero fps.
    let out = mflda(&["render", d, "--colormap", "jet"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("jet") && err.contains("viridis"),
        "{err}"
    );
    let out = mflda(&["render", d, "--fps", "0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--fps"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A grid smaller than `output.frame_size` is upscaled to it (a 16^2 run's
/// panels were 16 pixels whatever the size asked), `render --size` follows
/// the same rule, and a run with more frames than snapshots is animated from
/// its frames, or told how to get snapshots when re-rendering is asked for.
#[test]
fn small_grids_are_upscaled_and_render_takes_the_richer_source() {
    let dir = std::env::temp_dir().join(format!("mflda-render-up-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let run = |size: &str, snapshots: &str| {
        let out = mflda(&[
            "run",
            "-q",
            "--force",
            "--out",
            d,
            "--set",
            "grid.n=16",
            "--set",
            "time.t_end=0.4",
            "--set",
            "time.dt=0.02",
            "--set",
            &format!("output.snapshots_every={snapshots}"),
            "--set",
            "output.frames_every=0.1",
            "--set",
            &format!("output.frame_size={size}"),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        image::open(dir.join("frames/frame_000000.png")).unwrap()
    };
    let small = run("16", "0.4");
    let big = run("128", "0.4");
    // Each panel 128 pixels a side: the frame 64 pixels taller than one
    // whose 16-pixel panels sit beside a colour bar of at least 64.
    let (b, sm) = ((big.width(), big.height()), (small.width(), small.height()));
    assert_eq!(b.1 - sm.1, 64, "{b:?} vs {sm:?}");
    assert!(b.0 >= 2 * 128 && b.0 > sm.0, "{b:?} vs {sm:?}");

    // 5 frames, 2 snapshots: the frames are animated.
    let gif = dir.join("movie.gif");
    let out = mflda(&["render", d, "--out", gif.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = gif_frames(&gif);
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[0].buffer().dimensions(), (big.width(), big.height()));
    // Re-rendering needs snapshots: the error says how to get them.
    let out = mflda(&[
        "render",
        d,
        "--colormap",
        "magma",
        "--out",
        gif.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("output.snapshots_every"),
        "{err}"
    );
    // With as many snapshots as frames, `render --size 128` re-renders them
    // to the size of the run's frames at frame_size 128.
    let big = run("128", "0.1");
    let out = mflda(&["render", d, "--size", "128", "--out", gif.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = gif_frames(&gif);
    assert_eq!(frames[0].buffer().dimensions(), (big.width(), big.height()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rendering_a_run_without_snapshots_or_frames_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("mflda-render-empty-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let out = mflda(&[
        "run",
        "-q",
        "--force",
        "--out",
        d,
        "--set",
        "grid.n=16",
        "--set",
        "time.t_end=0.1",
        "--set",
        "output.snapshots_every=0",
        "--set",
        "output.frames_every=0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = mflda(&["render", d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("no snapshots") && err.contains("frames_every"),
        "{err}"
    );
    // A frame cadence below one step, and an unknown colour map in the config.
    let out = mflda(&[
        "run",
        "--out",
        d,
        "--force",
        "--set",
        "grid.n=16",
        "--set",
        "output.frames_every=0.001",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("output.frames_every"),
        "{err}"
    );
    let out = mflda(&[
        "run",
        "--out",
        d,
        "--force",
        "--set",
        "grid.n=16",
        "--set",
        "output.colormap=jet",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("output.colormap") && err.contains("viridis"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
