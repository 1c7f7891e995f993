//! Atomic file replacement: write a temporary file beside the target, fsync it,
//! rename it over the target, fsync the directory. A reader (or a crash) sees
//! the old file or the new one, never a half-written one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// Replaces the file at `path` with `bytes`, atomically (see the module docs).
/// The temporary file is `.<name>.<pid>.<n>.tmp` in the same directory and is
/// removed on failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// As [`write_atomic`], with the contents produced by `fill` writing into a
/// buffered writer (for large outputs that should not be copied into one
/// buffer first).
pub fn write_atomic_with<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let context = || format!("writing {}", path.display());
    let name = path
        .file_name()
        .ok_or_else(|| {
            Error::io(
                context(),
                io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"),
            )
        })?
        .to_string_lossy()
        .into_owned();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(temp_name(&name));
    let result = write_and_sync(&tmp, fill).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = result {
        // Best effort: the temporary file may not exist if creating it failed.
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(context(), e));
    }
    sync_dir(&dir).map_err(|e| Error::io(format!("syncing directory {}", dir.display()), e))
}

/// A fresh temporary name for `name`: unique within this process (counter) and
/// across processes (pid).
fn temp_name(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.{}.{n}.tmp", std::process::id())
}

fn write_and_sync<F>(tmp: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let file = OpenOptions::new().write(true).create_new(true).open(tmp)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    fill(&mut w)?;
    let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()
}

/// Makes a rename in `dir` durable. Only unix can fsync a directory; file
/// systems that refuse it (some network mounts) are tolerated.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
