//! `metrics.csv`: one row of numbers per metrics time, the first column the
//! simulated time `t`. Rows go to the OS as they are appended, so a crash loses
//! at most the row being written; [`MetricsCsv::open_append`] and
//! [`MetricsCsv::truncate_after`] make resuming produce no duplicate or torn
//! rows.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::atomic::write_atomic;
use crate::{Error, Result};

/// An open metrics CSV file with a fixed list of columns.
#[derive(Debug)]
pub struct MetricsCsv {
    path: PathBuf,
    columns: Vec<String>,
    file: File,
}

impl MetricsCsv {
    /// Creates (or replaces) the file at `path` holding only the header row
    /// `columns` joined by commas; the first column should be `t`. Column names
    /// must be non-empty and free of commas, quotes and line breaks
    /// ([`Error::Usage`] otherwise).
    pub fn create(path: &Path, columns: &[&str]) -> Result<Self> {
        let header = header_line(columns)?;
        write_atomic(path, header.as_bytes())?;
        Self::open(path, columns)
    }

    /// Reopens an existing file at `path` for appending, checking that its
    /// header row is exactly `columns`. A torn last row (no final newline, as
    /// a crash mid-write leaves) is removed. Errors: the file is missing or
    /// unreadable ([`Error::Io`]), or its header differs ([`Error::Data`]).
    pub fn open_append(path: &Path, columns: &[&str]) -> Result<Self> {
        let header = header_line(columns)?;
        let text = read(path)?;
        let first = text.lines().next().unwrap_or("");
        if format!("{first}\n") != header {
            return Err(Error::Data {
                field: path.display().to_string(),
                message: format!(
                    "the header row `{first}` does not match the expected columns `{}`; \
                     this file was written by a different version or run",
                    header.trim_end()
                ),
            });
        }
        let keep = text.rfind('\n').map_or(0, |i| i + 1);
        if keep < header.len() {
            write_atomic(path, header.as_bytes())?;
        } else if keep < text.len() {
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
            file.set_len(keep as u64)
                .map_err(|e| Error::io(format!("truncating {}", path.display()), e))?;
        }
        Self::open(path, columns)
    }

    fn open(path: &Path, columns: &[&str]) -> Result<Self> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::io(format!("opening {} for appending", path.display()), e))?;
        Ok(MetricsCsv {
            path: path.to_path_buf(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            file,
        })
    }

    /// Appends one row (`row.len()` must equal the number of columns, else
    /// [`Error::Usage`]) and hands it to the OS at once. Values are written in
    /// the shortest form that reads back exactly; NaN as `nan`, infinities as
    /// `inf` / `-inf`.
    pub fn append(&mut self, row: &[f64]) -> Result<()> {
        if row.len() != self.columns.len() {
            return Err(Error::Usage(format!(
                "a row of {} values for the {} columns of {}",
                row.len(),
                self.columns.len(),
                self.path.display()
            )));
        }
        let mut line = row
            .iter()
            .map(|&v| format_value(v))
            .collect::<Vec<_>>()
            .join(",");
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| Error::io(format!("appending to {}", self.path.display()), e))
    }

    /// Rewrites the file at `path` (atomically) keeping the header and the
    /// rows whose first column is <= `t`; rows after `t`, torn rows and rows
    /// of the wrong length are dropped. Returns the number of rows kept. Used
    /// when resuming from a checkpoint at time `t`.
    pub fn truncate_after(path: &Path, t: f64) -> Result<usize> {
        let text = read(path)?;
        let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
        let mut lines = complete.lines();
        let Some(header) = lines.next() else {
            return Err(Error::Data {
                field: path.display().to_string(),
                message: "the file has no header row".to_string(),
            });
        };
        let width = header.split(',').count();
        let mut out = format!("{header}\n");
        let mut kept = 0;
        for line in lines {
            let first = line.split(',').next().unwrap_or("").trim();
            let keep = line.split(',').count() == width
                && first.parse::<f64>().is_ok_and(|row_t| row_t <= t);
            if keep {
                out.push_str(line);
                out.push('\n');
                kept += 1;
            }
        }
        write_atomic(path, out.as_bytes())?;
        Ok(kept)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

/// `v` as CSV text: plain decimal for magnitudes in [1e-4, 1e15) and zero,
/// exponent form otherwise, always the shortest text that parses back to
/// exactly `v`; `nan`, `inf`, `-inf` for non-finite values.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "nan".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if v == 0.0 || (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The header row for `columns`, newline included.
fn header_line(columns: &[&str]) -> Result<String> {
    if columns.is_empty() {
        return Err(Error::Usage(
            "a metrics CSV needs at least one column".to_string(),
        ));
    }
    for c in columns {
        if c.is_empty() || c.contains([',', '"', '\n', '\r']) {
            return Err(Error::Usage(format!(
                "metrics column name {c:?} must be non-empty, without commas, quotes or line breaks"
            )));
        }
    }
    Ok(format!("{}\n", columns.join(",")))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))
}
