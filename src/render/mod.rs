//! Pictures of runs: colour maps, frames, animations and plots.
//!
//! - [`colormap`]: colour maps, the exact value-to-colour rule (the CPU
//!   reference of the GPU kernel), block averages, whole-field colouring;
//! - [`compose`]: a 2D frame from coloured panels, titles and a colour bar;
//! - [`lineplot`]: a 1D frame (line plots of the densities);
//! - [`plot`], [`metrics_table`]: the metrics plot (PNG and SVG) with fitted
//!   decay rates, from `metrics.csv` read back;
//! - [`xy`]: points and lines on linear axes (the spectrum of `mflda
//!   analyze`, a sweep's rates against its parameter);
//! - [`anim`]: GIF and APNG animations;
//! - [`gpu`], [`movie`]: the GPU colour-map kernel and `mflda render`;
//! - [`font`], [`raster`], [`scene`], [`axes`], [`legend`], [`ticks`]: the
//!   drawing underneath (a bitmap font of our own, so no system fonts).

pub mod anim;
pub mod axes;
pub mod colormap;
pub mod compose;
pub mod font;
pub mod gpu;
pub mod legend;
pub mod lineplot;
pub mod metrics_table;
pub mod movie;
pub mod picture;
pub mod plot;
pub mod raster;
pub mod scene;
pub mod ticks;
pub mod xy;

pub use anim::{write_apng, write_gif};
pub use colormap::{colorize, downsample_mean, map_value, Colormap, Limits, Scale, BAD_COLOR};
pub use compose::{compose_frame, frame_layout, ColorBar, FrameLayout, Panel};
pub use lineplot::{line_frame, Curve};
pub use picture::{picture_png, PictureOptions};
pub use plot::{fit_all, metrics_plot};

/// Encodes `image` as PNG and writes it to `path`, atomically.
pub fn write_png(path: &std::path::Path, image: &image::RgbaImage) -> crate::Result<()> {
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| {
            crate::Error::io(
                format!("encoding {}", path.display()),
                std::io::Error::other(e),
            )
        })?;
    crate::output::write_atomic(path, &png)
}
