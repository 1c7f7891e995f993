//! `mflda render DIR`: an animation (GIF or APNG) of a run, re-rendered from its
//! snapshots on the GPU (with any colour map, scale or size, without re-running
//! the simulation) or assembled from its frames.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::config::Config;
use crate::gpu::{Elem, GpuContext, GpuField, Shape};
use crate::output::read_npy_f32;
use crate::render::anim::{write_apng, write_gif};
use crate::render::colormap::{Colormap, Limits, Scale};
use crate::render::compose::{compose_frame, curve_colors_n, resample, ColorBar, Panel};
use crate::render::gpu::{GpuColormap, Source, Style};
use crate::render::lineplot::{line_frame, Curve};
use crate::{Error, Result};

/// Animation container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Animated GIF (256 colours).
    Gif,
    /// Animated PNG (full colour).
    Apng,
}

/// Options of `mflda render`; `None` takes the run's own setting.
#[derive(Debug, Clone)]
pub struct MovieOptions {
    /// Container.
    pub format: Format,
    /// Frames per second.
    pub fps: f32,
    /// Colour map name.
    pub colormap: Option<String>,
    /// Scale name.
    pub scale: Option<String>,
    /// Largest panel side, pixels.
    pub size: Option<u32>,
    /// Use the run's frames/*.png instead of its snapshots.
    pub from_frames: bool,
    /// Output file; default `DIR/animation.gif` or `.png`.
    pub out: Option<PathBuf>,
    /// Also write each re-rendered frame as a PNG into this directory.
    pub frames_dir: Option<PathBuf>,
}

