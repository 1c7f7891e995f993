//! The table a sweep prints at the end: one line per configuration with its
//! values, status, convergence, measured and predicted rates, final distance
//! and time.

use super::definition::Sweep;
use super::record::Record;

/// Longest cell text; longer values (expressions) are cut with `...`.
const MAX_CELL: usize = 32;

/// The table for `records` (in sweep order), columns aligned, newline-ended.
pub fn format_table(sweep: &Sweep, records: &[Record]) -> String {
    let mut header: Vec<String> = vec!["run".into()];
    header.extend(sweep.params.iter().map(|p| p.key.clone()));
    header.extend(
        [
            "status",
            "converged",
            "rate",
            "predicted",
            "final_l2",
            "wall_s",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let mut rows = vec![header];
    for (point, r) in sweep.points().iter().zip(records) {
        let mut row = vec![point.index.to_string()];
        row.extend(r.values.iter().map(|v| cut(v)));
        row.push(r.status.to_string());
        row.push(match r.converged {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => "-".into(),
        });
        row.push(r.measured_rate.map_or("-".into(), |v| format!("{v:.4}")));
        row.push(r.predicted_rate.map_or("-".into(), |v| format!("{v:.4}")));
        row.push(r.final_l2.map_or("-".into(), |v| format!("{v:.2e}")));
        row.push(r.wall_time_s.map_or("-".into(), |v| format!("{v:.1}")));
        rows.push(row);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// `text` cut to [`MAX_CELL`] characters (with `...`), on one line.
fn cut(text: &str) -> String {
    let flat = text.replace(['\n', '\r'], " ");
    if flat.chars().count() <= MAX_CELL {
        flat
    } else {
        let head: String = flat.chars().take(MAX_CELL - 3).collect();
        format!("{head}...")
    }
}
