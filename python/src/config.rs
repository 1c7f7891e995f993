//! Configs: parsed and validated by the library's loader, so that Python
//! sees the CLI's messages; passed between the two sides as TOML text.

use mflda::config::{Config, DEFAULT_TOML};
use pyo3::prelude::*;

use crate::errors::{ConfigError, IntoPy};

/// The embedded default config (`assets/default.toml`), as written.
#[pyfunction]
pub fn default_toml() -> &'static str {
    DEFAULT_TOML
}

/// Parses and validates TOML `text` (`origin` names it in messages) and
/// returns it in the canonical form (every table, no comments).
#[pyfunction]
pub fn parse(text: &str, origin: &str) -> PyResult<String> {
    Ok(Config::from_toml_str(text, origin)
        .py_err()?
        .to_toml_string())
}

/// The canonical TOML of a config given as JSON text (a dict's
/// `json.dumps`), validated.
#[pyfunction]
pub fn from_json(json: &str) -> PyResult<String> {
    let table: toml::Table = serde_json::from_str(json).map_err(|e| {
        ConfigError::new_err(format!(
            "config: the dict is not a config table ({e}); use tables of numbers, strings, \
             booleans and lists, without None"
        ))
    })?;
    let text = toml::to_string(&table)
        .map_err(|e| ConfigError::new_err(format!("config: the dict cannot be TOML: {e}")))?;
    parse(&text, "the dict")
}

/// `text` with `sets` (`table.key=value`, as `--set` takes them) applied,
/// validated as the CLI does, in canonical TOML.
#[pyfunction]
pub fn with_sets(text: &str, sets: Vec<String>) -> PyResult<String> {
    Ok(Config::from_toml_str_with_sets(text, "the config", &sets)
        .py_err()?
        .to_toml_string())
}

/// The config as JSON text (for `to_dict`).
#[pyfunction]
pub fn to_json(text: &str) -> PyResult<String> {
    let config = Config::from_toml_str(text, "the config").py_err()?;
    serde_json::to_string(&config)
        .map_err(|e| ConfigError::new_err(format!("config: cannot write JSON: {e}")))
}

/// The config with its output schedules made concrete, as a run writes it.
#[pyfunction]
pub fn resolved(text: &str) -> PyResult<String> {
    let config = Config::from_toml_str(text, "the config").py_err()?;
    Ok(config.resolved().to_toml_string())
}