/// Snapshot times with every species' file (`snapshots/<name>_<t>.npy`,
/// `names` in state order), sorted.
fn snapshot_times(dir: &Path, names: &[String]) -> Vec<(String, Vec<PathBuf>)> {
    let snaps = dir.join("snapshots");
    let Some(first) = names.first() else {
        return Vec::new();
    };
    let prefix = format!("{first}_");
    let mut out: Vec<(String, Vec<PathBuf>)> = std::fs::read_dir(&snaps)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name
                .strip_prefix(&prefix)?
                .strip_suffix(".npy")?
                .to_string();
            // A time stamp, not another species whose name extends the first's.
            stem.starts_with(|c: char| c.is_ascii_digit())
                .then_some(())?;
            let files: Vec<PathBuf> = names
                .iter()
                .map(|n| snaps.join(format!("{n}_{stem}.npy")))
                .collect();
            files.iter().all(|f| f.is_file()).then_some((stem, files))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn frame_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("frames"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    v.sort();
    v
}

/// Renders the animation of the run in `dir`; returns the file written.
pub fn render_run(ctx: &GpuContext, dir: &Path, opts: &MovieOptions) -> Result<PathBuf> {
    if !(opts.fps.is_finite() && opts.fps > 0.0) {
        return Err(Error::config(
            "--fps",
            format!("must be > 0 (got {})", opts.fps),
        ));
    }
    let config = Config::load(&dir.join("config.toml"))?;
    let names = config.species_names();
    let snaps = snapshot_times(dir, &names);
    // The richer of the two: a run with more frames than snapshots is
    // animated from its frames (re-rendering needs snapshots).
    let frame_count = frame_files(dir).len();
    let use_snapshots = !opts.from_frames && !snaps.is_empty() && snaps.len() >= frame_count;
    if !use_snapshots
        && frame_count > 0
        && (opts.colormap.is_some() || opts.scale.is_some() || opts.size.is_some())
    {
        return Err(Error::Data {
            field: dir.display().to_string(),
            message: format!(
                "has {frame_count} frames but only {} snapshots: --colormap, --scale and --size \
                 re-render snapshots, so run with a smaller output.snapshots_every (e.g. the \
                 frames' cadence, output.frames_every) to animate them, or leave the options out \
                 to animate the frames as drawn",
                snaps.len()
            ),
        });
    }
    let frames: Vec<RgbaImage> = if use_snapshots {
        from_snapshots(ctx, &config, &names, &snaps, opts)?
    } else {
        let files = frame_files(dir);
        if files.is_empty() {
            return Err(Error::Data {
                field: dir.display().to_string(),
                message: format!(
                    "has no snapshots (snapshots/{}_*.npy) and no frames (frames/*.png) to \
                     render: run with output.snapshots_every > 0 or output.frames_every > 0",
                    names.first().map_or("mu", String::as_str)
                ),
            });
        }
        files
            .iter()
            .map(|p| {
                image::open(p).map(|i| i.to_rgba8()).map_err(|e| {
                    Error::io(format!("reading {}", p.display()), std::io::Error::other(e))
                })
            })
            .collect::<Result<_>>()?
    };
    if let Some(fd) = &opts.frames_dir {
        std::fs::create_dir_all(fd)
            .map_err(|e| Error::io(format!("creating {}", fd.display()), e))?;
        for (i, f) in frames.iter().enumerate() {
            let p = fd.join(format!("frame_{i:06}.png"));
            f.save(&p).map_err(|e| {
                Error::io(format!("writing {}", p.display()), std::io::Error::other(e))
            })?;
        }
    }
    let out = opts.out.clone().unwrap_or_else(|| {
        dir.join(match opts.format {
            Format::Gif => "animation.gif",
            Format::Apng => "animation.png",
        })
    });
    match opts.format {
        Format::Gif => write_gif(&frames, opts.fps, &out)?,
        Format::Apng => write_apng(&frames, opts.fps, &out)?,
    }
    Ok(out)
}

/// One snapshot: its time stamp, every species' density, and the array shape.
type Snapshot = (String, Vec<Vec<f32>>, Vec<usize>);

fn from_snapshots(
    ctx: &GpuContext,
    config: &Config,
    names: &[String],
    snaps: &[(String, Vec<PathBuf>)],
    opts: &MovieOptions,
) -> Result<Vec<RgbaImage>> {
    let o = &config.output;
    let map = Colormap::parse(
        "--colormap",
        opts.colormap.as_deref().unwrap_or(&o.colormap),
    )?;
    let scale = Scale::parse("--scale", opts.scale.as_deref().unwrap_or(&o.scale))?;
    let load = |p: &Path| -> Result<(Vec<usize>, Vec<f32>)> { read_npy_f32(p) };
    let fields: Vec<Snapshot> = snaps
        .iter()
        .map(|(t, files)| {
            let mut shape = Vec::new();
            let mut rho = Vec::new();
            for f in files {
                let (s, v) = load(f)?;
                shape = s;
                rho.push(v);
            }
            Ok((t.clone(), rho, shape))
        })
        .collect::<Result<_>>()?;
    let dims = fields[0].2.clone();
    let (n2, n1) = (dims[0] as u32, dims[1] as u32);
    let shape = Shape { n1, n2 };
    // Limits: the config's, else the range over every snapshot.
    let all: Vec<&[f32]> = fields
        .iter()
        .flat_map(|f| f.1.iter().map(|v| v.as_slice()))
        .collect();
    let auto = Limits::from_fields(&all, scale)?;
    let limits = Limits::new(
        o.color_min.map_or(auto.lo, |v| v as f32),
        o.color_max.map_or(auto.hi, |v| v as f32),
        scale,
    )?;
    let time = |t: &str| t.trim_start_matches('0').parse::<f64>().unwrap_or(0.0);
    if n2 == 1 {
        let colors = curve_colors_n(map, names.len());
        let y = Some((f64::from(limits.lo), f64::from(limits.hi)));
        return Ok(fields
            .iter()
            .map(|(t, rho, _)| {
                let curves: Vec<Curve> = rho
                    .iter()
                    .zip(names)
                    .zip(&colors)
                    .map(|((values, label), color)| Curve {
                        values: values.clone(),
                        label: label.clone(),
                        color: *color,
                        dashed: false,
                    })
                    .collect();
                line_frame(
                    &curves,
                    800,
                    450,
                    config.grid.length,
                    &format!("t = {:.4}", time(t)),
                    y,
                )
            })
            .collect());
    }
    let (down, up) = resample(n1, opts.size.unwrap_or(o.frame_size));
    let style = Style {
        map,
        scale,
        limits,
        factor: down,
    };
    // The densities packed two to a complex field, as the stepper holds them.
    let pairs = names.len().div_ceil(2);
    let field = GpuField::zeros(ctx, "render.snapshot", shape, pairs as u32, Elem::Complex)?;
    let gpu = GpuColormap::new(
        ctx,
        Source {
            buffer: &field.buffer,
            shape,
            stride: 2,
            components: names.len() as u32,
        },
        None,
        style,
    )?;
    let bar = ColorBar { map, scale, limits };
    let mut out = Vec::new();
    for (t, rho, _) in &fields {
        let zeros = vec![0.0f32; rho[0].len()];
        let packed: Vec<f32> = rho
            .chunks(2)
            .flat_map(|pair| {
                let b = pair.get(1).unwrap_or(&zeros);
                pair[0]
                    .iter()
                    .zip(b)
                    .flat_map(|(a, b)| [*a, *b])
                    .collect::<Vec<f32>>()
            })
            .collect();
        field.write(ctx, &packed)?;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        gpu.record(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let panels: Vec<Panel> = gpu
            .read(ctx)?
            .into_iter()
            .zip(names)
            .map(|(rgba, title)| {
                Panel {
                    rgba,
                    width: gpu.width,
                    height: gpu.height,
                    title: title.clone(),
                }
                .upscaled(up)
            })
            .collect();
        out.push(compose_frame(&panels, &bar, &format!("t = {:.4}", time(t))));
    }
    Ok(out)
}
