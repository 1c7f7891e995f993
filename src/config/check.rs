//! Checks a parsed TOML table against [`SCHEMA`] before serde sees it, so that
//! every error names the dotted key: unknown keys (with a suggestion), wrong
//! types, missing required keys. Integers given for float keys are converted in
//! place (`tau = 1` means `tau = 1.0`).

use toml::{Table, Value};

use super::keys::{KeySpec, Kind, TableSpec, SCHEMA};
use super::suggest::{edit_distance, nearest};
use crate::{Error, Result};

/// The schema entry of table `name`.
pub(crate) fn find_table(name: &str) -> Option<&'static TableSpec> {
    SCHEMA.iter().find(|t| t.name == name)
}

/// The schema entry of key `key` in table `table`.
pub(crate) fn find_key(table: &TableSpec, key: &str) -> Option<&'static KeySpec> {
    table.keys.iter().find(|k| k.name == key)
}

/// The error for an unknown dotted key `dotted` whose last part is `leaf`,
/// looked up among `siblings` (full dotted names). `context` is appended (for
/// `--set`, the option text).
pub(crate) fn unknown_key(dotted: &str, leaf: &str, siblings: &[String], context: &str) -> Error {
    let leaves: Vec<&str> = siblings
        .iter()
        .map(|s| s.rsplit('.').next().unwrap_or(s))
        .collect();
    let mut message = format!("unknown key `{dotted}`");
    if let Some(best) = nearest(leaf, leaves.iter().copied()) {
        let i = leaves.iter().position(|l| *l == best).unwrap_or(0);
        message.push_str(&format!("; did you mean `{}`?", siblings[i]));
    } else if dotted.contains('.') && find_table(leaf).is_some() {
        message.push_str(&format!(
            "; `[{leaf}]` is a table: put its keys under a `[{leaf}]` header"
        ));
    } else if let Some(moved) = elsewhere(leaf) {
        message.push_str(&format!("; did you mean `{moved}`?"));
    } else {
        message.push_str(&format!("; known: {}", siblings.join(", ")));
    }
    message.push_str(context);
    Error::config(dotted, message)
}

/// `table.key` when `leaf` is exactly a key of some table (a key put in the
/// wrong table, or at the top level).
fn elsewhere(leaf: &str) -> Option<String> {
    SCHEMA
        .iter()
        .flat_map(|t| t.keys.iter().map(move |k| (t.name, k.name)))
        .find(|(_, k)| *k == leaf)
        .map(|(t, k)| format!("{t}.{k}"))
}

/// Dotted names of every table (`grid`, `game`, ...).
pub(crate) fn table_names() -> Vec<String> {
    SCHEMA.iter().map(|t| t.name.to_string()).collect()
}

/// Dotted names of every key of `spec` (`game.tau`, ...).
pub(crate) fn key_names(spec: &TableSpec) -> Vec<String> {
    spec.keys
        .iter()
        .map(|k| format!("{}.{}", spec.name, k.name))
        .collect()
}

/// Fails on the first key of `root` (in sorted order) that the schema does not
/// know, suggesting the nearest known key.
pub(crate) fn check_unknown(root: &Table) -> Result<()> {
    for (name, value) in root {
        let Some(spec) = find_table(name) else {
            return Err(unknown_key(name, name, &table_names(), ""));
        };
        let tables: Vec<(String, &Table)> = match value {
            Value::Table(table) => vec![(name.clone(), table)],
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_table().map(|t| (format!("{name}[{i}]"), t)))
                .collect(),
            _ => Vec::new(),
        };
        for (prefix, table) in tables {
            for key in table.keys() {
                if find_key(spec, key).is_none() {
                    let dotted = format!("{prefix}.{key}");
                    return Err(unknown_key(&dotted, key, &key_names(spec), ""));
                }
            }
        }
    }
    Ok(())
}

/// Checks the type of every known key and that required tables and keys are
/// present; converts integers to floats for float keys. Call after
/// [`check_unknown`].
pub(crate) fn check_types(root: &mut Table) -> Result<()> {
    for spec in SCHEMA {
        let Some(value) = root.get_mut(spec.name) else {
            if spec.required {
                let needed: Vec<&str> = spec.keys.iter().filter_map(|k| k.required).collect();
                return Err(Error::config(
                    spec.name,
                    format!(
                        "missing required table `[{}]`; add it with at least: {}",
                        spec.name,
                        needed.join(", ")
                    ),
                ));
            }
            continue;
        };
        if spec.array {
            let Value::Array(items) = value else {
                return Err(Error::config(
                    spec.name,
                    format!(
                        "expected tables `[[{}]]` (one per entry), found {}",
                        spec.name,
                        describe(value)
                    ),
                ));
            };
            for (i, item) in items.iter_mut().enumerate() {
                let prefix = format!("{}[{i}]", spec.name);
                let Value::Table(table) = item else {
                    return Err(Error::config(
                        &prefix,
                        format!(
                            "expected a table `[[{}]]`, found {}",
                            spec.name,
                            describe(item)
                        ),
                    ));
                };
                check_keys(spec, &prefix, table)?;
            }
            continue;
        }
        let Value::Table(table) = value else {
            return Err(Error::config(
                spec.name,
                format!(
                    "expected a table `[{}]`, found {}",
                    spec.name,
                    describe(value)
                ),
            ));
        };
        check_keys(spec, spec.name, table)?;
    }
    Ok(())
}

