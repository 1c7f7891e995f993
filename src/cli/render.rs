//! `mflda render`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mflda::gpu::GpuContext;
use mflda::render::movie::{render_run, Format, MovieOptions};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Gif,
    Apng,
}

/// Arguments of `mflda render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A run directory.
    dir: PathBuf,
    /// Animation format.
    #[arg(long, value_enum, default_value = "gif")]
    format: FormatArg,
    /// Frames per second.
    #[arg(long, default_value_t = 10.0)]
    fps: f32,
    /// Colour map (viridis, magma, cividis, diverging); default: the run's.
    #[arg(long)]
    colormap: Option<String>,
    /// Colour scale (linear, log); default: the run's.
    #[arg(long)]
    scale: Option<String>,
    /// Largest panel side in pixels; default: the run's frame_size.
    #[arg(long)]
    size: Option<u32>,
    /// Assemble the run's frames/*.png instead of re-rendering its snapshots.
    #[arg(long)]
    from_frames: bool,
    /// Output file (default DIR/animation.gif or DIR/animation.png).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also write every re-rendered frame as a PNG into this directory.
    #[arg(long)]
    frames_dir: Option<PathBuf>,
}

/// Runs `mflda render`.
pub fn run(ctx: &GpuContext, args: RenderArgs) -> anyhow::Result<()> {
    let opts = MovieOptions {
        format: match args.format {
            FormatArg::Gif => Format::Gif,
            FormatArg::Apng => Format::Apng,
        },
        fps: args.fps,
        colormap: args.colormap,
        scale: args.scale,
        size: args.size,
        from_frames: args.from_frames,
        out: args.out,
        frames_dir: args.frames_dir,
    };
    let path = render_run(ctx, &args.dir, &opts)?;
    println!("wrote {}", path.display());
    Ok(())
}
