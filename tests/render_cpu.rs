//! The CPU side of rendering (`mflda::render`), no GPU needed: colour maps and
//! the value-to-colour rule, block averages, the bitmap font, frames, the
//! metrics plot and animations. Images are left in `CARGO_TARGET_TMPDIR` for
//! looking at.

use std::fs;
use std::io::BufReader;
use std::path::PathBuf;

use image::codecs::gif::GifDecoder;
use image::codecs::png::PngDecoder;
use image::{AnimationDecoder, Rgba, RgbaImage};
use mflda::metrics::COLUMNS;
use mflda::output::MetricsCsv;
use mflda::render::colormap::{lightness, Limits, Scale, BAD_COLOR};
use mflda::render::font::{draw_text, text_size};
use mflda::render::{
    colorize, compose_frame, downsample_mean, fit_all, frame_layout, line_frame, map_value,
    metrics_plot, write_apng, write_gif, ColorBar, Colormap, Curve, Panel,
};

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("render_cpu")
        .join(name);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn hex(c: [u8; 4]) -> String {
    format!("{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

#[test]
fn colormap_tables() {
    let v = Colormap::Viridis.lut();
    let m = Colormap::Magma.lut();
    let c = Colormap::Cividis.lut();
    assert_eq!(
        (hex(v[0]), hex(v[128]), hex(v[255])),
        ("440154".into(), "21918c".into(), "fde725".into())
    );
    assert_eq!((hex(m[0]), hex(m[255])), ("000004".into(), "fcfdbf".into()));
    assert_eq!((hex(c[0]), hex(c[255])), ("00224e".into(), "fee838".into()));
    // Perceptually uniform maps get lighter all the way up: strictly over
    // every 4 entries; neighbours may tie within the rounding to bytes.
    for map in [Colormap::Viridis, Colormap::Magma, Colormap::Cividis] {
        let l: Vec<f64> = map.lut().iter().map(|&e| lightness(e)).collect();
        assert!(
            l.windows(2).all(|w| w[1] > w[0] - 0.05),
            "{map} lightness falls"
        );
        assert!(
            l.windows(5).all(|w| w[4] > w[0] + 0.3),
            "{map} lightness stalls"
        );
    }
    // Diverging: blue to red through a light neutral, symmetric in lightness.
    let d = Colormap::Diverging.lut();
    assert!(d[0][2] > d[0][0] && d[255][0] > d[255][2]);
    for i in 0..128 {
        let (a, b) = (lightness(d[i]), lightness(d[255 - i]));
        assert!((a - b).abs() < 2.5, "entry {i}: {a} vs {b}");
        if i < 127 {
            assert!(
                lightness(d[i + 1]) > a - 0.05,
                "lightness must rise to the middle"
            );
        }
    }
    assert!(lightness(d[128]) > 85.0);
    for map in Colormap::ALL {
        assert!(map.lut().iter().all(|e| e[3] == 255));
    }
}

#[test]
fn names_and_errors() {
    for (name, map) in Colormap::NAMES.iter().zip(Colormap::ALL) {
        assert_eq!(name.parse::<Colormap>().unwrap(), map);
        assert_eq!(
            Colormap::parse("--colormap", &name.to_uppercase()).unwrap(),
            map
        );
    }
    let e = Colormap::parse("output.colormap", "jet")
        .unwrap_err()
        .to_string();
    for want in [
        "output.colormap",
        "jet",
        "viridis",
        "magma",
        "cividis",
        "diverging",
    ] {
        assert!(e.contains(want), "{e}");
    }
    assert_eq!("log".parse::<Scale>().unwrap(), Scale::Log);
    let e = Scale::parse("output.scale", "sqrt")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("output.scale") && e.contains("linear") && e.contains("log"),
        "{e}"
    );
}

#[test]
fn map_value_edges() {
    let lut = Colormap::Viridis.lut();
    let lin = |v: f32| map_value(v, 0.0, 256.0, Scale::Linear, &lut);
    assert_eq!(lin(0.0), lut[0]);
    assert_eq!(lin(0.999), lut[0]);
    assert_eq!(lin(1.0), lut[1]);
    assert_eq!(lin(128.0), lut[128]);
    assert_eq!(lin(255.999), lut[255]);
    assert_eq!(lin(256.0), lut[255]);
    assert_eq!(lin(-5.0), lut[0]);
    assert_eq!(lin(1e30), lut[255]);
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert_eq!(lin(bad), BAD_COLOR);
        assert_eq!(map_value(bad, 1.0, 10.0, Scale::Log, &lut), BAD_COLOR);
    }
    let log = |v: f32| map_value(v, 1e-3, 1e3, Scale::Log, &lut);
    assert_eq!(log(1.0), lut[128]);
    assert_eq!(log(1e-3), lut[0]);
    assert_eq!(log(1e3), lut[255]);
    assert_eq!(log(1e9), lut[255]);
    // Non-positive values sit at the bottom of a log scale.
    assert_eq!(log(0.0), lut[0]);
    assert_eq!(log(-1.0), lut[0]);
    // Invalid limits never panic; the undefined cases are the bad colour.
    assert_eq!(map_value(1.0, 0.0, 10.0, Scale::Log, &lut), BAD_COLOR);
    assert_eq!(map_value(2.0, 2.0, 2.0, Scale::Linear, &lut), BAD_COLOR);
    assert_eq!(map_value(3.0, 2.0, 2.0, Scale::Linear, &lut), lut[255]);
    assert_eq!(map_value(1.0, 2.0, 2.0, Scale::Linear, &lut), lut[0]);
}