/// Checks the keys of one table of `spec`, named `prefix` in messages
/// (`game`, `species[1]`).
fn check_keys(spec: &TableSpec, prefix: &str, table: &mut Table) -> Result<()> {
    {
        for key in spec.keys {
            let dotted = format!("{prefix}.{}", key.name);
            if key.kind == Kind::F64OrAuto
                && table.get(key.name).and_then(Value::as_str) == Some("auto")
            {
                table.remove(key.name);
                continue;
            }
            match table.get_mut(key.name) {
                Some(v) => check_value(&dotted, key.kind, v)?,
                None => {
                    if let Some(example) = key.required {
                        return Err(Error::config(
                            &dotted,
                            format!(
                                "missing required key `{dotted}`; add e.g. `{example}` under {}",
                                if spec.array {
                                    format!("[[{}]]", spec.name)
                                } else {
                                    format!("[{}]", spec.name)
                                }
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Checks one value against `kind`, converting an integer to a float for
/// [`Kind::F64`].
fn check_value(dotted: &str, kind: Kind, value: &mut Value) -> Result<()> {
    let wrong = |expected: &str, value: &Value| {
        Error::config(
            dotted,
            format!("expected {expected}, found {}", describe(value)),
        )
    };
    match (kind, &*value) {
        (Kind::U32 | Kind::U32OrTable, Value::Integer(i)) if u32::try_from(*i).is_err() => {
            Err(Error::config(
                dotted,
                format!("expected an integer in 0..={}, found {i}", u32::MAX),
            ))
        }
        (Kind::U64, Value::Integer(i)) if *i < 0 => Err(Error::config(
            dotted,
            format!("expected a non-negative integer, found {i}"),
        )),
        (Kind::U32 | Kind::U64 | Kind::U32OrTable, Value::Integer(_)) => Ok(()),
        (Kind::U32OrTable, Value::Table(t)) => {
            for (name, v) in t {
                check_value(&format!("{dotted}.{name}"), Kind::U32, &mut v.clone())?;
            }
            Ok(())
        }
        (Kind::U32OrTable, v) => Err(wrong("an integer or a table of them by species", v)),
        (Kind::U32 | Kind::U64, Value::Float(f)) if f.fract() == 0.0 && f.is_finite() => {
            Err(Error::config(
                dotted,
                format!("expected an integer, found the float {f:?}; write it as {f:.0}"),
            ))
        }
        (Kind::U32 | Kind::U64, v) => Err(wrong("an integer", v)),
        (Kind::F64 | Kind::F64OrAuto, Value::Float(_)) => Ok(()),
        (Kind::F64 | Kind::F64OrAuto, Value::Integer(i)) => {
            // Exact for |i| <= 2^53, which covers every sensible value.
            *value = Value::Float(*i as f64);
            Ok(())
        }
        (Kind::F64, v) => Err(wrong("a number", v)),
        (Kind::F64OrAuto, v) => Err(wrong("a number or \"auto\"", v)),
        (Kind::Bool, Value::Boolean(_)) => Ok(()),
        (Kind::Bool, v) => Err(wrong("`true` or `false`", v)),
        (Kind::Str, Value::String(_)) => Ok(()),
        (Kind::Str, v) => Err(wrong("a string", v)),
        (Kind::OneOf(names), Value::String(s)) => {
            if names.contains(&s.as_str()) {
                return Ok(());
            }
            let listed: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            let mut message = format!(
                "expected one of {}, found {}",
                listed.join(", "),
                describe(value)
            );
            if let Some(best) = nearest(s, names.iter().copied()) {
                // Every name as near as the nearest: `etdrk3` is one edit
                // from both schemes.
                let d = edit_distance(s, best);
                let near: Vec<String> = names
                    .iter()
                    .filter(|n| edit_distance(s, n) == d)
                    .map(|n| format!("\"{n}\""))
                    .collect();
                message.push_str(&format!("; did you mean {}?", near.join(" or ")));
            }
            Err(Error::config(dotted, message))
        }
        (Kind::OneOf(names), v) => Err(wrong(&format!("one of {names:?}"), v)),
    }
}

/// "a string \"abc\"", "an integer 5", ...: a TOML value for an error message,
/// long strings shortened.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("a string {short:?}...")
            } else {
                format!("a string {s:?}")
            }
        }
        Value::Integer(i) => format!("an integer {i}"),
        Value::Float(f) => format!("a float {f}"),
        Value::Boolean(b) => format!("a boolean {b}"),
        Value::Datetime(d) => format!("a datetime {d}"),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}
