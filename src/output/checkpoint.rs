//! Checkpoint files: everything needed to continue a run bit for bit.
//!
//! Layout of `checkpoint-<step>.bin`, little-endian:
//!
//! ```text
//! b"MFLDACK1" | u64 header length | header (JSON) | f32 arrays, in header order | u64 FNV-1a of all before
//! ```
//!
//! A file is written atomically (temporary file, fsync, rename), so a checkpoint
//! interrupted mid-write never replaces the previous one; the two newest are
//! kept. Loading takes the newest file whose checksum and header are valid.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::fnv1a64;
use crate::output::write_atomic_with;
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"MFLDACK1";
const KEEP: usize = 2;

/// Name and length of one array of a checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct ArrayInfo {
    name: String,
    len: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    step: u64,
    t: f64,
    config_hash: u64,
    arrays: Vec<ArrayInfo>,
    meta: serde_json::Value,
}

/// The state of a run at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Steps taken.
    pub step: u64,
    /// Simulated time.
    pub t: f64,
    /// [`crate::config::Config::hash`] of the run's configuration.
    pub config_hash: u64,
    /// Named f32 arrays (the raw state, the equilibrium, ...).
    pub arrays: Vec<(String, Vec<f32>)>,
    /// Run-specific extras (JSON).
    pub meta: serde_json::Value,
}

/// The FNV-1a state after `bytes`, continuing from `h` (for streaming).
fn fnv_update(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Writes `bytes` and folds them into the running checksum.
fn put(out: &mut impl Write, sum: &mut u64, bytes: &[u8]) -> std::io::Result<()> {
    *sum = fnv_update(*sum, bytes);
    out.write_all(bytes)
}

impl Checkpoint {
    /// The array called `name`.
    pub fn array(&self, name: &str) -> Result<&[f32]> {
        self.arrays
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .ok_or_else(|| Error::Data {
                field: "checkpoint".into(),
                message: format!("it has no array `{name}`"),
            })
    }

    /// File name of the checkpoint at `step`.
    pub fn file_name(step: u64) -> String {
        format!("checkpoint-{step:012}.bin")
    }

    /// Writes the checkpoint into `dir` atomically and removes all but the two
    /// newest checkpoints. Returns the path written.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        let header = Header {
            step: self.step,
            t: self.t,
            config_hash: self.config_hash,
            arrays: self
                .arrays
                .iter()
                .map(|(name, v)| ArrayInfo {
                    name: name.clone(),
                    len: v.len(),
                })
                .collect(),
            meta: self.meta.clone(),
        };
        let header = serde_json::to_vec(&header)
            .map_err(|e| Error::io("encoding a checkpoint header", std::io::Error::other(e)))?;
        let path = dir.join(Self::file_name(self.step));
        write_atomic_with(&path, |out| {
            let mut sum = 0xcbf29ce484222325u64;
            put(out, &mut sum, MAGIC)?;
            put(out, &mut sum, &(header.len() as u64).to_le_bytes())?;
            put(out, &mut sum, &header)?;
            for (_, v) in &self.arrays {
                put(out, &mut sum, bytemuck::cast_slice(v))?;
            }
            out.write_all(&sum.to_le_bytes())
        })?;
        let mut all = list(dir)?;
        all.sort();
        for old in all.iter().rev().skip(KEEP) {
            std::fs::remove_file(old)
                .map_err(|e| Error::io(format!("removing {}", old.display()), e))?;
        }
        Ok(path)
    }

    /// Reads and verifies one checkpoint file.
    pub fn read(path: &Path) -> Result<Self> {
        let bad = |why: &str| Error::Data {
            field: path.display().to_string(),
            message: format!("not a valid mflda checkpoint: {why}"),
        };
        let bytes =
            std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if bytes.len() < 24 || &bytes[..8] != MAGIC {
            return Err(bad("wrong magic or too short"));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let stored = u64::from_le_bytes(tail.try_into().map_err(|_| bad("truncated"))?);
        if fnv1a64(body) != stored {
            return Err(bad("checksum mismatch (incomplete or damaged file)"));
        }
        let header_len = u64::from_le_bytes(body[8..16].try_into().map_err(|_| bad("truncated"))?);
        let start = 16usize.saturating_add(header_len as usize);
        let header: Header = body
            .get(16..start)
            .and_then(|h| serde_json::from_slice(h).ok())
            .ok_or_else(|| bad("unreadable header"))?;
        let mut at = start;
        let mut arrays = Vec::new();
        for info in &header.arrays {
            let end = at.saturating_add(info.len.saturating_mul(4));
            let raw = body
                .get(at..end)
                .ok_or_else(|| bad("arrays shorter than the header says"))?;
            let v: Vec<f32> = raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            arrays.push((info.name.clone(), v));
            at = end;
        }
        if at != body.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(Checkpoint {
            step: header.step,
            t: header.t,
            config_hash: header.config_hash,
            arrays,
            meta: header.meta,
        })
    }

    /// The newest valid checkpoint in `dir`, with the reasons older or newer
    /// files were skipped; `None` when there is none.
    pub fn load_latest(dir: &Path) -> Result<(Option<Self>, Vec<String>)> {
        let mut all = list(dir)?;
        all.sort();
        let mut skipped = Vec::new();
        for path in all.iter().rev() {
            match Self::read(path) {
                Ok(c) => return Ok((Some(c), skipped)),
                Err(e) => skipped.push(e.to_string()),
            }
        }
        Ok((None, skipped))
    }
}

/// The checkpoint files in `dir` (not temporary files).
fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("checkpoint-") && name.ends_with(".bin") {
            out.push(entry.path());
        }
    }
    Ok(out)
}
