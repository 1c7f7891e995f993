//! Reading `metrics.csv` back for plots and fits.

use std::path::Path;

use crate::{Error, Result};

/// The numbers of a metrics CSV: a header of column names (the first `t`) and
/// complete rows.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsTable {
    /// Column names, in file order.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<f64>>,
}

impl MetricsTable {
    /// Reads the file at `path`. Rows with the wrong number of fields or a
    /// field that is not a number (`nan`, `inf`, `-inf` are numbers) are
    /// skipped, as is a torn last row. Errors: the file cannot be read
    /// ([`Error::Io`]) or has no header with a `t` column ([`Error::Data`]).
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Self::parse(&text).map_err(|message| Error::Data {
            field: path.display().to_string(),
            message,
        })
    }

    /// Parses CSV text (see [`MetricsTable::read`]); the error is a message.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        // A last line without its newline may be torn: drop it.
        let complete = match text.rfind('\n') {
            Some(i) if i + 1 < text.len() => &text[..=i],
            _ => text,
        };
        let mut lines = complete.lines();
        let header = lines.next().unwrap_or("").trim();
        let columns: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
        if columns.first().map(String::as_str) != Some("t") {
            return Err(format!(
                "the header row `{header}` does not start with the time column `t`; \
                 is this a metrics.csv?"
            ));
        }
        let rows = lines
            .filter_map(|line| {
                let values: Option<Vec<f64>> = line
                    .split(',')
                    .map(|v| v.trim().parse::<f64>().ok())
                    .collect();
                values.filter(|v| v.len() == columns.len())
            })
            .collect();
        Ok(MetricsTable { columns, rows })
    }

    /// The values of column `name`, or `None` if there is no such column.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let k = self.columns.iter().position(|c| c == name)?;
        Some(self.rows.iter().map(|r| r[k]).collect())
    }

    /// The times (column `t`).
    pub fn times(&self) -> Vec<f64> {
        self.rows.iter().map(|r| r[0]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_bad_and_torn_rows() {
        let t = MetricsTable::parse("t,a\n0,1\n1,x\n2,nan\n3,4,5\n4,inf\n5,").unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.column("a").unwrap()[0], 1.0);
        assert!(t.column("b").is_none());
        assert!(MetricsTable::parse("a,b\n1,2\n").is_err());
    }
}