#[test]
fn limits() {
    let a = [1.0f32, -2.0, f32::NAN, 3.0];
    let b = [0.5f32, f32::INFINITY];
    assert_eq!(
        Limits::from_fields(&[&a, &b], Scale::Linear).unwrap(),
        Limits { lo: -2.0, hi: 3.0 }
    );
    assert_eq!(
        Limits::from_fields(&[&a, &b], Scale::Log).unwrap(),
        Limits { lo: 0.5, hi: 3.0 }
    );
    assert_eq!(
        Limits::from_fields(&[&[4.0; 3]], Scale::Linear).unwrap(),
        Limits { lo: 2.0, hi: 6.0 }
    );
    assert_eq!(
        Limits::from_fields(&[&[0.0; 3]], Scale::Linear).unwrap(),
        Limits { lo: -1.0, hi: 1.0 }
    );
    assert_eq!(
        Limits::from_fields(&[&[4.0; 3]], Scale::Log).unwrap(),
        Limits { lo: 2.0, hi: 8.0 }
    );
    assert!(Limits::from_fields(&[&[-1.0, 0.0]], Scale::Log).is_err());
    assert!(Limits::from_fields(&[], Scale::Linear).is_err());
    assert_eq!(
        Limits::symmetric(&[&a]).unwrap(),
        Limits { lo: -3.0, hi: 3.0 }
    );
    assert!(Limits::new(1.0, 1.0, Scale::Linear).is_err());
    assert!(Limits::new(0.0, 1.0, Scale::Log).is_err());
    assert!(Limits::new(f32::NAN, 1.0, Scale::Linear).is_err());
    assert!(Limits::new(0.0, 1.0, Scale::Linear).is_ok());
    assert_eq!(Limits { lo: 1.0, hi: 100.0 }.midpoint(Scale::Log), 10.0);
}

#[test]
fn downsample_and_colorize() {
    // Shape (n2, n1) = (2, 4): rows j2 = 0 and 1.
    let field = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    assert_eq!(downsample_mean(&field, 4, 2, 2).unwrap(), vec![2.5, 4.5]);
    assert_eq!(downsample_mean(&field, 4, 2, 1).unwrap(), field.to_vec());
    assert!(downsample_mean(&field, 4, 2, 3).is_err());
    assert!(downsample_mean(&field, 4, 3, 1).is_err());
    assert!(downsample_mean(&field, 4, 2, 0).is_err());
    // 4 x 4 grid, mean of each 2 x 2 block = its block-row index.
    let field: Vec<f32> = (0..16).map(|i| if i / 4 < 2 { 0.0 } else { 1.0 }).collect();
    let rgba = colorize(
        &field,
        4,
        4,
        2,
        Limits { lo: 0.0, hi: 1.0 },
        Scale::Linear,
        Colormap::Magma,
    )
    .unwrap();
    let lut = Colormap::Magma.lut();
    assert_eq!(rgba.len(), 2 * 2 * 4);
    // Image row 0 is the last grid row (y up).
    assert_eq!(&rgba[0..4], &lut[255]);
    assert_eq!(&rgba[8..12], &lut[0]);
}

