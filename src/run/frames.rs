//! Frames during a run (`[output] frames_every`): `frames/frame_<index>.png`
//! with one panel per species side by side (mu and nu for the game; and
//! optionally their deviations from the stationary state), labelled with t. In 2D the GPU colours downsampled images, so
//! no full-resolution field is read back, and a grid smaller than
//! `output.frame_size` is upscaled to it; in 1D the profiles (n floats
//! each) are drawn as line plots with one y range for the whole run (the
//! colour limits) in colours of the colour map. Composition and PNG encoding run on a worker
//! thread, off the step loop.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::thread::JoinHandle;

use image::RgbaImage;

use crate::config::OutputConfig;
use crate::dynamics::Stepper;
use crate::gpu::{GpuContext, GpuField};
use crate::plan::Plan;
use crate::render::colormap::{Colormap, Limits, Scale};
use crate::render::compose::{compose_frame, curve_colors_n, resample, ColorBar, Panel};
use crate::render::gpu::{GpuColormap, Source, Style};
use crate::render::lineplot::{line_frame, Curve};
use crate::{Error, Result};

/// Directory of the frames inside a run directory.
pub const FRAMES_DIR: &str = "frames";

/// The colour limits a run's frames use, fixed for the whole run.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrameLimits {
    /// Limits of the densities.
    pub density: (f32, f32),
    /// Symmetric limits of the deviations from the equilibrium.
    pub deviation: (f32, f32),
}

impl FrameLimits {
    /// From the config, else from the equilibrium and the initial state: the
    /// densities' range (positive values on a log scale), and the largest
    /// deviation of the start from the equilibrium.
    pub fn new(output: &OutputConfig, eq: &[&[f32]], start: &[&[f32]]) -> Result<Self> {
        let scale = Scale::parse("output.scale", &output.scale)?;
        let fields: Vec<&[f32]> = eq.iter().chain(start).copied().collect();
        let auto = Limits::from_fields(&fields, scale)?;
        let lo = output.color_min.map_or(auto.lo, |v| v as f32);
        let hi = output.color_max.map_or(auto.hi, |v| v as f32);
        let density = Limits::new(lo, hi, scale).map_err(|e| {
            Error::config(
                "output.color_min",
                format!("{e}; set output.color_min and color_max"),
            )
        })?;
        let diffs: Vec<Vec<f32>> = start
            .iter()
            .zip(eq)
            .map(|(s, e)| s.iter().zip(*e).map(|(s, e)| s - e).collect())
            .collect();
        let refs: Vec<&[f32]> = diffs.iter().map(|d| d.as_slice()).collect();
        let deviation =
            Limits::symmetric(&refs).or_else(|_| Limits::new(-1e-30, 1e-30, Scale::Linear))?;
        Ok(FrameLimits {
            density: (density.lo, density.hi),
            deviation: (deviation.lo, deviation.hi),
        })
    }
}

enum Job {
    Panels {
        path: PathBuf,
        label: String,
        rows: Vec<(Vec<Panel>, ColorBar)>,
    },
    Lines {
        path: PathBuf,
        image: Box<dyn FnOnce() -> RgbaImage + Send>,
    },
}

/// Renders and writes the frames of one run.
pub struct Frames {
    densities: Option<GpuColormap>,
    /// Each GPU pixel repeated this many times (grids smaller than
    /// `output.frame_size`).
    upscale: u32,
    /// The y range of 1D frames, the whole run's.
    y_range: (f64, f64),
    /// The curve colours of 1D frames, from the colour map, one per species.
    curve_colors: Vec<[u8; 4]>,
    deviations: Option<GpuColormap>,
    bars: [ColorBar; 2],
    /// The species names and their stationary densities on the host.
    names: Vec<String>,
    eq: Vec<Vec<f32>>,
    length: f64,
    dir: PathBuf,
    jobs: Option<Sender<Job>>,
    worker: Option<JoinHandle<Result<()>>>,
}

