//! Reading a configuration: TOML text or file, `--set table.key=value`
//! overrides, the embedded default. Every path ends in
//! [`Config::validate`], so a `Config` obtained here is ready to run.

use std::path::Path;

use toml::{Table, Value};

use super::check::{
    check_types, check_unknown, find_key, find_table, key_names, table_names, unknown_key,
};
use super::keys::{Kind, SCHEMA};
use super::schema::Config;
use super::suggest::nearest;
use crate::{Error, Result};

/// The text of `assets/default.toml`: a 2D game with all three payoff terms.
pub const DEFAULT_TOML: &str = include_str!("../../assets/default.toml");

impl Config {
    /// Parses and validates a configuration from TOML `text`; `origin` names
    /// where the text came from (a file name) for error messages.
    ///
    /// Errors are [`Error::Config`] naming the dotted key: malformed TOML (the
    /// message carries the parser's line/column report), unknown keys (with the
    /// nearest known key suggested), wrong types, missing required keys, and
    /// out-of-range values (see [`Config::validate`]). An integer is accepted
    /// where a float is expected.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Config> {
        Config::from_toml_str_with_sets(text, origin, &[])
    }

    /// As [`Config::from_toml_str`], with `sets` (`table.key=value` strings, as
    /// given to `--set`) applied over the file's values before checking; see
    /// [`apply_sets`].
    pub fn from_toml_str_with_sets(text: &str, origin: &str, sets: &[String]) -> Result<Config> {
        let mut table: Table = text.parse().map_err(|e: toml::de::Error| {
            Error::config(origin, format!("{origin} is not valid TOML:\n{e}"))
        })?;
        check_unknown(&table)?;
        apply_sets(&mut table, sets)?;
        check_types(&mut table)?;
        let config: Config = table.try_into().map_err(|e: toml::de::Error| {
            // check_types has already caught what serde would reject; this is
            // a safety net, not an expected path.
            Error::config(origin, format!("{origin}: {}", e.message()))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and validates the TOML file at `path`. I/O errors are
    /// [`Error::Io`] naming the path; the rest as for [`Config::from_toml_str`].
    pub fn load(path: &Path) -> Result<Config> {
        Config::load_with_sets(path, &[])
    }

    /// As [`Config::load`], with `--set` overrides (see [`apply_sets`]).
    pub fn load_with_sets(path: &Path, sets: &[String]) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading config file {}", path.display()), e))?;
        Config::from_toml_str_with_sets(&text, &path.display().to_string(), sets)
    }

    /// The configuration in `assets/default.toml` (embedded in the binary).
    pub fn embedded_default() -> Config {
        // The file is ours, and `tests/config.rs` checks that it parses.
        Config::from_toml_str(DEFAULT_TOML, "assets/default.toml")
            .unwrap_or_else(|e| panic!("assets/default.toml is invalid: {e}"))
    }
}

/// Applies `--set` overrides to a parsed config table, in order.
///
/// Each entry of `sets` is `table.key=value`. The value is read as a TOML value
/// (`0.05`, `4`, `true`, `"text"`); if that fails, or if the key holds a
/// string (an expression), the raw text is used as a string, so
/// `init.mu=eq*2.0` needs no quotes. Missing tables are created. Errors
/// ([`Error::Config`]): no `=`, or a key the schema does not know (with a
/// suggestion). Types are checked later, by the loader.
pub fn apply_sets(table: &mut Table, sets: &[String]) -> Result<()> {
    for set in sets {
        let Some((raw_key, raw_value)) = set.split_once('=') else {
            return Err(Error::config(
                set.trim(),
                format!("`--set {set}` has no `=`; the form is `--set table.key=value`, e.g. `--set game.tau=0.05`"),
            ));
        };
        let key = raw_key.trim();
        if key.is_empty() {
            return Err(Error::config(
                "--set",
                format!("`--set {set}` has no key before `=`; the form is `--set table.key=value`"),
            ));
        }
        let context = format!(" (in `--set {set}`)");
        let parts: Vec<&str> = key.split('.').collect();
        let Some(spec) = find_table(parts[0]) else {
            return Err(unknown_set_table(key, &parts, &context));
        };
        if spec.array {
            set_in_array(table, spec, key, &parts, raw_value.trim(), &context)?;
            continue;
        }
        if parts.len() == 1 {
            let example = spec.keys.first().map_or("key", |k| k.name);
            return Err(Error::config(
                key,
                format!(
                    "`{key}` is a table; set one of its keys, e.g. `--set {key}.{example}=...`"
                ),
            ));
        }
        let Some(key_spec) = find_key(spec, parts[1]) else {
            return Err(unknown_key(key, parts[1], &key_names(spec), &context));
        };
        if parts.len() > 2 {
            let dotted = format!("{}.{}", spec.name, key_spec.name);
            return Err(Error::config(
                key,
                format!("`{dotted}` has no sub-keys; use `--set {dotted}=VALUE`"),
            ));
        }
        let value = parse_set_value(raw_value.trim(), key_spec.kind);
        let entry = table
            .entry(spec.name)
            .or_insert_with(|| Value::Table(Table::new()));
        let Value::Table(sub) = entry else {
            return Err(Error::config(
                spec.name,
                format!(
                    "expected a table `[{}]` to apply `--set {set}` to",
                    spec.name
                ),
            ));
        };
        sub.insert(key_spec.name.to_string(), value);
    }
    Ok(())
}

/// `--set species.<name or index>.<key>=value`: one key of one table of an
/// array of tables, chosen by its `name` (`[[species]]`) or its index.
fn set_in_array(
    table: &mut Table,
    spec: &super::keys::TableSpec,
    key: &str,
    parts: &[&str],
    raw: &str,
    context: &str,
) -> Result<()> {
    let form = format!(
        "`--set {}.<name or index>.<key>=VALUE`, e.g. `--set {}.0.{}=...`",
        spec.name,
        spec.name,
        spec.keys.get(1).map_or("key", |k| k.name)
    );
    if parts.len() != 3 {
        return Err(Error::config(
            key,
            format!(
                "`{key}` does not name one key of one [[{}]] table; use {form}",
                spec.name
            ),
        ));
    }
    let Some(key_spec) = find_key(spec, parts[2]) else {
        return Err(unknown_key(key, parts[2], &key_names(spec), context));
    };
    let Some(Value::Array(items)) = table.get_mut(spec.name) else {
        return Err(Error::config(
            key,
            format!(
                "there are no [[{}]] tables to set `{key}` in{context}",
                spec.name
            ),
        ));
    };
    let names: Vec<String> = items
        .iter()
        .map(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let index = parts[1]
        .parse::<usize>()
        .ok()
        .filter(|&i| i < items.len())
        .or_else(|| names.iter().position(|n| n == parts[1]));
    let Some(index) = index else {
        let known: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if n.is_empty() {
                    i.to_string()
                } else {
                    format!("{i} ({n})")
                }
            })
            .collect();
        return Err(Error::config(
            key,
            format!(
                "no [[{}]] table `{}`; the tables are {}{context}",
                spec.name,
                parts[1],
                known.join(", ")
            ),
        ));
    };
    let Some(Value::Table(item)) = items.get_mut(index) else {
        return Err(Error::config(
            key,
            format!("[[{}]] entry {index} is not a table{context}", spec.name),
        ));
    };
    item.insert(
        key_spec.name.to_string(),
        parse_set_value(raw, key_spec.kind),
    );
    Ok(())
}

/// The error for a `--set` key whose first part is not a table: suggest the
/// dotted key whose last part is nearest to the given last part (`gmae.tau`,
/// `tau` -> `game.tau`), else the nearest table.
fn unknown_set_table(key: &str, parts: &[&str], context: &str) -> Error {
    let leaf = parts[parts.len() - 1];
    let all: Vec<String> = SCHEMA.iter().flat_map(key_names).collect();
    let leaves = all.iter().map(|k| k.rsplit('.').next().unwrap_or(k));
    if nearest(leaf, leaves).is_some() {
        unknown_key(key, leaf, &all, context)
    } else {
        unknown_key(key, parts[0], &table_names(), context)
    }
}

/// A `--set` value: TOML if it parses (and is a string for string keys), else
/// the raw text as a string.
fn parse_set_value(raw: &str, kind: Kind) -> Value {
    let parsed = raw.parse::<Value>();
    match (kind, parsed) {
        (_, Ok(Value::String(s))) => Value::String(s),
        (Kind::Str | Kind::OneOf(_), _) => Value::String(raw.to_string()),
        (_, Ok(v)) => v,
        (_, Err(_)) => Value::String(raw.to_string()),
    }
}
