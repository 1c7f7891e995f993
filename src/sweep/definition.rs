//! A sweep's definition: the base config file, `--set` overrides common to
//! every run, the swept parameters, the output directory; and what follows
//! from them: the configurations (the Cartesian product), their run
//! directories and their `--set` lists.

use std::path::{Path, PathBuf};

use toml::Table;

use super::param::Param;
use crate::config::{apply_sets, Config};
use crate::{Error, Result};

/// Longest value text kept in a run directory's name.
const MAX_VALUE_CHARS: usize = 40;
/// Longest run directory name.
const MAX_NAME_CHARS: usize = 200;

/// A sweep: every combination of the parameters' values, each run with the
/// base config, the common `--set` overrides, then its own values.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The base config file, absolute; `None` for the embedded default
    /// (assets/default.toml).
    pub config_path: Option<PathBuf>,
    /// The base config file's text.
    pub config_text: String,
    /// `--set` overrides applied to every run, before the swept values.
    pub sets: Vec<String>,
    /// The swept parameters; the first varies slowest.
    pub params: Vec<Param>,
    /// The sweep directory (holds `sweep.csv` and the run directories), absolute.
    pub out: PathBuf,
}

/// One configuration of a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// 1-based position in the sweep (the line of an `--emit-jobs` file).
    pub index: usize,
    /// For each parameter, the index of its value.
    pub choice: Vec<usize>,
}

impl Sweep {
    /// Reads the base config (`None`: the embedded default) and checks
    /// everything that can be checked before any run: the file is readable
    /// TOML, the `--set` and parameter keys are config keys, no parameter is
    /// given twice, and every value of every parameter, set alone over the
    /// base and the common overrides, gives a valid configuration whose
    /// expressions compile (so that `game.tau=0.1,-0.2` fails at once, not
    /// after the first run).
    ///
    /// A combination of valid values can still be invalid (`time.dt` above
    /// `time.t_end`, say): that is only known per run, and fails that run,
    /// not the sweep. Conversely a value valid only together with another
    /// swept value (`grid.n=16` where the base's `interaction_modes` is 10
    /// and another `--param` lowers it) is refused: put such a value in the
    /// base or in `--set`.
    pub fn new(
        config: Option<&Path>,
        sets: Vec<String>,
        params: Vec<Param>,
        out: &Path,
    ) -> Result<Sweep> {
        if params.is_empty() {
            return Err(Error::config(
                "--param",
                "a sweep needs at least one `--param table.key=v1,v2,...`",
            ));
        }
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.key == p.key) {
                return Err(Error::config(
                    &p.key,
                    format!(
                        "`--param {}` is given twice; list all its values in one",
                        p.key
                    ),
                ));
            }
        }
        let (config_path, config_text) = match config {
            Some(path) => {
                let path = absolute(path)?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io(format!("reading config file {}", path.display()), e))?;
                (Some(path), text)
            }
            None => (None, crate::config::DEFAULT_TOML.to_string()),
        };
        let sweep = Sweep {
            config_path,
            config_text,
            sets,
            params,
            out: absolute(out)?,
        };
        let origin = sweep.origin();
        let mut table: Table = sweep.config_text.parse().map_err(|e: toml::de::Error| {
            Error::config(&origin, format!("{origin} is not valid TOML:\n{e}"))
        })?;
        // Over the config itself: `species.<name>.<key>` needs its tables.
        apply_sets(&mut table, &sweep.sets)?;
        for p in &sweep.params {
            for (i, value) in p.values.iter().enumerate() {
                let sets: Vec<String> = sweep.sets.iter().cloned().chain([p.set(i)]).collect();
                // Loading validates every value, expressions included.
                let checked = Config::from_toml_str_with_sets(&sweep.config_text, &origin, &sets);
                if let Err(e) = checked {
                    return Err(Error::config(
                        &p.key,
                        format!(
                            "the value `{value}` of `--param {}` cannot run: {e}; fix it before \
                             the sweep starts",
                            p.key
                        ),
                    ));
                }
            }
        }
        Ok(sweep)
    }

    /// Where the base config came from, for messages.
    pub fn origin(&self) -> String {
        match &self.config_path {
            Some(p) => p.display().to_string(),
            None => "the embedded default (assets/default.toml)".into(),
        }
    }

    /// Every configuration, in order: the Cartesian product of the
    /// parameters' values, the first parameter varying slowest.
    pub fn points(&self) -> Vec<Point> {
        let total: usize = self.params.iter().map(|p| p.values.len()).product();
        (0..total)
            .map(|k| {
                let mut rest = k;
                let mut choice = vec![0; self.params.len()];
                for (c, p) in choice.iter_mut().zip(&self.params).rev() {
                    *c = rest % p.values.len();
                    rest /= p.values.len();
                }
                Point {
                    index: k + 1,
                    choice,
                }
            })
            .collect()
    }

    /// The value of each parameter at `point`.
    pub fn values(&self, point: &Point) -> Vec<&str> {
        self.params
            .iter()
            .zip(&point.choice)
            .map(|(p, &c)| p.values.get(c).map_or("", String::as_str))
            .collect()
    }

    /// The `--set` list of `point`: the common overrides, then its values.
    pub fn sets_for(&self, point: &Point) -> Vec<String> {
        let own = self
            .params
            .iter()
            .zip(&point.choice)
            .map(|(p, &c)| p.set(c));
        self.sets.iter().cloned().chain(own).collect()
    }

    /// The validated configuration of `point`.
    pub fn config_for(&self, point: &Point) -> Result<Config> {
        Config::from_toml_str_with_sets(&self.config_text, &self.origin(), &self.sets_for(point))
    }

    /// `run_<index>_<key>=<value>_...`: the name of `point`'s run directory,
    /// the index zero-padded to the sweep's size and each value reduced to
    /// characters safe in file names (see [`safe_text`]).
    pub fn dir_name(&self, point: &Point) -> String {
        let total: usize = self.params.iter().map(|p| p.values.len()).product();
        let width = total.to_string().len();
        let mut name = format!("run_{:0width$}", point.index);
        for (p, value) in self.params.iter().zip(self.values(point)) {
            name.push('_');
            name.push_str(&safe_text(&p.key));
            name.push('=');
            name.push_str(&safe_text(value));
        }
        name.chars().take(MAX_NAME_CHARS).collect()
    }

    /// `point`'s run directory, inside the sweep directory.
    pub fn run_dir(&self, point: &Point) -> PathBuf {
        self.out.join(self.dir_name(point))
    }

    /// `key=value` pairs of `point`, space-separated, for messages.
    pub fn describe(&self, point: &Point) -> String {
        let pairs: Vec<String> = self
            .params
            .iter()
            .zip(&point.choice)
            .map(|(p, &c)| p.set(c))
            .collect();
        pairs.join(" ")
    }
}