#[test]
fn font_draws_every_printable_character() {
    for code in 32u8..=126 {
        let c = code as char;
        let text = c.to_string();
        let (w, h) = text_size(&text, 2);
        assert_eq!((w, h), (10, 18));
        let mut img = RgbaImage::from_pixel(20, 24, Rgba([255; 4]));
        draw_text(&mut img, 3, 2, &text, 2, [0, 0, 0, 255]);
        let mut inked = 0;
        for (x, y, p) in img.enumerate_pixels() {
            if p.0 != [255; 4] {
                inked += 1;
                assert!(
                    (3..3 + w).contains(&x) && (2..2 + h).contains(&y),
                    "{c:?} outside its box"
                );
            }
        }
        assert_eq!(inked == 0, c == ' ', "{c:?}");
    }
    assert_eq!(text_size("t = 12.50", 1), (53, 9));
    assert_eq!(text_size("ab\nlonger", 1), (35, 19));
    assert_eq!(text_size("", 3), (0, 0));
    // Characters outside ASCII draw a box; drawing off the image is clipped.
    let mut img = RgbaImage::from_pixel(10, 12, Rgba([255; 4]));
    draw_text(&mut img, 0, 0, "\u{3bc}", 1, [0, 0, 0, 255]);
    assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0, 255]);
    draw_text(&mut img, -100, 500, "clipped", 4, [0, 0, 0, 255]);
}

fn panel(title: &str, w: u32, h: u32, map: Colormap, phase: f32) -> Panel {
    let (n1, n2) = (w as usize * 2, h as usize * 2);
    let field: Vec<f32> = (0..n1 * n2)
        .map(|i| {
            let (x, y) = ((i % n1) as f32 / n1 as f32, (i / n1) as f32 / n2 as f32);
            (std::f32::consts::TAU * x + phase).sin() * (std::f32::consts::PI * y).cos()
        })
        .collect();
    let rgba = colorize(
        &field,
        n1,
        n2,
        2,
        Limits { lo: -1.0, hi: 1.0 },
        Scale::Linear,
        map,
    )
    .unwrap();
    Panel {
        rgba,
        width: w,
        height: h,
        title: title.to_string(),
    }
}

