//! # yuesou-messages — the texts people read
//!
//! Domain crates never write a sentence a person reads: they return a
//! [`Text`] — a message id and its arguments — and the daemon renders it in
//! the reader's language from message files (Project Fluent `.ftl`) in
//! zh-CN (the default), zh-HK (繁體) and en.
//!
//! ```
//! use yuesou_messages::Text;
//!
//! let text = Text::new("err-too-long").arg("max", 50);
//! assert_eq!(text.id(), "err-too-long");
//! assert_eq!(text.to_string(), "err-too-long(max=50)");
//! ```
//!
//! With the `catalogue` feature, [`catalogue::Messages`] loads the files and
//! renders texts (see its docs).

#![warn(missing_docs)]

#[cfg(feature = "catalogue")]
pub mod catalogue;

use std::borrow::Cow;

/// A value given to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text (a name, a label, a date …).
    Str(String),
    /// A whole number (a count, a limit …): the language's plural rules
    /// apply to it.
    Int(i64),
    /// Another message, rendered in the same language first (a status
    /// label inside a sentence).
    Text(Box<Text>),
}

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Str(s) => f.write_str(s),
            Arg::Int(n) => write!(f, "{n}"),
            Arg::Text(t) => write!(f, "{t}"),
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Arg {
        Arg::Text(Box::new(t))
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_arg!(i32, i64, u8, u16, u32, u64, usize);

/// A text to show a person: a message id (`err-too-long`) and the values of
/// its variables. `Display` prints the id and arguments, for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    id: Cow<'static, str>,
    args: Vec<(Cow<'static, str>, Arg)>,
}

impl Text {
    /// The message `id` without arguments.
    pub fn new(id: impl Into<Cow<'static, str>>) -> Text {
        Text {
            id: id.into(),
            args: Vec::new(),
        }
    }

    /// This text with the variable `name` set to `value`.
    pub fn arg(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Arg>) -> Text {
        self.args.push((name.into(), value.into()));
        self
    }

    /// The message id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The arguments, in the order they were set.
    pub fn args(&self) -> &[(Cow<'static, str>, Arg)] {
        &self.args
    }

    /// The value of the variable `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

#[cfg(feature = "json")]
impl Text {
    /// This text as JSON: `{"id": "...", "args": {"name": value}}`, a value
    /// being a string, a number or a nested text.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    fn to_value(&self) -> serde_json::Value {
        let args: serde_json::Map<String, serde_json::Value> = self
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Str(s) => serde_json::Value::from(s.as_str()),
                    Arg::Int(n) => serde_json::Value::from(*n),
                    Arg::Text(t) => t.to_value(),
                };
                (name.to_string(), value)
            })
            .collect();
        serde_json::json!({"id": self.id, "args": args})
    }

    /// A text from [`Text::to_json`]'s form; `None` when it is not one.
    pub fn from_json(json: &str) -> Option<Text> {
        Text::from_value(&serde_json::from_str(json).ok()?)
    }

    fn from_value(value: &serde_json::Value) -> Option<Text> {
        let mut text = Text::new(value.get("id")?.as_str()?.to_owned());
        for (name, value) in value.get("args")?.as_object()? {
            let arg = match value {
                serde_json::Value::String(s) => Arg::Str(s.clone()),
                serde_json::Value::Number(n) => Arg::Int(n.as_i64()?),
                other => Arg::Text(Box::new(Text::from_value(other)?)),
            };
            text.args.push((Cow::Owned(name.clone()), arg));
        }
        Some(text)
    }
}

impl From<&'static str> for Text {
    fn from(id: &'static str) -> Text {
        Text::new(id)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)?;
        if !self.args.is_empty() {
            f.write_str("(")?;
            for (i, (name, value)) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{name}={value}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_keeps_its_arguments_in_order() {
        let text = Text::new("x").arg("b", "β").arg("a", 3usize);
        assert_eq!(text.get("a"), Some(&Arg::Int(3)));
        assert_eq!(text.get("c"), None);
        assert_eq!(text.to_string(), "x(b=β, a=3)");
        assert_eq!(Text::from("y").to_string(), "y");
    }

    #[cfg(feature = "json")]
    #[test]
    fn a_text_survives_json() {
        let text = Text::new("x")
            .arg("n", 3)
            .arg("s", "甲")
            .arg("t", Text::new("status-draft"));
        assert_eq!(Text::from_json(&text.to_json()), Some(text));
        assert_eq!(Text::from_json("not json"), None);
    }
}
