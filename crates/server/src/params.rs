//! Strict query-string parsing: every parameter known, decoded as UTF-8,
//! free of control characters, and within range — or a [`Problem`].

use std::collections::HashMap;

use percent_encoding::percent_decode;

use crate::i18n::Text;
use crate::problem::Problem;

/// Longest accepted value of any parameter, in characters (queries have
/// tighter limits of their own).
pub const MAX_VALUE_CHARS: usize = 256;

/// The names of the query parameters an [`utoipa::IntoParams`] type
/// documents: what the OpenAPI document lists is exactly what is accepted.
/// An object parameter in exploded form style (a position) is sent as one
/// parameter per property (`lat`, `lng`), so those are its names.
pub fn names_of<P: utoipa::IntoParams>() -> Vec<String> {
    use utoipa::openapi::path::ParameterStyle;
    use utoipa::openapi::{RefOr, Schema};
    P::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
        .into_iter()
        .flat_map(|p| match (&p.style, &p.schema) {
            (Some(ParameterStyle::Form), Some(RefOr::T(Schema::Object(object))))
                if p.explode != Some(false) && !object.properties.is_empty() =>
            {
                object.properties.keys().cloned().collect()
            }
            _ => vec![p.name],
        })
        .collect()
}

/// Decoded query parameters, each given at most once.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Parses a raw query string, accepting only the `allowed` names.
    pub fn parse<S: AsRef<str>>(raw: Option<&str>, allowed: &[S]) -> Result<Self, Problem> {
        let mut values = HashMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name, "parameter name")?;
            let value = decode(value, &name)?;
            if !allowed.iter().any(|a| a.as_ref() == name) {
                let accepted: Vec<&str> = allowed.iter().map(AsRef::as_ref).collect();
                let reason = if accepted.is_empty() {
                    Text::new("err-param-none-accepted")
                } else {
                    Text::new("err-param-unknown").arg("accepted", accepted.join(", "))
                };
                return Err(Problem::invalid_parameter(&name, reason));
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(Problem::invalid_parameter(
                    &name,
                    Text::new("err-too-long").arg("max", MAX_VALUE_CHARS),
                ));
            }
            if value.chars().any(|c| c.is_control()) {
                return Err(Problem::invalid_parameter(&name, "err-control-characters"));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(Problem::invalid_parameter(&name, "err-param-repeated"));
            }
        }
        Ok(Params { values })
    }

    /// Parses a raw query string accepting any name (the allowed ones
    /// depend on a value: check them with [`Params::only`]).
    pub fn parse_any(raw: Option<&str>) -> Result<Self, Problem> {
        let mut names = Vec::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            names.push(decode(name, "parameter name")?);
        }
        Params::parse(raw, &names)
    }

    /// Refuses a parameter not among `allowed`.
    pub fn only<S: AsRef<str>>(&self, allowed: &[S]) -> Result<(), Problem> {
        match self
            .values
            .keys()
            .find(|n| !allowed.iter().any(|a| a.as_ref() == n.as_str()))
        {
            Some(name) => {
                let accepted: Vec<&str> = allowed.iter().map(AsRef::as_ref).collect();
                Err(Problem::invalid_parameter(
                    name,
                    Text::new("err-param-unknown").arg("accepted", accepted.join(", ")),
                ))
            }
            None => Ok(()),
        }
    }

    /// The value of a typed (number, boolean, choice) parameter: absent is
    /// `None`, but an empty value is not a number, boolean or choice (as
    /// the OpenAPI document says).
    fn typed(&self, name: &str) -> Result<Option<&str>, Problem> {
        match self.values.get(name) {
            Some(v) if v.trim().is_empty() => Err(Problem::invalid_parameter(name, "err-empty")),
            _ => Ok(self.text(name)),
        }
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
        match self.typed(name)? {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(Problem::invalid_parameter(
                    name,
                    Text::new("err-param-integer")
                        .arg("min", min)
                        .arg("max", max),
                )),
            },
        }
    }

    /// A finite decimal number parameter (coordinates), `None` when absent.
    pub fn float(&self, name: &str) -> Result<Option<f64>, Problem> {
        match self.typed(name)? {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(n)),
                _ => Err(Problem::invalid_parameter(name, "err-param-decimal")),
            },
        }
    }

    /// A decimal number within `min..=max` (a latitude or longitude), `None`
    /// when absent.
    pub fn float_in(&self, name: &str, min: f64, max: f64) -> Result<Option<f64>, Problem> {
        match self.float(name)? {
            Some(v) if !(min..=max).contains(&v) => Err(Problem::invalid_parameter(
                name,
                Text::new("err-param-range")
                    .arg("min", min.to_string())
                    .arg("max", max.to_string()),
            )),
            other => Ok(other),
        }
    }

    /// A latitude (WGS-84 degrees, -90 to 90), `None` when absent.
    pub fn latitude(&self, name: &str) -> Result<Option<f64>, Problem> {
        self.float_in(name, -90.0, 90.0)
    }

    /// A longitude (WGS-84 degrees, -180 to 180), `None` when absent.
    pub fn longitude(&self, name: &str) -> Result<Option<f64>, Problem> {
        self.float_in(name, -180.0, 180.0)
    }

    /// A text parameter of at most `max` characters as sent (the OpenAPI
    /// `maxLength`, spaces included), trimmed.
    pub fn text_max(&self, name: &str, max: usize) -> Result<Option<&str>, Problem> {
        match self.values.get(name) {
            Some(v) if v.chars().count() > max => Err(Problem::invalid_parameter(
                name,
                Text::new("err-too-long").arg("max", max),
            )),
            _ => Ok(self.text(name)),
        }
    }

    /// A parameter taking one of a fixed set of values (`label` gives each
    /// value's text), `None` when absent.
    pub fn one_of<T: Copy>(
        &self,
        name: &str,
        all: &[T],
        label: impl Fn(T) -> &'static str,
    ) -> Result<Option<T>, Problem> {
        let Some(v) = self.typed(name)? else {
            return Ok(None);
        };
        match all.iter().find(|t| label(**t) == v) {
            Some(t) => Ok(Some(*t)),
            None => {
                let expected: Vec<&str> = all.iter().map(|t| label(*t)).collect();
                Err(Problem::invalid_parameter(
                    name,
                    Text::new("err-param-choice").arg("choices", expected.join(", ")),
                ))
            }
        }
    }

    /// A boolean parameter (`true`/`false`/`1`/`0`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Problem> {
        match self.typed(name)? {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(_) => Err(Problem::invalid_parameter(name, "err-param-boolean")),
        }
    }
}