/// `text` with every run of characters other than ASCII letters, digits,
/// `.`, `+` and `-` replaced by one `_`, trimmed of `_` and `.` at the ends
/// and cut to 40 characters; `v` if nothing is left.
pub fn safe_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out: String = out
        .trim_matches(['_', '.'])
        .chars()
        .take(MAX_VALUE_CHARS)
        .collect();
    if out.is_empty() {
        "v".to_string()
    } else {
        out
    }
}

/// `path` made absolute against the current directory (not resolving links).
fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path)
        .map_err(|e| Error::io(format!("resolving the path {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(params: &[&str]) -> Sweep {
        Sweep {
            config_path: Some(PathBuf::from("/c.toml")),
            config_text: String::new(),
            sets: vec!["grid.n=32".into()],
            params: params.iter().map(|s| Param::parse(s).unwrap()).collect(),
            out: PathBuf::from("/out"),
        }
    }

    #[test]
    fn product_order_and_names() {
        let s = sweep(&["game.tau=0.5,0.2", "init.seed=1,2,3"]);
        let points = s.points();
        assert_eq!(points.len(), 6);
        assert_eq!(points[1].choice, [0, 1]);
        assert_eq!(points[3].choice, [1, 0]);
        assert_eq!(s.dir_name(&points[3]), "run_4_game.tau=0.2_init.seed=1");
        assert_eq!(
            s.sets_for(&points[3]),
            ["grid.n=32", "game.tau=0.2", "init.seed=1"]
        );
        assert_eq!(s.describe(&points[3]), "game.tau=0.2 init.seed=1");
    }

    #[test]
    fn safe_names() {
        assert_eq!(
            safe_text("eq * (1.0 + 0.5 * cos(x.x))"),
            "eq_1.0_+_0.5_cos_x.x"
        );
        assert_eq!(safe_text("../../etc"), "etc");
        assert_eq!(safe_text("/"), "v");
        assert_eq!(safe_text(&"a".repeat(100)).len(), MAX_VALUE_CHARS);
        let s = sweep(&["game.tau=1,2,3,4,5,6,7,8,9,10"]);
        assert_eq!(s.dir_name(&s.points()[0]), "run_01_game.tau=1");
    }
}
