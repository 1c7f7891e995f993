//! The pictures of `mflda analyze`: the rightmost eigenvalues in the complex
//! plane beside the lower bound on the rate (`spectrum.png`, `.svg`), and
//! images of the leading eigenvectors (`eigvec_<k>.png`: the real part of
//! the mu and nu parts, diverging colours, or line plots in 1D).

use crate::analysis::analyze::Analysis;
use crate::gpu::Shape;
use crate::output::RunDir;
use crate::render::colormap::{colorize, Colormap, Limits, Scale};
use crate::render::compose::{compose_frame, resample, ColorBar, Panel};
use crate::render::lineplot::{line_frame, Curve};
use crate::render::xy::{Mark, XyPlot, XySeries};
use crate::{Error, Result};

/// How many eigenvectors get an image.
pub const EIGENVECTOR_IMAGES: usize = 3;

/// Panel side of the eigenvector images.
const PANEL: u32 = 256;

/// The spectrum plot of `a`: converged eigenvalues filled, unconverged ones
/// hollow, and, for a pairwise zero-sum game, the line `Re = -bound` that
/// every eigenvalue must lie left of.
pub fn spectrum_plot(a: &Analysis) -> XyPlot {
    let point = |e: &&crate::analysis::spectrum::Eigenpair| (e.re, e.im);
    let (good, rough): (Vec<_>, Vec<_>) = a.eigenvalues.iter().partition(|e| e.converged);
    let mut series = vec![XySeries {
        label: "eigenvalues".into(),
        color: [31, 119, 180, 255],
        mark: Mark::Filled,
        points: good.iter().map(point).collect(),
    }];
    if !rough.is_empty() {
        series.push(XySeries {
            label: "unconverged (residual > 1e-3)".into(),
            color: [214, 39, 40, 255],
            mark: Mark::Hollow,
            points: rough.iter().map(point).collect(),
        });
    }
    XyPlot {
        title: "rightmost eigenvalues of the linearised dynamics (Im against Re)".into(),
        x_label: "Re lambda".into(),
        series,
        // A zero-sum game's bound; other systems have none.
        vlines: if a.bound.is_finite() {
            vec![(
                -a.bound,
                "bound: Re <= -min eta tau lambda_1".into(),
                [90, 90, 90, 255],
            )]
        } else {
            Vec::new()
        },
    }
}

/// Writes `spectrum.png`, `spectrum.svg` and the first
/// [`EIGENVECTOR_IMAGES`] eigenvector images of `a` (a grid of `shape`, side
/// `length`) into `dir`.
pub fn write_figures(dir: &RunDir, a: &Analysis, shape: Shape, length: f64) -> Result<()> {
    spectrum_plot(a).write(&dir.file("spectrum.png"), &dir.file("spectrum.svg"))?;
    let n = shape.len();
    for (k, e) in a.eigenvalues.iter().take(EIGENVECTOR_IMAGES).enumerate() {
        let re: Vec<f32> = e.vector.0.iter().map(|&v| v as f32).collect();
        let species = a.species.len();
        if re.len() != species * n {
            return Err(Error::Internal(format!(
                "eigenvector {k} has {} values for {species} x {n} points",
                re.len()
            )));
        }
        // One part per species (for the game, the mu and nu parts).
        let parts: Vec<(&[f32], String)> = re
            .chunks(n)
            .zip(&a.species)
            .map(|(v, sp)| (v, format!("{} part", sp.name)))
            .collect();
        let title = format!("eigenvalue {k}: {:.5} {:+.5} i (real part)", e.re, e.im);
        let image = if shape.dim() == 1 {
            let curve = |values: &[f32], label: &str, color| Curve {
                values: values.to_vec(),
                label: label.into(),
                color,
                dashed: false,
            };
            const COLORS: [[u8; 4]; 4] = [
                [31, 119, 180, 255],
                [214, 39, 40, 255],
                [44, 160, 44, 255],
                [148, 103, 189, 255],
            ];
            let curves: Vec<Curve> = parts
                .iter()
                .enumerate()
                .map(|(i, (v, label))| curve(v, label, COLORS[i % COLORS.len()]))
                .collect();
            line_frame(&curves, 800, 450, length, &title, None)
        } else {
            let fields: Vec<&[f32]> = parts.iter().map(|p| p.0).collect();
            let limits = Limits::symmetric(&fields)
                .or_else(|_| Limits::new(-1e-30, 1e-30, Scale::Linear))?;
            let (down, up) = resample(shape.n1, PANEL);
            let (w, h) = (shape.n1 / down, shape.n2 / down);
            let panel = |field: &[f32], title: &str| -> Result<Panel> {
                let rgba = colorize(
                    field,
                    shape.n1 as usize,
                    shape.n2 as usize,
                    down as usize,
                    limits,
                    Scale::Linear,
                    Colormap::Diverging,
                )?;
                Ok(Panel {
                    rgba,
                    width: w,
                    height: h,
                    title: title.into(),
                }
                .upscaled(up))
            };
            let bar = ColorBar {
                map: Colormap::Diverging,
                scale: Scale::Linear,
                limits,
            };
            let panels = parts
                .iter()
                .map(|(v, label)| panel(v, label))
                .collect::<Result<Vec<_>>>()?;
            compose_frame(&panels, &bar, &title)
        };
        crate::render::write_png(&dir.file(&format!("eigvec_{k}.png")), &image)?;
    }
    Ok(())
}
