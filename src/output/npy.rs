//! NumPy `.npy` files (format version 1.0) of little-endian f32 / f64 arrays in
//! C order, as `numpy.load` reads them. Grids use the layout of docs/MATHEMATICS.md
//! section 2: shape `(n2, n1)`, or `(1, n)` in 1D.
//!
//! Layout: the magic `\x93NUMPY`, version bytes `1 0`, a little-endian u16
//! header length, then an ASCII header such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with
//! spaces and ending in `\n` so that the data starts at a multiple of 64 bytes.

use std::io::{self, Write};
use std::path::Path;

use super::atomic::write_atomic_with;
use crate::{Error, Result};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Writes `data` (row-major, `shape` as in numpy) to `path` as a version 1.0
/// `.npy` file with dtype `<f4`, atomically. `Error::Usage` if the product of
/// `shape` is not `data.len()`.
pub fn write_npy_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    let header = header_bytes("<f4", shape, data.len())?;
    write_atomic_with(path, |w| {
        w.write_all(&header)?;
        if cfg!(target_endian = "little") {
            w.write_all(bytemuck::cast_slice(data))
        } else {
            data.iter().try_for_each(|v| w.write_all(&v.to_le_bytes()))
        }
    })
}

/// As [`write_npy_f32`] for f64 data (dtype `<f8`).
pub fn write_npy_f64(path: &Path, shape: &[usize], data: &[f64]) -> Result<()> {
    let header = header_bytes("<f8", shape, data.len())?;
    write_atomic_with(path, |w| {
        w.write_all(&header)?;
        if cfg!(target_endian = "little") {
            w.write_all(bytemuck::cast_slice(data))
        } else {
            data.iter().try_for_each(|v| w.write_all(&v.to_le_bytes()))
        }
    })
}

/// Reads a `.npy` file of dtype `<f4` in C order (as [`write_npy_f32`]
/// writes; format versions 1.0 to 3.0 are accepted). Returns the shape and the
/// row-major data. Anything else (another dtype, Fortran order, a truncated
/// file) is an [`Error::Io`] of kind `InvalidData` naming the path.
pub fn read_npy_f32(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let (shape, bytes) = read_npy(path, "<f4")?;
    let data = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((shape, data))
}

/// As [`read_npy_f32`] for dtype `<f8`.
pub fn read_npy_f64(path: &Path) -> Result<(Vec<usize>, Vec<f64>)> {
    let (shape, bytes) = read_npy(path, "<f8")?;
    let data = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect();
    Ok((shape, data))
}

/// Magic, version, header length and the padded header for `descr` and `shape`.
fn header_bytes(descr: &str, shape: &[usize], len: usize) -> Result<Vec<u8>> {
    let count = element_count(shape)
        .ok_or_else(|| Error::Usage(format!("shape {shape:?} overflows usize")))?;
    if count != len {
        return Err(Error::Usage(format!(
            "npy shape {shape:?} holds {count} values but the data has {len}"
        )));
    }
    let mut dict = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': {}, }}",
        shape_text(shape)
    );
    // 10 bytes of preamble, the dict, padding, the final newline.
    let unpadded = 10 + dict.len() + 1;
    dict.extend(std::iter::repeat_n(' ', (64 - unpadded % 64) % 64));
    dict.push('\n');
    let header_len = u16::try_from(dict.len())
        .map_err(|_| Error::Usage(format!("npy header for shape {shape:?} is too long")))?;
    let mut out = Vec::with_capacity(10 + dict.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    Ok(out)
}

/// Python's tuple syntax: `()`, `(5,)`, `(3, 4)`.
fn shape_text(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// Reads `path`, checks that it is an npy file of dtype `descr` in C order and
/// returns the shape and the raw data bytes.
fn read_npy(path: &Path, descr: &str) -> Result<(Vec<usize>, Vec<u8>)> {
    let context = || format!("reading {}", path.display());
    let bytes = std::fs::read(path).map_err(|e| Error::io(context(), e))?;
    let bad = |msg: String| Error::io(context(), io::Error::new(io::ErrorKind::InvalidData, msg));
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(bad("not an npy file (no \\x93NUMPY magic)".to_string()));
    }
    let (header_len, start): (usize, usize) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => {
            let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (usize::try_from(len).unwrap_or(usize::MAX), 12)
        }
        v => {
            return Err(bad(format!(
                "unsupported npy format version {v}.{}",
                bytes[7]
            )))
        }
    };
    let data_start = start
        .checked_add(header_len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| bad("truncated npy header".to_string()))?;
    let header = std::str::from_utf8(&bytes[start..data_start])
        .map_err(|_| bad("npy header is not text".to_string()))?;
    let fields =
        parse_header(header).map_err(|m| bad(format!("bad npy header {header:?}: {m}")))?;
    if fields.descr != descr {
        return Err(bad(format!(
            "dtype is '{}', expected '{descr}'",
            fields.descr
        )));
    }
    if fields.fortran_order {
        return Err(bad(
            "Fortran-order arrays are not supported; save in C order".to_string(),
        ));
    }
    let width = if descr.ends_with('8') { 8 } else { 4 };
    let expected = element_count(&fields.shape)
        .and_then(|n| n.checked_mul(width))
        .ok_or_else(|| bad(format!("shape {:?} overflows", fields.shape)))?;
    let data = &bytes[data_start..];
    if data.len() != expected {
        return Err(bad(format!(
            "shape {:?} needs {expected} data bytes but the file has {}",
            fields.shape,
            data.len()
        )));
    }
    Ok((fields.shape, data.to_vec()))
}

/// The three entries of an npy header dict.
struct HeaderFields {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Parses the Python dict literal of an npy header (string keys; string, bool
/// and int-tuple values, as numpy writes).
fn parse_header(text: &str) -> std::result::Result<HeaderFields, String> {
    let inner = text
        .trim()
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or("not a dict")?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (key, after) = quoted(rest).ok_or("expected a quoted key")?;
        let after = after
            .trim_start()
            .strip_prefix(':')
            .ok_or("expected ':'")?
            .trim_start();
        rest = match key {
            "descr" => {
                let (v, r) = quoted(after).ok_or("descr is not a string")?;
                descr = Some(v.to_string());
                r
            }
            "fortran_order" => {
                let (v, r) = if let Some(r) = after.strip_prefix("False") {
                    (false, r)
                } else if let Some(r) = after.strip_prefix("True") {
                    (true, r)
                } else {
                    return Err("fortran_order is not True or False".to_string());
                };
                fortran = Some(v);
                r
            }
            "shape" => {
                let body = after.strip_prefix('(').ok_or("shape is not a tuple")?;
                let end = body.find(')').ok_or("unclosed shape tuple")?;
                let dims: std::result::Result<Vec<usize>, _> = body[..end]
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::parse::<usize>)
                    .collect();
                shape = Some(dims.map_err(|_| "shape has a non-integer entry")?);
                &body[end + 1..]
            }
            other => return Err(format!("unexpected key '{other}'")),
        };
        rest = rest.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Ok(HeaderFields {
        descr: descr.ok_or("no 'descr'")?,
        fortran_order: fortran.ok_or("no 'fortran_order'")?,
        shape: shape.ok_or("no 'shape'")?,
    })
}

/// A `'...'` or `"..."` string at the start of `s` and the text after it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &s[1..];
    let end = body.find(q)?;
    Some((&body[..end], &body[end + 1..]))
}
