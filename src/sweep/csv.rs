//! `sweep.csv`: one row per configuration, written atomically as a whole
//! (so a sweep that is killed leaves the last complete version).
//!
//! Columns: one per parameter (named by its key), then [`FIXED_COLUMNS`].
//! Numbers are written as in `metrics.csv`, empty cells mean "not known";
//! text cells are quoted as RFC 4180 asks (commas, quotes, line breaks).

use std::path::Path;

use super::definition::Sweep;
use super::record::Record;
use crate::output::{format_value, write_atomic};
use crate::Result;

/// The columns after the parameters, in order.
pub const FIXED_COLUMNS: [&str; 9] = [
    "status",
    "converged",
    "measured_rate",
    "predicted_rate",
    "final_ni",
    "final_l2",
    "wall_time_s",
    "dir",
    "error",
];

/// Name of the sweep's table in the sweep directory.
pub const SWEEP_CSV: &str = "sweep.csv";

/// The text of `sweep.csv` for `records`.
pub fn csv_text(sweep: &Sweep, records: &[Record]) -> String {
    let header: Vec<String> = sweep
        .params
        .iter()
        .map(|p| field(&p.key))
        .chain(FIXED_COLUMNS.iter().map(|c| c.to_string()))
        .collect();
    let mut text = header.join(",");
    text.push('\n');
    for r in records {
        let number = |v: Option<f64>| v.map(format_value).unwrap_or_default();
        let converged = match r.converged {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let cells: Vec<String> = r
            .values
            .iter()
            .map(|v| field(v))
            .chain([
                r.status.to_string(),
                converged.to_string(),
                number(r.measured_rate),
                number(r.predicted_rate),
                number(r.final_ni),
                number(r.final_l2),
                r.wall_time_s.map(|w| format!("{w:.3}")).unwrap_or_default(),
                field(&r.dir),
                field(&r.error),
            ])
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// Writes `sweep.csv` into `dir`, atomically.
pub fn write_csv(dir: &Path, sweep: &Sweep, records: &[Record]) -> Result<()> {
    write_atomic(&dir.join(SWEEP_CSV), csv_text(sweep, records).as_bytes())
}

/// `text` as one CSV field: quoted (quotes doubled) when it holds a comma,
/// a quote or a line break.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("0.5"), "0.5");
        assert_eq!(field("max(a, b)"), "\"max(a, b)\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
