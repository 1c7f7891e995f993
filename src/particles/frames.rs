//! Frames of a particle run (`[output] frames_every`):
//! `frames/frame_<index>.png` with, per species, the particles' histogram
//! on the grid's cells beside the grid density (when compared), in one
//! colour map and one set of limits for the whole run, so that the eye
//! compares the two directly. The histogram reads the particles as the
//! initial draws read the grid (docs/MATHEMATICS.md section 9): cell j is
//! the square of side h centred at the grid point `x_j`, and its value is
//! the particles' normalised weight in it over `h^d`, a density in the
//! grid's units. In 1D the frame is a line plot: the histogram solid, the
//! grid density dashed. The positions (and weights) are read back at frame
//! times only; the frames are coloured and written on the host.

use std::path::{Path, PathBuf};

use crate::dynamics::Stepper;
use crate::gpu::{GpuContext, Shape};
use crate::particles::langevin::LangevinStepper;
use crate::plan::Plan;
use crate::render::colormap::{colorize, Colormap, Limits, Scale};
use crate::render::compose::{compose_frame, curve_colors_n, resample, ColorBar, Panel};
use crate::render::lineplot::{line_frame, Curve};
use crate::run::frames::{FrameLimits, FRAMES_DIR};
use crate::{Error, Result};

/// The histogram of particles at `x` (`(x, y)` in [0, L), `y = 0` in 1D)
/// with weights `w` (normalised here; `None`: equal) on the cells of
/// `shape` (side `L / n`, centred at the grid points): per cell the weight
/// in it over the cell's measure, row-major `(n2, n1)`, a density of mass 1.
pub fn histogram(x: &[[f32; 2]], w: Option<&[f32]>, shape: Shape, length: f64) -> Vec<f32> {
    let (n1, n2) = (shape.n1 as usize, shape.n2 as usize);
    let cell = |v: f32, n: usize| -> usize {
        let j = (f64::from(v) * n as f64 / length + 0.5).floor() as i64;
        j.rem_euclid(n as i64) as usize
    };
    let total = w.map_or(x.len() as f64, |w| w.iter().map(|&v| f64::from(v)).sum());
    let mut mass = vec![0.0f64; n1 * n2];
    for (i, p) in x.iter().enumerate() {
        let j1 = cell(p[0], n1);
        let j2 = if n2 > 1 { cell(p[1], n2) } else { 0 };
        mass[j2 * n1 + j1] += w.map_or(1.0, |w| f64::from(w[i]));
    }
    let h1 = length / n1 as f64;
    let measure = if n2 > 1 { h1 * length / n2 as f64 } else { h1 };
    mass.iter().map(|m| (m / total / measure) as f32).collect()
}

/// Renders and writes the frames of one particle run.
#[derive(Debug)]
pub struct ParticleFrames {
    bar: ColorBar,
    shape: Shape,
    length: f64,
    /// Blocks averaged per pixel (grids larger than `output.frame_size`).
    down: u32,
    /// Each pixel repeated this many times (grids smaller).
    up: u32,
    names: Vec<String>,
    colors: Vec<[u8; 4]>,
    dir: PathBuf,
}

impl ParticleFrames {
    /// The frames of `plan`'s run in `run_dir` with the colour `limits`
    /// (the whole run's: [`FrameLimits`]).
    pub fn new(plan: &Plan, limits: &FrameLimits, run_dir: &Path) -> Result<Self> {
        let o = &plan.config().output;
        let map = Colormap::parse("output.colormap", &o.colormap)?;
        let scale = Scale::parse("output.scale", &o.scale)?;
        let shape = plan.problem.params.shape;
        let (down, up) = resample(shape.n1, o.frame_size);
        let dir = run_dir.join(FRAMES_DIR);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let names = plan.names();
        Ok(ParticleFrames {
            bar: ColorBar {
                map,
                scale,
                limits: Limits {
                    lo: limits.density.0,
                    hi: limits.density.1,
                },
            },
            shape,
            length: plan.problem.params.length,
            down,
            up,
            colors: curve_colors_n(map, names.len()),
            names,
            dir,
        })
    }