fn decode(raw: &str, what: &str) -> Result<String, Problem> {
    let spaced = raw.replace('+', " ");
    percent_decode(spaced.as_bytes())
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Problem::invalid_parameter(what, "err-param-utf8"))
}

/// Longest accepted opaque id in a path.
pub(crate) const MAX_ID: usize = 64;

/// An id from the path: an over-long or odd one cannot exist, so it is not
/// found (never a 500, never echoed).
pub(crate) fn path_id(id: &str) -> Result<&str, Problem> {
    if id.is_empty() || id.len() > MAX_ID || id.chars().any(|c| c.is_control()) {
        return Err(Problem::not_found("err-not-found-id"));
    }
    Ok(id)
}

/// Longest accepted item id.
pub const MAX_ID_CHARS: usize = 128;

/// Checks an item id from a path: at most [`MAX_ID_CHARS`] characters, no
/// control characters.
pub(crate) fn checked_item_id(id: &str) -> Result<&str, Problem> {
    if id.chars().count() > MAX_ID_CHARS {
        return Err(Problem::invalid_parameter(
            "id",
            Text::new("err-too-long").arg("max", MAX_ID_CHARS),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(Problem::invalid_parameter("id", "err-control-characters"));
    }
    Ok(id)
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
        // Empty text is absent; an empty number or boolean is an error.
        let p = Params::parse(Some("q=&page=&on="), &["q", "page", "on"]).unwrap();
        assert_eq!(p.text("q"), None);
        assert!(p.integer("page", 1, 1, 10).is_err());
        assert!(p.boolean("on").is_err());
        let long = "a".repeat(MAX_VALUE_CHARS + 1);
        assert!(Params::parse(Some(&format!("q={long}")), &["q"]).is_err());
    }

    #[test]
    fn coordinates_are_range_checked() {
        let p = Params::parse(Some("lat=23.1&lng=200&x=nan"), &["lat", "lng", "x"]).unwrap();
        assert_eq!(p.latitude("lat").unwrap(), Some(23.1));
        let e = p.longitude("lng").unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("lng"));
        assert!(p.latitude("x").is_err(), "NaN is not a coordinate");
        assert_eq!(p.latitude("absent").unwrap(), None);
    }
}
