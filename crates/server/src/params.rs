//! Strict query-string parsing: every parameter known, decoded as UTF-8,
//! free of control characters, and within range — or a [`Problem`].

use std::collections::HashMap;

use percent_encoding::percent_decode;

use crate::problem::Problem;

/// Decoded query parameters, each given at most once.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Parses a raw query string, accepting only the `allowed` names.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, Problem> {
        let mut values = HashMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name, "parameter name")?;
            let value = decode(value, &name)?;
            if !allowed.contains(&name.as_str()) {
                return Err(Problem::invalid_parameter(
                    &name,
                    format!(
                        "unknown parameter {name:?}; accepted: {}",
                        allowed.join(", ")
                    ),
                ));
            }
            if value.chars().any(|c| c.is_control()) {
                return Err(Problem::invalid_parameter(
                    &name,
                    "contains control characters",
                ));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(Problem::invalid_parameter(&name, "given more than once"));
            }
        }
        Ok(Params { values })
    }

    /// A text parameter; empty counts as absent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// An integer parameter within `min..=max`, or `default` when absent.
    pub fn integer(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, Problem> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(Problem::invalid_parameter(
                    name,
                    format!("must be an integer from {min} to {max}, got {v:?}"),
                )),
            },
        }
    }

    /// A finite decimal number parameter (coordinates), `None` when absent.
    pub fn float(&self, name: &str) -> Result<Option<f64>, Problem> {
        match self.text(name) {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(n)),
                _ => Err(Problem::invalid_parameter(
                    name,
                    format!("must be a decimal number, got {v:?}"),
                )),
            },
        }
    }

    /// A boolean parameter (`true`/`false`/`1`/`0`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Problem> {
        match self.text(name) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(Problem::invalid_parameter(
                name,
                format!("must be true or false, got {v:?}"),
            )),
        }
    }
}

fn decode(raw: &str, what: &str) -> Result<String, Problem> {
    let spaced = raw.replace('+', " ");
    percent_decode(spaced.as_bytes())
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Problem::invalid_parameter(what, "is not valid UTF-8 after percent-decoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_validates() {
        let p = Params::parse(
            Some("q=%E7%A4%BE%E4%BF%9D+%E6%9F%A5&page=2"),
            &["q", "page"],
        )
        .unwrap();
        assert_eq!(p.text("q"), Some("社保 查"));
        assert_eq!(p.integer("page", 1, 1, 10).unwrap(), 2);
        assert!(p.integer("page", 1, 3, 10).is_err());
        assert!(Params::parse(Some("x=1"), &["q"]).is_err());
        assert!(Params::parse(Some("q=%FF"), &["q"]).is_err());
        assert!(Params::parse(Some("q=a%00b"), &["q"]).is_err());
        assert!(Params::parse(Some("q=a&q=b"), &["q"]).is_err());
    }
}