    /// The file of frame `index`.
    pub fn path(&self, index: u64) -> PathBuf {
        self.dir.join(format!("frame_{index:06}.png"))
    }

    /// Writes frame `index` at time `t` of the particles and, when given,
    /// the grid flow beside them.
    pub fn render(
        &self,
        ctx: &GpuContext,
        particles: &LangevinStepper,
        grid: Option<&Stepper>,
        index: u64,
        t: f64,
    ) -> Result<()> {
        let mut hist = Vec::with_capacity(self.names.len());
        for s in 0..self.names.len() {
            let x = particles.positions(ctx, s)?;
            let w = if particles.weighted() {
                Some(particles.weights(ctx, s)?)
            } else {
                None
            };
            hist.push(histogram(&x, w.as_deref(), self.shape, self.length));
        }
        let rho = match grid {
            Some(g) => Some(g.species_densities(ctx)?),
            None => None,
        };
        let label = format!("t = {t:.4}");
        let image = if self.shape.dim() == 2 {
            let (n1, n2) = (self.shape.n1 as usize, self.shape.n2 as usize);
            let f = self.down as usize;
            let panel = |field: &[f32], title: String| -> Result<Panel> {
                let b = &self.bar;
                Ok(Panel {
                    rgba: colorize(field, n1, n2, f, b.limits, b.scale, b.map)?,
                    width: (n1 / f) as u32,
                    height: (n2 / f) as u32,
                    title,
                }
                .upscaled(self.up))
            };
            let mut panels = Vec::new();
            for (s, name) in self.names.iter().enumerate() {
                panels.push(panel(&hist[s], format!("{name} particles"))?);
                if let Some(r) = &rho {
                    panels.push(panel(&r[s], format!("{name} grid"))?);
                }
            }
            compose_frame(&panels, &self.bar, &label)
        } else {
            let mut curves = Vec::new();
            for (s, name) in self.names.iter().enumerate() {
                curves.push(Curve {
                    values: hist[s].clone(),
                    label: format!("{name} particles"),
                    color: self.colors[s],
                    dashed: false,
                });
                if let Some(r) = &rho {
                    curves.push(Curve {
                        values: r[s].clone(),
                        label: format!("{name} grid"),
                        color: self.colors[s],
                        dashed: true,
                    });
                }
            }
            let y = (f64::from(self.bar.limits.lo), f64::from(self.bar.limits.hi));
            line_frame(&curves, 800, 450, self.length, &label, Some(y))
        };
        crate::render::write_png(&self.path(index), &image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Particles at cell centres, and just inside a cell's edges, land in
    /// that cell; the histogram is a density of mass one, with weights too.
    #[test]
    fn histogram_counts_cells_centred_at_the_grid_points() {
        let shape = Shape::square(4);
        let l = 4.0;
        // Cell (1, 2) is [0.5, 1.5) x [1.5, 2.5).
        let x = [[1.0, 2.0], [0.5, 1.5], [1.499, 2.499], [3.9, 0.0]];
        let h = histogram(&x, None, shape, l);
        assert_eq!(h[2 * 4 + 1], 0.75);
        // 3.9 is within half a cell of 4 = 0: cell (0, 0).
        assert_eq!(h[0], 0.25);
        let mass: f64 = h.iter().map(|&v| f64::from(v)).sum();
        assert!((mass - 1.0).abs() < 1e-6);
        let w = [1.0, 1.0, 1.0, 5.0];
        let h = histogram(&x, Some(&w), shape, l);
        assert_eq!(h[0], 0.625);
        assert_eq!(h[2 * 4 + 1], 0.375);
        let line = histogram(&[[0.1, 0.0], [2.0, 0.0]], None, Shape::line(4), l);
        assert_eq!(line, vec![0.5, 0.0, 0.5, 0.0]);
    }
}