#[test]
fn compose_frame_layout_and_colorbar() {
    let bar = ColorBar {
        map: Colormap::Viridis,
        scale: Scale::Linear,
        limits: Limits { lo: -1.0, hi: 1.0 },
    };
    let panels = [
        panel("mu", 128, 96, bar.map, 0.0),
        panel("nu", 128, 96, bar.map, 1.0),
    ];
    let img = compose_frame(&panels, &bar, "t = 12.50");
    let layout = frame_layout(&panels, &bar, "t = 12.50");
    assert_eq!(img.dimensions(), (layout.width, layout.height));
    img.save(out_dir("frames").join("frame_two_panels.png"))
        .unwrap();
    // Panels are copied pixel for pixel.
    for (p, &(x, y)) in panels.iter().zip(&layout.panels) {
        for (px, py) in [(0, 0), (127, 95), (40, 70)] {
            let i = ((py * p.width + px) * 4) as usize;
            assert_eq!(img.get_pixel(x + px, y + py).0, p.rgba[i..i + 4]);
        }
    }
    // The colour bar: lut[255] on top, lut[0] at the bottom.
    let lut = bar.map.lut();
    let (bx, by, bw, bh) = layout.colorbar;
    assert_eq!(bh, 96);
    assert_eq!(img.get_pixel(bx, by).0, lut[255]);
    assert_eq!(img.get_pixel(bx + bw - 1, by + bh - 1).0, lut[0]);
    // The label's ink is at the top left.
    let top_left_ink = (0..layout.titles_y)
        .flat_map(|y| (0..120).map(move |x| (x, y)))
        .any(|(x, y)| img.get_pixel(x, y).0 != [255; 4]);
    assert!(top_left_ink);

    // Log scale, deviation rows with no label, and a broken panel.
    let log_bar = ColorBar {
        map: Colormap::Magma,
        scale: Scale::Log,
        limits: Limits { lo: 1e-3, hi: 10.0 },
    };
    let broken = Panel {
        rgba: vec![0; 7],
        width: 30,
        height: 20,
        title: "mu - mu*".into(),
    };
    let img = compose_frame(&[broken], &log_bar, "");
    let layout = frame_layout(&[], &log_bar, "");
    assert!(img.height() >= layout.height);
    let (x, y) = frame_layout(
        &[Panel {
            rgba: vec![],
            width: 30,
            height: 20,
            title: "mu - mu*".into(),
        }],
        &log_bar,
        "",
    )
    .panels[0];
    assert_eq!(img.get_pixel(x + 5, y + 5).0, BAD_COLOR);
    // Deviations (diverging, no label) and a log scale, saved for looking at.
    let dev_bar = ColorBar {
        map: Colormap::Diverging,
        scale: Scale::Linear,
        limits: Limits::symmetric(&[&[-0.004, 0.0037]]).unwrap(),
    };
    let devs = [
        panel("mu - mu*", 256, 256, dev_bar.map, 0.3),
        panel("nu - nu*", 256, 256, dev_bar.map, 2.0),
    ];
    compose_frame(&devs, &dev_bar, "")
        .save(out_dir("frames").join("frame_deviation.png"))
        .unwrap();
    let logs = [panel("mu", 200, 120, log_bar.map, 0.0)];
    compose_frame(&logs, &log_bar, "t = 3.1416")
        .save(out_dir("frames").join("frame_log.png"))
        .unwrap();
    // No panels at all is still a frame (just the colour bar).
    let img = compose_frame(&[], &bar, "t = 0");
    assert!(img.width() > 0 && img.height() > 0);
}

#[test]
fn line_frame_draws_every_curve() {
    let n = 256;
    let length = std::f64::consts::TAU;
    let curve = |f: &dyn Fn(f64) -> f64, color, dashed| Curve {
        values: (0..n)
            .map(|j| f(j as f64 * length / n as f64) as f32)
            .collect(),
        label: String::new(),
        color,
        dashed,
    };
    let colors = [
        [31, 119, 180, 255],
        [214, 39, 40, 255],
        [44, 160, 44, 255],
        [148, 103, 189, 255],
    ];
    let curves = [
        curve(&|x| 1.0 + 0.5 * x.sin(), colors[0], false),
        curve(&|x| 1.0 + 0.5 * x.cos(), colors[1], false),
        curve(&|x| 1.0 + 0.3 * (2.0 * x).sin(), colors[2], true),
        curve(&|x| 1.0 - 0.3 * (2.0 * x).cos(), colors[3], true),
    ];
    // Unlabelled curves have no legend, so every colour found is a curve's.
    let img = line_frame(&curves, 800, 450, length, "t = 1.0000", None);
    assert_eq!(img.dimensions(), (800, 450));
    for c in colors {
        assert!(img.pixels().any(|p| p.0 == c), "no pixel of {c:?}");
    }
    // With labels: a legend; saved for looking at.
    let labelled: Vec<Curve> = curves
        .iter()
        .zip(["mu", "nu", "mu*", "nu*"])
        .map(|(c, l)| Curve {
            label: l.into(),
            ..c.clone()
        })
        .collect();
    line_frame(&labelled, 800, 450, length, "t = 1.0000", None)
        .save(out_dir("frames").join("frame_1d.png"))
        .unwrap();
    // Odd inputs: no curves, empty or non-finite values, a bad length, tiny size.
    let odd = [
        Curve {
            values: vec![],
            label: "empty".into(),
            color: colors[0],
            dashed: false,
        },
        Curve {
            values: vec![f32::NAN, 1.0, f32::INFINITY, 2.0],
            label: "nan".into(),
            color: colors[1],
            dashed: true,
        },
    ];
    assert_eq!(
        line_frame(&odd, 10, 10, f64::NAN, "", None).dimensions(),
        (160, 120)
    );
    assert_eq!(
        line_frame(&[], 300, 200, 1.0, "x", None).dimensions(),
        (300, 200)
    );
}

