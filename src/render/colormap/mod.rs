//! Colour maps and the mapping of field values to colours.
//!
//! - [`Colormap`]: the maps and their 256-entry RGBA tables;
//! - [`Scale`], [`Limits`], [`map_value`]: the exact value-to-colour rule the
//!   GPU kernel mirrors;
//! - [`downsample_mean`], [`colorize`]: a whole field to an image on the CPU.

mod coolwarm;
mod field;
mod mapping;
mod tables;

use std::fmt;
use std::str::FromStr;

pub use coolwarm::lightness;
pub use field::{colorize, downsample_mean};
pub use mapping::{map_value, Limits, Scale, BAD_COLOR};

use crate::{Error, Result};

/// A colour map: 256 colours from the bottom (entry 0) to the top (entry 255).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Colormap {
    /// matplotlib's viridis: perceptually uniform, dark blue to yellow.
    #[default]
    Viridis,
    /// matplotlib's magma: perceptually uniform, black to light yellow.
    Magma,
    /// matplotlib's cividis: viridis optimised for colour-vision deficiency.
    Cividis,
    /// Moreland's cool-warm: blue, white in the middle, red; for signed fields
    /// with limits symmetric about zero.
    Diverging,
}

impl Colormap {
    /// Every map, in the order of [`Colormap::NAMES`].
    pub const ALL: [Colormap; 4] = [
        Colormap::Viridis,
        Colormap::Magma,
        Colormap::Cividis,
        Colormap::Diverging,
    ];
    /// The names accepted by [`Colormap::parse`].
    pub const NAMES: [&'static str; 4] = ["viridis", "magma", "cividis", "diverging"];

    /// The map called `text` (case-insensitive, surrounding blanks ignored).
    /// Otherwise an [`Error::Config`] for the key `field` (e.g.
    /// `output.colormap` or `--colormap`) listing the valid names.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let key = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|m| m.name() == key)
            .ok_or_else(|| {
                Error::config(
                    field,
                    format!(
                        "unknown colour map {text:?}; use one of: {}",
                        Self::NAMES.join(", ")
                    ),
                )
            })
    }

    /// The map's name.
    pub fn name(self) -> &'static str {
        match self {
            Colormap::Viridis => "viridis",
            Colormap::Magma => "magma",
            Colormap::Cividis => "cividis",
            Colormap::Diverging => "diverging",
        }
    }

    /// The 256 colours, RGBA with alpha 255, entry 0 for the bottom of the
    /// range. Viridis, magma and cividis are matplotlib's published tables;
    /// diverging is built in Msh space (see `coolwarm.rs`).
    pub fn lut(self) -> [[u8; 4]; 256] {
        let table = match self {
            Colormap::Viridis => &tables::VIRIDIS,
            Colormap::Magma => &tables::MAGMA,
            Colormap::Cividis => &tables::CIVIDIS,
            Colormap::Diverging => return coolwarm::lut(),
        };
        table.map(|rgb| {
            let [_, r, g, b] = rgb.to_be_bytes();
            [r, g, b, 255]
        })
    }
}

impl FromStr for Colormap {
    type Err = Error;

    /// As [`Colormap::parse`] with the key `output.colormap`.
    fn from_str(s: &str) -> Result<Self> {
        Colormap::parse("output.colormap", s)
    }
}

impl fmt::Display for Colormap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(c: [u8; 4]) -> String {
        format!("{:02x}{:02x}{:02x}", c[0], c[1], c[2])
    }

    #[test]
    fn published_entries() {
        let (v, m, c) = (
            Colormap::Viridis.lut(),
            Colormap::Magma.lut(),
            Colormap::Cividis.lut(),
        );
        assert_eq!(hex(v[0]), "440154");
        assert_eq!(hex(v[255]), "fde725");
        assert_eq!(hex(m[0]), "000004");
        assert_eq!(hex(m[255]), "fcfdbf");
        assert_eq!(hex(c[0]), "00224e");
        assert_eq!(hex(c[255]), "fee838");
        assert!(v.iter().chain(&m).chain(&c).all(|e| e[3] == 255));
    }

    #[test]
    fn names_round_trip() {
        for m in Colormap::ALL {
            assert_eq!(Colormap::parse("k", m.name()).unwrap(), m);
            assert_eq!(m.to_string().parse::<Colormap>().unwrap(), m);
        }
        let err = Colormap::parse("output.colormap", "jet")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("output.colormap") && err.contains("cividis"),
            "{err}"
        );
    }
}
