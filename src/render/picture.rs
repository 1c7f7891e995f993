//! One picture of named fields on the host, encoded as PNG: the densities
//! of a run or of a step-by-step simulation, shown in a notebook or saved.
//! 2D fields are coloured panels side by side under one colour bar (as the
//! frames of a run), 1D fields are curves on one plot.

use image::RgbaImage;

use super::colormap::{colorize, Colormap, Limits, Scale};
use super::compose::{compose_frame, curve_colors_n, ColorBar, Panel};
use super::lineplot::{line_frame, Curve};
use crate::{Error, Result};

/// Smallest side a 2D panel is drawn at: smaller grids repeat each cell.
const MIN_PANEL: usize = 256;
/// The size of a 1D plot, in pixels.
const PLOT: (u32, u32) = (640, 360);

/// What a picture shows and how.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureOptions {
    /// The colour map (and the curves' colours in 1D).
    pub map: Colormap,
    /// How values spread over the map (2D).
    pub scale: Scale,
    /// Colour limits `(lo, hi)`; `None`: the range of all fields (2D), or
    /// the y range (1D).
    pub limits: Option<(f32, f32)>,
    /// Text at the top (e.g. the time).
    pub label: String,
    /// The period of the grid, for the x axis of a 1D plot.
    pub length: f64,
}

/// The PNG bytes of `fields` (each a name and a row-major grid of shape
/// `(n2, n1)`, all of the same shape; `n2 = 1` draws curves). Errors name
/// the field of the wrong size or the bad limits.
pub fn picture_png(
    fields: &[(String, &[f32])],
    n2: usize,
    n1: usize,
    opts: &PictureOptions,
) -> Result<Vec<u8>> {
    if fields.is_empty() {
        return Err(Error::Usage("a picture needs at least one field".into()));
    }
    for (name, f) in fields {
        if f.len() != n1 * n2 || f.is_empty() {
            return Err(Error::Data {
                field: name.clone(),
                message: format!(
                    "{} values, where the grid {n2} x {n1} has {}",
                    f.len(),
                    n1 * n2
                ),
            });
        }
    }
    let image = if n2 == 1 {
        curves(fields, opts)
    } else {
        panels(fields, n2, n1, opts)?
    };
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::io("encoding a PNG picture", std::io::Error::other(e)))?;
    Ok(png)
}

fn curves(fields: &[(String, &[f32])], opts: &PictureOptions) -> RgbaImage {
    let colors = curve_colors_n(opts.map, fields.len());
    let curves: Vec<Curve> = fields
        .iter()
        .zip(colors)
        .map(|((name, f), color)| Curve {
            values: f.to_vec(),
            label: name.clone(),
            color,
            dashed: false,
        })
        .collect();
    let y = opts.limits.map(|(lo, hi)| (f64::from(lo), f64::from(hi)));
    line_frame(&curves, PLOT.0, PLOT.1, opts.length, &opts.label, y)
}

fn panels(
    fields: &[(String, &[f32])],
    n2: usize,
    n1: usize,
    opts: &PictureOptions,
) -> Result<RgbaImage> {
    let refs: Vec<&[f32]> = fields.iter().map(|(_, f)| *f).collect();
    let limits = match opts.limits {
        Some((lo, hi)) => Limits::new(lo, hi, opts.scale)?,
        None => Limits::from_fields(&refs, opts.scale)?,
    };
    let up = MIN_PANEL.div_ceil(n1.max(n2)).max(1) as u32;
    let panels = fields
        .iter()
        .map(|(name, f)| {
            let rgba = colorize(f, n1, n2, 1, limits, opts.scale, opts.map)?;
            let panel = Panel {
                rgba,
                width: n1 as u32,
                height: n2 as u32,
                title: name.clone(),
            };
            Ok(panel.upscaled(up))
        })
        .collect::<Result<Vec<_>>>()?;
    let bar = ColorBar {
        map: opts.map,
        scale: opts.scale,
        limits,
    };
    Ok(compose_frame(&panels, &bar, &opts.label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> PictureOptions {
        PictureOptions {
            map: Colormap::Viridis,
            scale: Scale::Linear,
            limits: None,
            label: "t = 0".into(),
            length: 1.0,
        }
    }

    fn decode(png: &[u8]) -> RgbaImage {
        image::load_from_memory(png).unwrap().to_rgba8()
    }

    #[test]
    fn a_small_grid_is_drawn_at_least_min_panel_wide() {
        let f: Vec<f32> = (0..16).map(|i| i as f32).collect();
        let png = picture_png(&[("mu".into(), &f)], 4, 4, &opts()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let img = decode(&png);
        assert!(img.width() >= MIN_PANEL as u32 && img.height() >= MIN_PANEL as u32);
    }

    #[test]
    fn one_dimensional_fields_are_a_plot_of_the_plot_size() {
        let f = vec![1.0f32; 8];
        let g = vec![2.0f32; 8];
        let png = picture_png(&[("mu".into(), &f), ("nu".into(), &g)], 1, 8, &opts()).unwrap();
        let img = decode(&png);
        assert_eq!((img.width(), img.height()), PLOT);
    }

    #[test]
    fn bad_sizes_and_limits_are_errors_that_name_them() {
        let f = vec![1.0f32; 8];
        match picture_png(&[("nu".into(), &f)], 4, 4, &opts()) {
            Err(Error::Data { field, .. }) => assert_eq!(field, "nu"),
            other => panic!("{other:?}"),
        }
        let mut o = opts();
        o.limits = Some((1.0, 0.0));
        let g = vec![1.0f32; 16];
        assert!(picture_png(&[("mu".into(), &g)], 4, 4, &o).is_err());
        assert!(picture_png(&[], 4, 4, &opts()).is_err());
    }
}