/// A run's 1D frames keep one y range: given it, the axes (tick labels in
/// the left margin) are the same however the curves decay; left to the data
/// they follow it.
#[test]
fn one_dimensional_frames_keep_a_fixed_y_range() {
    let n = 128;
    let wave = |amp: f32| Curve {
        values: (0..n)
            .map(|j| 1.0 + amp * (j as f32 * std::f32::consts::TAU / n as f32).sin())
            .collect(),
        label: "mu".into(),
        color: [31, 119, 180, 255],
        dashed: false,
    };
    let margin = |img: &image::RgbaImage| -> Vec<u8> {
        (0..img.height())
            .flat_map(|y| (0..60).flat_map(move |x| img.get_pixel(x, y).0))
            .collect()
    };
    let tau = std::f64::consts::TAU;
    let fixed = Some((0.4, 1.6));
    let early = line_frame(&[wave(0.5)], 800, 450, tau, "t = 0", fixed);
    let late = line_frame(&[wave(0.05)], 800, 450, tau, "t = 9", fixed);
    assert!(
        margin(&early) == margin(&late),
        "the axis moved with the data"
    );
    assert!(early != late, "the curves are drawn");
    let free = line_frame(&[wave(0.05)], 800, 450, tau, "t = 9", None);
    assert!(
        margin(&free) != margin(&late),
        "a free range follows the data"
    );
}

fn synthetic_metrics(path: &std::path::Path) {
    let mut csv = MetricsCsv::create(path, COLUMNS).unwrap();
    for i in 0..=200 {
        let t = i as f64 * 0.1;
        let d = (-0.8 * t).exp() * (1.0 + 2.0 * (-2.0 * t).exp());
        let floor = 1e-7;
        let osc = ((3.0 * t).cos().abs() * (-0.5 * t).exp()).max(1e-8);
        let row: Vec<f64> = COLUMNS
            .iter()
            .map(|&c| match c {
                "t" => t,
                "mass_mu" | "mass_nu" => 1.0,
                "l2_mu" => d.max(floor),
                "l2_nu" => 0.7 * d.max(floor),
                "kl_mu" => (d * d).max(1e-12),
                "kl_nu" => 0.5 * (d * d).max(1e-12),
                "chi2_mu" => osc,
                "chi2_nu" => 2.0 * d * d,
                "ni" => 3.0 * d,
                _ => 0.1,
            })
            .collect();
        csv.append(&row).unwrap();
    }
}

