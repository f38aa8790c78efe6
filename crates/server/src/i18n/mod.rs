//! The reader's language and the message catalogue the daemon renders
//! [`Text`]s from.
//!
//! - [`ReaderLang`] — the language of a request: `Accept-Language` (the web
//!   app sends the reader's choice), zh-CN when it names nothing we have.
//! - [`MessageFiles`] — `data/messages/{zh-CN,zh-HK,en}/*.ftl`, loaded at
//!   start (a broken file stops the start) and re-read when a file changes
//!   (a broken edit keeps the last good catalogue and is logged).
//!
//! Handlers return texts as message ids; problems are rendered by the
//! middleware ([`crate::middleware`]), other texts by the handler with
//! [`AppState::say`].

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
pub use yuesou_messages::catalogue::{Lang, LoadError, Messages};
pub use yuesou_messages::{Arg, Text};

use crate::reload::data::DataFiles;

/// The language a request is answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLang(pub Lang);

impl ReaderLang {
    /// The language of a request's headers.
    pub fn of(headers: &axum::http::HeaderMap) -> ReaderLang {
        ReaderLang(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Lang::ZhCn, Lang::from_accept_language),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ReaderLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReaderLang::of(&parts.headers))
    }
}

/// The message files, re-read when they change (none: texts render as
/// their ids, for embedding without data).
#[derive(Debug)]
pub struct MessageFiles(Option<DataFiles<Messages, LoadError>>);

impl MessageFiles {
    /// No catalogue: texts render as their ids.
    pub fn none() -> MessageFiles {
        MessageFiles(None)
    }

    /// The catalogue in `dir`; an error names every broken file and line.
    pub fn load(dir: PathBuf) -> Result<MessageFiles, LoadError> {
        let folders = Lang::ALL.iter().map(|l| dir.join(l.tag())).collect();
        let files = DataFiles::load("message files", folders, move || Messages::load(&dir))?;
        Ok(MessageFiles(Some(files)))
    }

    /// The catalogue now (re-read first when a file changed).
    pub fn current(&self) -> Option<Arc<Messages>> {
        self.0.as_ref().map(DataFiles::current)
    }
}

/// Renders `text` in `lang` with `messages`, or as its id without them.
pub fn render(messages: Option<&Messages>, lang: Lang, text: &Text) -> String {
    match messages {
        Some(m) => m.render(lang, text),
        None => text.to_string(),
    }
}

/// Renders texts for one reader: the catalogue of the moment and the
/// reader's language.
pub(crate) struct Speaker {
    messages: Option<Arc<Messages>>,
    lang: Lang,
}

impl Speaker {
    /// A speaker of `messages` (if any) for a reader of `lang`.
    pub(crate) fn new(messages: Option<Arc<Messages>>, lang: Lang) -> Self {
        Speaker { messages, lang }
    }

    /// `text` in the reader's language.
    pub fn say(&self, text: &Text) -> String {
        render(self.messages.as_deref(), self.lang, text)
    }

    /// Stored words: a platform message rendered, written words as written.
    pub fn said(&self, said: &yuesou_centre::Said) -> String {
        match said {
            yuesou_centre::Said::Text(text) => self.say(text),
            yuesou_centre::Said::Written(words) => words.clone(),
        }
    }

    /// The message `id` when the catalogue has it, else `fallback` (a
    /// label from a data file, in zh-CN).
    pub fn name(&self, id: &str, fallback: &str) -> String {
        match &self.messages {
            Some(m) if m.has(id) => m.render(self.lang, &Text::new(id.to_owned())),
            _ => fallback.to_owned(),
        }
    }
}

/// A licence type's name in the reader's language (`licence-type-<code>`).
pub(crate) fn licence_type_id(code: &str) -> String {
    format!("licence-type-{}", code.replace('_', "-"))
}

/// A licence field's label in the reader's language
/// (`licence-field-<type>-<name>`: the same claim reads differently on
/// different licences — 姓名, 名称, 权利人 …).
pub(crate) fn licence_field_id(type_code: &str, name: &str) -> String {
    format!(
        "licence-field-{}-{}",
        type_code.replace('_', "-"),
        name.replace('_', "-")
    )
}

mod localize;
pub(crate) use localize::Localize;

#[cfg(test)]
mod tests;
