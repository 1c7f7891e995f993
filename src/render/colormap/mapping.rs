//! From a value to a colour: the scale, the limits and the exact mapping that
//! the GPU colour-map kernel (`shaders/render/colormap.wgsl`) mirrors.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The colour of a value that is not finite: opaque magenta.
pub const BAD_COLOR: [u8; 4] = [255, 0, 255, 255];

/// How values are spread over the colour map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scale {
    /// Evenly in the value.
    #[default]
    Linear,
    /// Evenly in the logarithm of the value; needs positive limits.
    Log,
}

impl Scale {
    /// Every scale, in the order of [`Scale::NAMES`].
    pub const ALL: [Scale; 2] = [Scale::Linear, Scale::Log];
    /// The names accepted by [`Scale::parse`].
    pub const NAMES: [&'static str; 2] = ["linear", "log"];

    /// The scale called `text` (`linear` or `log`, case-insensitive, surrounding
    /// blanks ignored). Otherwise an [`Error::Config`] for the key `field`
    /// (e.g. `output.scale`) listing the valid names.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let key = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.name() == key)
            .ok_or_else(|| {
                Error::config(
                    field,
                    format!(
                        "unknown scale {text:?}; use one of: {}",
                        Self::NAMES.join(", ")
                    ),
                )
            })
    }

    /// The scale's name.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }
}

impl FromStr for Scale {
    type Err = Error;

    /// As [`Scale::parse`] with the key `output.scale`.
    fn from_str(s: &str) -> Result<Self> {
        Scale::parse("output.scale", s)
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values mapped to the two ends of a colour map: `lo` to entry 0, `hi`
/// to entry 255. Valid limits are finite with `lo < hi`, and `lo > 0` for a
/// log scale ([`Limits::new`] checks; [`map_value`] tolerates anything).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Value at the bottom of the map.
    pub lo: f32,
    /// Value at the top of the map.
    pub hi: f32,
}

impl Limits {
    /// Checked limits: finite, `lo < hi`, and `lo > 0` for [`Scale::Log`];
    /// otherwise [`Error::Data`].
    pub fn new(lo: f32, hi: f32, scale: Scale) -> Result<Self> {
        let bad = |why: &str| {
            Err(Error::Data {
                field: "colour limits".to_string(),
                message: format!("[{lo}, {hi}] {why}"),
            })
        };
        if !(lo.is_finite() && hi.is_finite()) {
            return bad("are not finite");
        }
        if lo >= hi {
            return bad("must satisfy lo < hi");
        }
        if scale == Scale::Log && lo <= 0.0 {
            return bad("must be positive for a log scale");
        }
        Ok(Limits { lo, hi })
    }

    /// The range of the finite values of `fields` (for [`Scale::Log`], of the
    /// finite positive values). A range of one value `v` is widened to
    /// `[v - w, v + w]` with `w = |v| / 2` (`w = 1` for `v = 0`) on a linear
    /// scale and to `[v / 2, 2 v]` on a log scale, so a constant field maps
    /// to the middle of the map. [`Error::Data`] when no value qualifies.
    pub fn from_fields(fields: &[&[f32]], scale: Scale) -> Result<Self> {
        let usable = |v: &f32| v.is_finite() && (scale == Scale::Linear || *v > 0.0);
        let (lo, hi) = fields
            .iter()
            .flat_map(|f| f.iter())
            .filter(|v| usable(v))
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if lo > hi {
            let what = match scale {
                Scale::Linear => "finite",
                Scale::Log => "finite positive",
            };
            return Err(Error::Data {
                field: "colour limits".to_string(),
                message: format!("the fields have no {what} value to take limits from"),
            });
        }
        Ok(widen(lo, hi, scale))
    }

    /// Limits symmetric about zero, `[-m, m]` with `m` the largest finite
    /// `|v|` over `fields` (`m = 1` if that is 0): the limits of a signed
    /// field drawn with [`Colormap::Diverging`](super::Colormap::Diverging).
    /// [`Error::Data`] when no value is finite.
    pub fn symmetric(fields: &[&[f32]]) -> Result<Self> {
        let m = fields
            .iter()
            .flat_map(|f| f.iter())
            .filter(|v| v.is_finite())
            .map(|v| v.abs())
            .fold(None, |m: Option<f32>, v| Some(m.map_or(v, |m| m.max(v))));
        match m {
            None => Err(Error::Data {
                field: "colour limits".to_string(),
                message: "the fields have no finite value to take limits from".to_string(),
            }),
            Some(m) => {
                let m = if m > 0.0 { m } else { 1.0 };
                Ok(Limits { lo: -m, hi: m })
            }
        }
    }

    /// The value at the middle of the map: `(lo + hi) / 2`, or `sqrt(lo hi)`
    /// on a log scale.
    pub fn midpoint(self, scale: Scale) -> f64 {
        let (lo, hi) = (f64::from(self.lo), f64::from(self.hi));
        match scale {
            Scale::Linear => 0.5 * (lo + hi),
            Scale::Log => (lo * hi).sqrt(),
        }
    }
}

/// `[lo, hi]` made non-empty (see [`Limits::from_fields`]), staying finite.
fn widen(lo: f32, hi: f32, scale: Scale) -> Limits {
    if lo < hi {
        return Limits { lo, hi };
    }
    match scale {
        Scale::Linear => {
            let w = if lo == 0.0 { 1.0 } else { lo.abs() * 0.5 };
            Limits {
                lo: (lo - w).max(f32::MIN),
                hi: (hi + w).min(f32::MAX),
            }
        }
        Scale::Log => Limits {
            lo: lo * 0.5,
            hi: (hi * 2.0).min(f32::MAX),
        },
    }
}

/// The colour of `v` in `lut` between `lo` and `hi`. This is the reference
/// the GPU kernel mirrors; every step is f32 arithmetic, in this order:
///
/// 1. `v` not finite (NaN or +-infinity): [`BAD_COLOR`].
/// 2. Linear: `x = (v - lo) / (hi - lo)`.
///    Log: `x = (ln(max(v, lo)) - ln(lo)) / (ln(hi) - ln(lo))`, so values
///    `<= lo`, zero and negative ones included, map to entry 0.
/// 3. `x` NaN (only possible with invalid limits: `lo == hi == v`, or a log
///    scale with `lo <= 0`): [`BAD_COLOR`].
/// 4. `x = clamp(x, 0, 1)`; `index = min(255, floor(x * 256))`; the colour is
///    `lut[index]`.
///
/// Entry `i` thus covers `x` in `[i/256, (i+1)/256)`, entry 255 also `x = 1`.
/// On the GPU, WGSL's `/` and `log` are not correctly rounded (2.5 ulp, and
/// about 2^-21 absolute error for `log`), so a value that lands within a few
/// ulp of a bin edge may get the neighbouring entry: compare GPU and CPU
/// images with an index tolerance of one.
pub fn map_value(v: f32, lo: f32, hi: f32, scale: Scale, lut: &[[u8; 4]; 256]) -> [u8; 4] {
    if !v.is_finite() {
        return BAD_COLOR;
    }
    let x = match scale {
        Scale::Linear => (v - lo) / (hi - lo),
        Scale::Log => (v.max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln()),
    };
    if x.is_nan() {
        return BAD_COLOR;
    }
    let x = x.clamp(0.0, 1.0);
    // `as` truncates; x * 256 is in [0, 256], so the floor is exact.
    let index = ((x * 256.0).floor() as usize).min(255);
    lut[index]
}
