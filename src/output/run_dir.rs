//! The run directory (`--out DIR`): a marker file saying mflda owns it, a
//! `snapshots/` folder made with the first snapshot, and helpers that write
//! files in it atomically.
//!
//! mflda never writes into, or clears, a non-empty directory that lacks the
//! marker, so a mistyped `--out` cannot destroy unrelated files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::atomic::write_atomic;
use crate::{Error, Result};

/// Name of the marker file that identifies an mflda run directory.
pub const MARKER_FILE: &str = ".mflda-run";
/// Name of the snapshot folder inside a run directory.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// A run directory that exists and carries the marker.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
    /// The directory did not exist, or was empty, before `create`.
    fresh: bool,
}

impl RunDir {
    /// Makes `path` a fresh run directory: creates it (and its parents) if
    /// missing and writes the marker.
    ///
    /// An existing empty directory is used, and so is a run directory that
    /// an earlier command left before it produced anything (no metrics, no
    /// JSON result: stopped during its equilibrium, say), whose contents are
    /// deleted. Any other run directory (marker present) is an error unless
    /// `overwrite`, in which case its contents are deleted first. Errors ([`Error::Io`]): `path` is a file; `path` is a
    /// non-empty directory without the marker (whatever `overwrite` says);
    /// `path` cannot be created or written.
    pub fn create(path: &Path, overwrite: bool) -> Result<RunDir> {
        let shown = path.display();
        let refuse = |kind: io::ErrorKind, msg: String| {
            Error::io(
                format!("creating run directory {shown}"),
                io::Error::new(kind, msg),
            )
        };
        let fresh;
        match fs::metadata(path) {
            Ok(meta) if !meta.is_dir() => {
                return Err(refuse(
                    io::ErrorKind::AlreadyExists,
                    format!("{shown} exists and is not a directory; choose another --out"),
                ));
            }
            Ok(_) => {
                if path.join(MARKER_FILE).is_file() {
                    let unstarted = is_unstarted(path)?;
                    if !overwrite && !unstarted {
                        return Err(refuse(
                            io::ErrorKind::AlreadyExists,
                            format!(
                                "{shown} already holds an mflda run; use `--resume {shown}` to \
                                 continue it or `--force` to overwrite it"
                            ),
                        ));
                    }
                    clear_run(path)?;
                    fresh = unstarted;
                } else if !is_empty_dir(path)? {
                    return Err(refuse(
                        io::ErrorKind::AlreadyExists,
                        format!(
                            "{shown} is not empty and is not an mflda run directory (it has no \
                             {MARKER_FILE} marker); choose another --out"
                        ),
                    ));
                } else {
                    fresh = true;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => fresh = true,
            Err(e) => {
                return Err(Error::io(
                    format!("cannot use --out {shown} (choose another --out)"),
                    e,
                ))
            }
        }
        let not_writable = |e: io::Error| {
            Error::io(
                format!("run directory {shown} cannot be created or written"),
                e,
            )
        };
        fs::create_dir_all(path).map_err(not_writable)?;
        let marker = format!(
            "mflda run directory (mflda {})\n",
            env!("CARGO_PKG_VERSION")
        );
        write_atomic(&path.join(MARKER_FILE), marker.as_bytes()).map_err(|e| match e {
            Error::Io { source, .. } => not_writable(source),
            other => other,
        })?;
        Ok(RunDir {
            path: path.to_path_buf(),
            fresh,
        })
    }

    /// Removes the directory again if [`Self::create`] made it (or found it
    /// empty): for a run that failed before producing anything worth keeping.
    /// A directory that held an earlier run is left alone.
    pub fn discard(self) {
        if self.fresh {
            let _ = fs::remove_dir_all(&self.path);
        }
    }

    /// Opens an existing run directory (for `--resume`): it must exist and
    /// carry the marker.
    pub fn open(path: &Path) -> Result<RunDir> {
        let shown = path.display();
        let missing = |why: String| {
            Error::io(
                format!("opening run directory {shown}"),
                io::Error::new(io::ErrorKind::NotFound, why),
            )
        };
        if !path.is_dir() {
            return Err(missing(format!(
                "{shown} does not exist; give the --out directory of an earlier `mflda run`"
            )));
        }
        if !path.join(MARKER_FILE).is_file() {
            return Err(missing(format!(
                "{shown} is not an mflda run directory (no {MARKER_FILE} marker)"
            )));
        }
        Ok(RunDir {
            path: path.to_path_buf(),
            fresh: false,
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of file `name` (relative, e.g. `metrics.csv`) in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// `snapshots/{player}_{t:012.6}.npy`: the snapshot of `player` (`mu`,
    /// `nu`) at simulated time `t`, zero-padded so that names sort by time
    /// (for 0 <= t < 10^5).
    pub fn snapshot_path(&self, player: &str, t: f64) -> PathBuf {
        self.path
            .join(SNAPSHOTS_DIR)
            .join(format!("{player}_{t:012.6}.npy"))
    }

    /// Creates `snapshots/` if it is missing (before the first snapshot).
    pub fn ensure_snapshots(&self) -> Result<()> {
        let dir = self.path.join(SNAPSHOTS_DIR);
        fs::create_dir_all(&dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
    }

    /// Writes `value` as pretty-printed JSON (with a final newline) to file
    /// `name`, atomically.
    pub fn write_json<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<()> {
        let path = self.file(name);
        let mut bytes = serde_json::to_vec_pretty(value)
            .map_err(|e| Error::io(format!("encoding {} as JSON", path.display()), e.into()))?;
        bytes.push(b'\n');
        write_atomic(&path, &bytes)
    }

    /// Writes `text` to file `name`, atomically.
    pub fn write_text(&self, name: &str, text: &str) -> Result<()> {
        write_atomic(&self.file(name), text.as_bytes())
    }
}

/// Whether the run directory `path` holds nothing a command produced: no
/// `metrics.csv`, no JSON result, no checkpoint (only what a start writes
/// first: the marker, config.toml, the equilibrium densities).
fn is_unstarted(path: &Path) -> Result<bool> {
    let context = || format!("reading run directory {}", path.display());
    for entry in fs::read_dir(path).map_err(|e| Error::io(context(), e))? {
        let entry = entry.map_err(|e| Error::io(context(), e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kept = name == MARKER_FILE
            || name == "config.toml"
            || name.ends_with("_star.npy")
            || name == SNAPSHOTS_DIR && is_empty_dir(&entry.path())?;
        if !kept {
            return Ok(false);
        }
    }
    Ok(true)
}

fn is_empty_dir(path: &Path) -> Result<bool> {
    let mut entries = fs::read_dir(path)
        .map_err(|e| Error::io(format!("reading directory {}", path.display()), e))?;
    Ok(entries.next().is_none())
}

/// Deletes everything in run directory `path` except the marker, so that the
/// directory stays recognisable if this is interrupted.
fn clear_run(path: &Path) -> Result<()> {
    let context = || format!("clearing run directory {} for --force", path.display());
    for entry in fs::read_dir(path).map_err(|e| Error::io(context(), e))? {
        let entry = entry.map_err(|e| Error::io(context(), e))?;
        if entry.file_name() == MARKER_FILE {
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::io(context(), e))?;
        let p = entry.path();
        let removed = if kind.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        removed.map_err(|e| Error::io(format!("removing {}", p.display()), e))?;
    }
    Ok(())
}