#[test]
fn metrics_plot_png_and_svg() {
    let dir = out_dir("plot");
    let csv = dir.join("metrics.csv");
    synthetic_metrics(&csv);
    let fits = fit_all(&csv).unwrap();
    let names: Vec<&str> = fits.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["l2_mu", "l2_nu", "kl_mu", "kl_nu", "chi2_mu", "chi2_nu", "ni"]
    );
    // The fits are asymptotic: they start in the later half of the decay,
    // where the transient 2 exp(-2 t) has died out.
    assert!(fits.iter().all(|f| f.1.t_start >= 8.0), "{fits:?}");
    let rate = |name: &str| fits.iter().find(|f| f.0 == name).unwrap().1.rate;
    assert!((rate("l2_mu") / 0.8 - 1.0).abs() < 0.01, "{fits:?}");
    assert!((rate("kl_mu") / 1.6 - 1.0).abs() < 0.01, "{fits:?}");
    assert!((rate("chi2_mu") / 0.5 - 1.0).abs() < 0.05, "{fits:?}");

    let (png, svg) = (dir.join("metrics.png"), dir.join("metrics.svg"));
    metrics_plot(
        &csv,
        &png,
        &svg,
        &fits,
        &mflda::render::plot::DEFAULT_METRICS,
    )
    .unwrap();
    let img = image::open(&png).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), mflda::render::plot::PLOT_SIZE);
    let ink = img.pixels().filter(|p| p.0 != [255; 4]).count();
    assert!(ink > 10_000, "only {ink} non-white pixels");
    let text = fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.trim_end().ends_with("</svg>"));
    // The default set, the players told apart, the factor 2 said.
    for name in [
        "L2, mu",
        "L2, nu (dotted)",
        "KL, mu",
        "gap (Nikaido-Isoda)",
        "fit L2, mu",
    ] {
        assert!(text.contains(&format!(">{name}")), "legend lacks {name}");
    }
    assert!(!text.contains(">chi2"), "chi2 is drawn only on request");
    assert!(text.contains("decay at twice the L2 rate"));
    metrics_plot(&csv, &png, &svg, &fits, &["chi2"]).unwrap();
    let text = fs::read_to_string(&svg).unwrap();
    assert!(text.contains(">chi2, mu") && !text.contains(">L2, mu"));
    // A series still in its transient (rising, then a bend) gets no fit line.
    let t: Vec<f64> = (0..100).map(|i| i as f64 * 0.1).collect();
    let rising: Vec<f64> = t.iter().map(|&x| 1e-3 * (0.5 * x).exp()).collect();
    assert!(mflda::analysis::fit::asymptotic_fit(&t, &rising).is_none_or(|f| f.rate == 0.0));
    assert!(text.contains("font-family=\"sans-serif\""));

    // Not a metrics file, or missing: clear errors.
    fs::write(dir.join("bad.csv"), "a,b\n1,2\n").unwrap();
    let e = metrics_plot(&dir.join("bad.csv"), &png, &svg, &[], &["l2"]).unwrap_err();
    assert!(e.to_string().contains("`t`"), "{e}");
    assert!(fit_all(&dir.join("missing.csv")).is_err());
}

fn frames(n: usize, w: u32, h: u32) -> Vec<RgbaImage> {
    (0..n)
        .map(|i| {
            RgbaImage::from_fn(w, h, |x, y| {
                let v = ((x + y) * 4 + i as u32 * 60) as u8;
                Rgba([v, 255 - v, (i * 100) as u8, 255])
            })
        })
        .collect()
}

#[test]
fn gif_and_apng_round_trip() {
    let dir = out_dir("anim");
    let shots = frames(3, 40, 30);

    let gif = dir.join("a.gif");
    write_gif(&shots, 10.0, &gif).unwrap();
    let decoded = GifDecoder::new(BufReader::new(fs::File::open(&gif).unwrap()))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(decoded.len(), 3);
    for f in &decoded {
        assert_eq!(f.buffer().dimensions(), (40, 30));
        assert_eq!(f.delay().numer_denom_ms(), (100, 1));
    }

    let apng = dir.join("a.png");
    write_apng(&shots, 10.0, &apng).unwrap();
    let decoded = PngDecoder::new(BufReader::new(fs::File::open(&apng).unwrap()))
        .unwrap()
        .apng()
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(decoded.len(), 3);
    for (f, original) in decoded.iter().zip(&shots) {
        // Lossless.
        assert_eq!(f.buffer(), original);
    }

    // Bad input: clear errors, nothing written.
    let none = dir.join("none.gif");
    assert!(write_gif(&[], 10.0, &none)
        .unwrap_err()
        .to_string()
        .contains("frame"));
    assert!(write_apng(&[], 10.0, &none).is_err());
    let mut mixed = frames(2, 40, 30);
    mixed.push(RgbaImage::new(41, 30));
    let e = write_apng(&mixed, 10.0, &none).unwrap_err().to_string();
    assert!(e.contains("same size"), "{e}");
    assert!(write_gif(&mixed, 10.0, &none).is_err());
    for fps in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        assert!(write_gif(&shots, fps, &none).is_err());
        assert!(write_apng(&shots, fps, &none).is_err());
    }
    assert!(!none.exists());
}