impl Frames {
    /// Sets up the colouring of `stepper`'s densities; `eq_logs` holds
    /// `[log rho_s*]` on the GPU and `eq` the same densities on the host.
    pub fn new(
        ctx: &GpuContext,
        plan: &Plan,
        stepper: &Stepper,
        eq_logs: &GpuField,
        eq: Vec<Vec<f32>>,
        limits: FrameLimits,
        run_dir: &std::path::Path,
    ) -> Result<Self> {
        let o = &plan.config().output;
        let map = Colormap::parse("output.colormap", &o.colormap)?;
        let scale = Scale::parse("output.scale", &o.scale)?;
        let shape = stepper.params.shape;
        let bars = [
            ColorBar {
                map,
                scale,
                limits: Limits {
                    lo: limits.density.0,
                    hi: limits.density.1,
                },
            },
            ColorBar {
                map: Colormap::Diverging,
                scale: Scale::Linear,
                limits: Limits {
                    lo: limits.deviation.0,
                    hi: limits.deviation.1,
                },
            },
        ];
        let (mut densities, mut deviations) = (None, None);
        if shape.dim() == 2 {
            let source = Source {
                buffer: &stepper.densities_field().buffer,
                shape,
                stride: 2,
                components: stepper.species() as u32,
            };
            let (factor, _) = resample(shape.n1, o.frame_size);
            let style = |bar: &ColorBar| Style {
                map: bar.map,
                scale: bar.scale,
                limits: bar.limits,
                factor,
            };
            // The stepper's grid field holds densities, or in the perturbation
            // form deviations: the reference is added or subtracted to match.
            let eq = Some(&eq_logs.buffer);
            let (for_densities, for_deviations) = if stepper.is_perturbation() {
                (eq.map(|b| (b, 1.0)), None)
            } else {
                (None, eq.map(|b| (b, -1.0)))
            };
            densities = Some(GpuColormap::new(
                ctx,
                source,
                for_densities,
                style(&bars[0]),
            )?);
            if o.frame_deviation {
                deviations = Some(GpuColormap::new(
                    ctx,
                    source,
                    for_deviations,
                    style(&bars[1]),
                )?);
            }
        }
        let dir = run_dir.join(FRAMES_DIR);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let (jobs, inbox) = channel::<Job>();
        let worker = std::thread::spawn(move || -> Result<()> {
            for job in inbox {
                let (path, image) = match job {
                    Job::Panels { path, label, rows } => {
                        let images: Vec<RgbaImage> = rows
                            .iter()
                            .enumerate()
                            .map(|(i, (panels, bar))| {
                                compose_frame(panels, bar, if i == 0 { &label } else { "" })
                            })
                            .collect();
                        (path, stack(&images))
                    }
                    Job::Lines { path, image } => (path, image()),
                };
                crate::render::write_png(&path, &image)?;
            }
            Ok(())
        });
        Ok(Frames {
            densities,
            upscale: resample(shape.n1, o.frame_size).1,
            y_range: (f64::from(limits.density.0), f64::from(limits.density.1)),
            curve_colors: curve_colors_n(map, stepper.species()),
            deviations,
            bars,
            names: plan.names(),
            eq,
            length: stepper.params.length,
            dir,
            jobs: Some(jobs),
            worker: Some(worker),
        })
    }

    /// The file of frame `index`.
    pub fn path(&self, index: u64) -> PathBuf {
        self.dir.join(format!("frame_{index:06}.png"))
    }

    /// Renders frame `index` of `stepper`'s current state at time `t` and hands
    /// it to the writer thread.
    pub fn render(&self, ctx: &GpuContext, stepper: &Stepper, index: u64, t: f64) -> Result<()> {
        let path = self.path(index);
        let label = format!("t = {t:.4}");
        let job = match &self.densities {
            Some(gpu) => {
                let mut encoder = ctx.device.create_command_encoder(&Default::default());
                {
                    let mut pass = encoder.begin_compute_pass(&Default::default());
                    stepper.record_densities(&mut pass);
                    gpu.record(&mut pass);
                    if let Some(dev) = &self.deviations {
                        dev.record(&mut pass);
                    }
                }
                ctx.queue.submit([encoder.finish()]);
                let panels = |g: &GpuColormap, names: Vec<String>| -> Result<Vec<Panel>> {
                    Ok(g.read(ctx)?
                        .into_iter()
                        .zip(names)
                        .map(|(rgba, title)| {
                            Panel {
                                rgba,
                                width: g.width,
                                height: g.height,
                                title,
                            }
                            .upscaled(self.upscale)
                        })
                        .collect())
                };
                let mut rows = vec![(panels(gpu, self.names.clone())?, self.bars[0])];
                if let Some(dev) = &self.deviations {
                    let titles = self.names.iter().map(|n| format!("{n} - {n}*")).collect();
                    rows.push((panels(dev, titles)?, self.bars[1]));
                }
                Job::Panels { path, label, rows }
            }
            None => {
                let rho = stepper.species_densities(ctx)?;
                let stars = self.eq.clone();
                let names = self.names.clone();
                let colors = self.curve_colors.clone();
                let length = self.length;
                let y = Some(self.y_range);
                let curve = |values, label: &str, color, dashed| Curve {
                    values,
                    label: label.to_string(),
                    color,
                    dashed,
                };
                Job::Lines {
                    path,
                    image: Box::new(move || {
                        // The densities, then the stationary ones dashed (for
                        // the game: mu, nu, mu*, nu*).
                        let mut curves = Vec::new();
                        for ((r, n), c) in rho.into_iter().zip(&names).zip(&colors) {
                            curves.push(curve(r, n, *c, false));
                        }
                        for ((r, n), c) in stars.into_iter().zip(&names).zip(&colors) {
                            curves.push(curve(r, &format!("{n}*"), *c, true));
                        }
                        line_frame(&curves, 800, 450, length, &label, y)
                    }),
                }
            }
        };
        self.jobs
            .as_ref()
            .and_then(|s| s.send(job).ok())
            .ok_or_else(|| Error::Internal("the frame writer stopped early".into()))
    }

    /// Waits for every frame to be written; reports the first writing error.
    pub fn finish(mut self) -> Result<()> {
        drop(self.jobs.take());
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Internal("the frame writer thread panicked".into())),
            None => Ok(()),
        }
    }
}

/// Images stacked vertically (widths may differ; white fill).
fn stack(images: &[RgbaImage]) -> RgbaImage {
    let width = images.iter().map(RgbaImage::width).max().unwrap_or(1);
    let height = images.iter().map(RgbaImage::height).sum::<u32>().max(1);
    let mut out = RgbaImage::from_pixel(width, height, image::Rgba([255, 255, 255, 255]));
    let mut y = 0i64;
    for img in images {
        image::imageops::overlay(&mut out, img, 0, y);
        y += img.height() as i64;
    }
    out
}
