//! One swept parameter, `--param key=v1,v2,...`: the key is any config key
//! (checked like `--set`, with the nearest known key suggested), the values a
//! comma-separated list. Commas inside parentheses, brackets or quotes do not
//! separate values, so an expression such as `max(eq, 0.1)` is one value.

use toml::Table;

use crate::config::apply_sets;
use crate::{Error, Result};

/// A swept config key and the values it takes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Dotted config key, e.g. `game.tau`.
    pub key: String,
    /// The values, as `--set` would read them (TOML, or raw text for strings).
    pub values: Vec<String>,
}

impl Param {
    /// Parses `key=v1,v2,...` and checks the key against the config schema.
    ///
    /// Errors ([`Error::Config`]): no `=`, an empty key, an empty value, or a
    /// key the schema does not know (naming it and the nearest known key).
    pub fn parse(spec: &str) -> Result<Param> {
        let Some((key, list)) = spec.split_once('=') else {
            return Err(Error::config(
                spec.trim(),
                format!(
                    "`--param {spec}` has no `=`; the form is `--param table.key=v1,v2,...`, \
                     e.g. `--param game.tau=0.5,0.2,0.1`"
                ),
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::config(
                "--param",
                format!("`--param {spec}` has no key before `=`"),
            ));
        }
        let values = split_values(list);
        if let Some(i) = values.iter().position(|v| v.is_empty()) {
            return Err(Error::config(
                key,
                format!(
                    "`--param {spec}`: value {} of the list is empty; separate values with \
                     single commas",
                    i + 1
                ),
            ));
        }
        check_key(key, &values[0], spec)?;
        Ok(Param {
            key: key.to_string(),
            values,
        })
    }

    /// `key=value` for value `i` (`key=` if there is no such value), as
    /// given to `--set`.
    pub fn set(&self, i: usize) -> String {
        let value = self.values.get(i).map_or("", String::as_str);
        format!("{}={value}", self.key)
    }
}

/// Checks that `key` is a config key by applying `key=value` to an empty
/// table, as `--set` would; the error is reworded to name `--param`.
fn check_key(key: &str, value: &str, spec: &str) -> Result<()> {
    let probe = format!("{key}={value}");
    // A key of an array of tables (`species.rho.tau`, `species.0.tau`) needs
    // its table: the probe holds one of that name (or index); the config
    // itself is checked when the sweep is planned.
    let mut table = Table::new();
    let parts: Vec<&str> = key.split('.').collect();
    if let [array @ ("species" | "coupling"), selector, _] = parts.as_slice() {
        let count = selector.parse::<usize>().map_or(1, |i| i + 1);
        let mut item = Table::new();
        item.insert("name".into(), toml::Value::String(selector.to_string()));
        table.insert(
            array.to_string(),
            toml::Value::Array(vec![toml::Value::Table(item); count]),
        );
    }
    match apply_sets(&mut table, std::slice::from_ref(&probe)) {
        Ok(()) => Ok(()),
        Err(Error::Config { field, message }) => Err(Error::Config {
            field,
            message: message.replace(
                &format!("(in `--set {probe}`)"),
                &format!("(in `--param {spec}`)"),
            ),
        }),
        Err(e) => Err(e),
    }
}

/// Splits `list` at commas outside `()`, `[]`, `{}` and quotes; each value
/// is trimmed.
pub fn split_values(list: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for c in list.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                values.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    values.push(current.trim().to_string());
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_commas() {
        assert_eq!(split_values("0.5, 0.2,0.1"), ["0.5", "0.2", "0.1"]);
        assert_eq!(
            split_values("eq * max(x.x, 0.1),\"a,b\",eq"),
            ["eq * max(x.x, 0.1)", "\"a,b\"", "eq"]
        );
        assert_eq!(split_values("vec2(1.0, 2.0).x"), ["vec2(1.0, 2.0).x"]);
        assert_eq!(split_values("a,,b"), ["a", "", "b"]);
    }

    #[test]
    fn parses_and_checks_keys() {
        let p = Param::parse("game.tau=0.5,0.2").unwrap();
        assert_eq!(p.key, "game.tau");
        assert_eq!(p.values, ["0.5", "0.2"]);
        assert_eq!(p.set(1), "game.tau=0.2");
        let e = Param::parse("game.tua=0.5,0.2").unwrap_err().to_string();
        assert!(e.contains("game.tua") && e.contains("game.tau"), "{e}");
        assert!(e.contains("--param game.tua=0.5,0.2"), "{e}");
        assert!(Param::parse("game.tau").is_err());
        assert!(Param::parse("=1,2").is_err());
        assert!(Param::parse("game.tau=1,,2").is_err());
        assert!(Param::parse("game.tau=").is_err());
    }
}
