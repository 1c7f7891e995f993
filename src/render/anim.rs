//! Animations from frames: GIF (256 colours a frame, small, plays anywhere)
//! and APNG (full colour, lossless). Files are written atomically.

use std::path::Path;

use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, RgbaImage};

use crate::output::write_atomic;
use crate::{Error, Result};

/// NeuQuant speed of the GIF palette search (1 best and slowest, 30
/// fastest); 10 is near the best quality at a fraction of the time.
const GIF_SPEED: i32 = 10;

/// Writes `frames` as a looping animated GIF at `fps` frames per second.
///
/// GIF delays are whole hundredths of a second: each frame shows for
/// `max(2, round(100 / fps))` of them (browsers slow shorter delays down).
/// Each frame gets its own 256-colour palette. Errors: no frames, frames of
/// different sizes or wider/taller than 65535, `fps` not finite and positive
/// ([`Error::Usage`] / [`Error::Config`]), or the file cannot be written.
pub fn write_gif(frames: &[RgbaImage], fps: f32, path: &Path) -> Result<()> {
    let (w, h) = check_frames(frames, fps)?;
    if w > u32::from(u16::MAX) || h > u32::from(u16::MAX) {
        return Err(Error::Usage(format!(
            "a GIF frame is at most 65535 x 65535 pixels, not {w} x {h}"
        )));
    }
    let centis = (100.0 / f64::from(fps)).round().clamp(2.0, 65535.0) as u32;
    let delay = Delay::from_numer_denom_ms(centis * 10, 1);
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut bytes, GIF_SPEED);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(|e| encode_error(path, e))?;
        for frame in frames {
            encoder
                .encode_frame(Frame::from_parts(frame.clone(), 0, 0, delay))
                .map_err(|e| encode_error(path, e))?;
        }
    }
    write_atomic(path, &bytes)
}

/// Writes `frames` as a looping animated PNG at `fps` frames per second.
///
/// Each frame shows for `100 / round(100 fps)` seconds (APNG stores the
/// delay as a fraction of 16-bit integers; below 0.01 fps as `round(1 /
/// fps) / 1`). The first frame is also the still image non-animating
/// viewers show. Errors as for [`write_gif`].
pub fn write_apng(frames: &[RgbaImage], fps: f32, path: &Path) -> Result<()> {
    let (w, h) = check_frames(frames, fps)?;
    let (num, den) = apng_delay(fps);
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let count = u32::try_from(frames.len()).map_err(|_| {
            Error::Usage(format!("{} frames are too many for an APNG", frames.len()))
        })?;
        encoder
            .set_animated(count, 0)
            .map_err(|e| png_error(path, e))?;
        encoder
            .set_frame_delay(num, den)
            .map_err(|e| png_error(path, e))?;
        let mut writer = encoder.write_header().map_err(|e| png_error(path, e))?;
        for frame in frames {
            writer
                .write_image_data(frame.as_raw())
                .map_err(|e| png_error(path, e))?;
        }
        writer.finish().map_err(|e| png_error(path, e))?;
    }
    write_atomic(path, &bytes)
}

/// The APNG frame delay `num / den` seconds for `fps` (see [`write_apng`]).
fn apng_delay(fps: f32) -> (u16, u16) {
    let den = (f64::from(fps) * 100.0).round();
    if den >= 1.0 {
        (100, den.min(65535.0) as u16)
    } else {
        ((1.0 / f64::from(fps)).round().clamp(1.0, 65535.0) as u16, 1)
    }
}

/// The common frame size; errors for no frames, mixed sizes or a bad `fps`.
fn check_frames(frames: &[RgbaImage], fps: f32) -> Result<(u32, u32)> {
    if !(fps.is_finite() && fps > 0.0) {
        return Err(Error::config(
            "fps",
            format!("frames per second must be a positive number, not {fps}"),
        ));
    }
    let Some(first) = frames.first() else {
        return Err(Error::Usage(
            "an animation needs at least one frame, and there are none".to_string(),
        ));
    };
    let size = first.dimensions();
    if size.0 == 0 || size.1 == 0 {
        return Err(Error::Usage(format!(
            "animation frames must not be empty ({} x {})",
            size.0, size.1
        )));
    }
    if let Some((i, f)) = frames
        .iter()
        .enumerate()
        .find(|(_, f)| f.dimensions() != size)
    {
        return Err(Error::Usage(format!(
            "all animation frames must have the same size: frame 0 is {} x {}, frame {i} is {} x {}",
            size.0,
            size.1,
            f.width(),
            f.height()
        )));
    }
    Ok(size)
}

fn encode_error(path: &Path, e: image::ImageError) -> Error {
    Error::io(
        format!("encoding {}", path.display()),
        std::io::Error::other(e),
    )
}

fn png_error(path: &Path, e: png::EncodingError) -> Error {
    Error::io(
        format!("encoding {}", path.display()),
        std::io::Error::other(e),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays() {
        assert_eq!(apng_delay(25.0), (100, 2500));
        assert_eq!(apng_delay(0.001), (1000, 1));
        assert_eq!(apng_delay(1e9), (100, 65535));
    }
}
