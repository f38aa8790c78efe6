//! The message catalogue: Project Fluent files in `<dir>/zh-CN/`,
//! `<dir>/zh-HK/` and `<dir>/en/`, loaded and checked at once, rendering
//! [`Text`]s in the reader's [`Lang`].
//!
//! Loading refuses (naming the file and line) a syntax error, an id defined
//! twice, an id missing from one of the languages, and a translation that
//! uses a variable its zh-CN original does not have. Messages of files named
//! `web.ftl` are the web app's: they may hold text, variables and terms but
//! no selectors, and are also served as templates (`{$name}` where a
//! variable goes) for the app to fill in ([`Messages::web`]).
//!
//! ```
//! use yuesou_messages::Text;
//! use yuesou_messages::catalogue::{Lang, Messages};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! for (lang, text) in [
//!     ("zh-CN", "err-too-long = 最多 { $max } 个字"),
//!     ("zh-HK", "err-too-long = 最多 { $max } 個字"),
//!     ("en", "err-too-long = At most { $max } { $max ->\n    [one] character\n   *[other] characters\n}"),
//! ] {
//!     std::fs::create_dir(dir.path().join(lang))?;
//!     std::fs::write(dir.path().join(lang).join("errors.ftl"), text)?;
//! }
//! let messages = Messages::load(dir.path())?;
//! let text = Text::new("err-too-long").arg("max", 50);
//! assert_eq!(messages.render(Lang::ZhCn, &text), "最多 50 个字");
//! assert_eq!(messages.render(Lang::En, &text), "At most 50 characters");
//! assert_eq!(Lang::from_accept_language("zh-TW,zh;q=0.9,en;q=0.8"), Lang::ZhHk);
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use crate::{Arg, Text};

/// A language people read the platform in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Lang {
    /// 简体中文 — the default.
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// 繁體中文（香港）.
    #[serde(rename = "zh-HK")]
    ZhHk,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::ZhHk, Lang::En];

    /// Its tag (`zh-CN`, `zh-HK`, `en`): the folder of its files.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhHk => "zh-HK",
            Lang::En => "en",
        }
    }

    /// The language of a tag as people's settings write it: `zh-HK`,
    /// `zh-TW`, `zh-MO`, `zh-Hant…` read Traditional; other `zh…` Simplified;
    /// `en…` English. `None` for anything else.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        if tag == "zh" || tag.starts_with("zh-") {
            let traditional = ["hk", "mo", "tw", "hant"]
                .iter()
                .any(|t| tag.split('-').skip(1).any(|part| part == *t));
            Some(if traditional { Lang::ZhHk } else { Lang::ZhCn })
        } else if tag == "en" || tag.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The best language for an `Accept-Language` header (by `q`, then
    /// order), zh-CN when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut ranges: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .iter()
            .find_map(|(_, _, tag)| Lang::from_tag(tag))
            .unwrap_or(Lang::ZhCn)
    }
}

/// Why the message files could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("message files: {}", problems.join("; "))]
pub struct LoadError {
    /// Every problem found, as `file:line: reason`.
    pub problems: Vec<String>,
}

/// One language's bundle and what the checks need of its files.
struct Language {
    bundle: FluentBundle<FluentResource>,
    /// Message id → the variables it uses.
    variables: BTreeMap<String, BTreeSet<String>>,
    /// Ids of the web app's messages.
    web_ids: BTreeSet<String>,
}

/// The loaded catalogue. Immutable; a reload builds a new one.
pub struct Messages {
    languages: Vec<Language>,
    web: Vec<BTreeMap<String, String>>,
    dir: PathBuf,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("dir", &self.dir)
            .field("ids", &self.ids().len())
            .finish()
    }
}

impl Messages {
    /// Loads every `*.ftl` file of the three languages under `dir`.
    pub fn load(dir: &Path) -> Result<Messages, LoadError> {
        let mut problems = Vec::new();
        let mut languages = Vec::new();
        for lang in Lang::ALL {
            languages.push(load_language(&dir.join(lang.tag()), lang, &mut problems));
        }
        check_same_ids(&languages, &mut problems);
        check_variables(&languages, &mut problems);
        if !problems.is_empty() {
            return Err(LoadError { problems });
        }
        let web = languages.iter().map(web_templates).collect();
        Ok(Messages {
            languages,
            web,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder the files came from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every message id (the same in every language).
    pub fn ids(&self) -> BTreeSet<&str> {
        self.languages[0]
            .variables
            .keys()
            .map(String::as_str)
            .collect()
    }

    /// Whether the catalogue has a message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.languages[0].variables.contains_key(id)
    }

    /// The variables the zh-CN message `id` uses.
    pub fn variables(&self, id: &str) -> Option<&BTreeSet<String>> {
        self.languages[0].variables.get(id)
    }

    /// `text` in `lang`. A message missing in `lang` falls back to zh-CN; a
    /// message missing altogether renders as its id (a bug the catalogue
    /// tests catch).
    pub fn render(&self, lang: Lang, text: &Text) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in text.args() {
            let value = match value {
                Arg::Str(s) => FluentValue::from(s.clone()),
                Arg::Int(n) => FluentValue::from(*n),
                Arg::Text(t) => FluentValue::from(self.render(lang, t)),
            };
            args.set(name.clone(), value);
        }
        for language in [&self.languages[index(lang)], &self.languages[0]] {
            if let Some(pattern) = language
                .bundle
                .get_message(text.id())
                .and_then(|m| m.value())
            {
                let mut errors = Vec::new();
                return language
                    .bundle
                    .format_pattern(pattern, Some(&args), &mut errors)
                    .into_owned();
            }
        }
        text.id().to_owned()
    }

    /// The web app's messages in `lang`: id → template, `{$name}` where a
    /// variable goes.
    pub fn web(&self, lang: Lang) -> &BTreeMap<String, String> {
        &self.web[index(lang)]
    }
}

fn index(lang: Lang) -> usize {
    match lang {
        Lang::ZhCn => 0,
        Lang::ZhHk => 1,
        Lang::En => 2,
    }
}

fn load_language(dir: &Path, lang: Lang, problems: &mut Vec<String>) -> Language {
    let mut bundle = FluentBundle::new_concurrent(vec![
        lang.tag()
            .parse()
            .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default()),
    ]);
    bundle.set_use_isolating(false);
    let mut language = Language {
        bundle,
        variables: BTreeMap::new(),
        web_ids: BTreeSet::new(),
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect(),
        Err(e) => {
            problems.push(format!("{}: {e}", dir.display()));
            return language;
        }
    };
    files.sort();
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let web = file.file_name().is_some_and(|n| n == "web.ftl");
        add_file(&mut language, &file, text, web, problems);
    }
    language
}

fn add_file(
    language: &mut Language,
    file: &Path,
    text: String,
    web: bool,
    problems: &mut Vec<String>,
) {
    let line_of = |text: &str, at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let resource = match FluentResource::try_new(text) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            for e in errors {
                problems.push(format!(
                    "{}:{}: {e}",
                    file.display(),
                    line_of(resource.source(), e.pos.start)
                ));
            }
            return;
        }
    };
    for entry in resource.entries() {
        if let ast::Entry::Message(message) = entry {
            let id = message.id.name.to_owned();
            let mut found = BTreeSet::new();
            let mut selects = false;
            if let Some(pattern) = &message.value {
                pattern_variables(pattern, &mut found, &mut selects);
            } else {
                problems.push(format!("{}: {id}: a message needs a value", file.display()));
            }
            if web && selects {
                problems.push(format!(
                    "{}: {id}: web messages cannot select (no plural or select expressions)",
                    file.display()
                ));
            }
            if web {
                language.web_ids.insert(id.clone());
            }
            language.variables.insert(id, found);
        }
    }
    if let Err(errors) = language.bundle.add_resource(resource) {
        for e in errors {
            problems.push(format!("{}: {e}", file.display()));
        }
    }
}

/// The variables a pattern uses (selector and variant patterns included),
/// and whether it selects.
fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>, selects: &mut bool) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out, selects);
        }
    }
}

fn expression_variables(
    expression: &ast::Expression<&str>,
    out: &mut BTreeSet<String>,
    selects: &mut bool,
) {
    match expression {
        ast::Expression::Inline(inline) => inline_variables(inline, out, selects),
        ast::Expression::Select { selector, variants } => {
            *selects = true;
            inline_variables(selector, out, selects);
            for variant in variants {
                pattern_variables(&variant.value, out, selects);
            }
        }
    }
}

fn inline_variables(
    inline: &ast::InlineExpression<&str>,
    out: &mut BTreeSet<String>,
    selects: &mut bool,
) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => {
            expression_variables(expression, out, selects);
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, out, selects);
            }
        }
        _ => {}
    }
}

fn check_same_ids(languages: &[Language], problems: &mut Vec<String>) {
    let all: BTreeSet<&String> = languages.iter().flat_map(|l| l.variables.keys()).collect();
    for (lang, language) in Lang::ALL.iter().zip(languages) {
        let missing: Vec<&str> = all
            .iter()
            .filter(|id| !language.variables.contains_key(id.as_str()))
            .map(|id| id.as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(format!("{}: missing {}", lang.tag(), missing.join(", ")));
        }
        let web_missing: Vec<&str> = languages[0]
            .web_ids
            .iter()
            .filter(|id| !language.web_ids.contains(id.as_str()))
            .map(String::as_str)
            .collect();
        if !web_missing.is_empty() {
            problems.push(format!(
                "{}/web.ftl: missing {}",
                lang.tag(),
                web_missing.join(", ")
            ));
        }
    }
}

fn check_variables(languages: &[Language], problems: &mut Vec<String>) {
    let original = &languages[0].variables;
    for (lang, language) in Lang::ALL.iter().zip(languages).skip(1) {
        for (id, variables) in &language.variables {
            let Some(known) = original.get(id) else {
                continue;
            };
            let extra: Vec<&str> = variables.difference(known).map(String::as_str).collect();
            if !extra.is_empty() {
                problems.push(format!(
                    "{}: {id}: uses {} which the zh-CN message does not give",
                    lang.tag(),
                    extra.join(", ")
                ));
            }
        }
    }
}

/// The web app's messages as templates: each variable rendered as
/// `{$name}`.
fn web_templates(language: &Language) -> BTreeMap<String, String> {
    language
        .web_ids
        .iter()
        .filter_map(|id| {
            let pattern = language.bundle.get_message(id)?.value()?;
            let mut args = FluentArgs::new();
            for name in language.variables.get(id).into_iter().flatten() {
                args.set(name.clone(), format!("{{${name}}}"));
            }
            let mut errors = Vec::new();
            let text = language
                .bundle
                .format_pattern(pattern, Some(&args), &mut errors);
            Some((id.clone(), text.into_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, lang: &str, file: &str, text: &str) {
        std::fs::create_dir_all(dir.join(lang)).unwrap();
        std::fs::write(dir.join(lang).join(file), text).unwrap();
    }

    fn three(dir: &Path, file: &str, zh: &str, hk: &str, en: &str) {
        write(dir, "zh-CN", file, zh);
        write(dir, "zh-HK", file, hk);
        write(dir, "en", file, en);
    }

    #[test]
    fn languages_are_read_from_accept_language() {
        for (header, lang) in [
            ("", Lang::ZhCn),
            ("zh-CN,zh;q=0.9", Lang::ZhCn),
            ("zh-HK", Lang::ZhHk),
            ("zh-Hant-TW", Lang::ZhHk),
            ("en-GB,en;q=0.9", Lang::En),
            ("fr-FR,en;q=0.5,zh;q=0.8", Lang::ZhCn),
            ("fr-FR, en;q=0.5", Lang::En),
            ("de", Lang::ZhCn),
            ("zh-MO;q=0.2, en;q=0.1", Lang::ZhHk),
            ("en;q=0, zh-TW", Lang::ZhHk),
        ] {
            assert_eq!(Lang::from_accept_language(header), lang, "{header}");
        }
    }

    #[test]
    fn texts_render_in_each_language_without_isolation_marks() {
        let dir = tempfile::tempdir().unwrap();
        three(
            dir.path(),
            "a.ftl",
            "hello = 你好，{ $name }",
            "hello = 你好，{ $name }",
            "hello = Hello, { $name }",
        );
        let m = Messages::load(dir.path()).unwrap();
        let t = Text::new("hello").arg("name", "陈嘉明");
        assert_eq!(m.render(Lang::ZhCn, &t), "你好，陈嘉明");
        assert_eq!(m.render(Lang::En, &t), "Hello, 陈嘉明");
        assert_eq!(m.render(Lang::En, &Text::new("nope")), "nope");
        assert!(m.has("hello") && !m.has("nope"));
    }

    #[test]
    fn missing_ids_extra_variables_and_syntax_errors_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        three(
            dir.path(),
            "a.ftl",
            "a = 一\nb = 二 { $n }",
            "a = 一",
            "a = one\nb = two { $n } { $m }",
        );
        let problems = Messages::load(dir.path()).unwrap_err().problems;
        assert!(
            problems.iter().any(|p| p.contains("zh-HK: missing b")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("en: b: uses m")),
            "{problems:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        three(
            dir.path(),
            "a.ftl",
            "a = 一\nb = { $",
            "a = 一\nb = 二",
            "a = 1\nb = 2",
        );
        let problems = Messages::load(dir.path()).unwrap_err().problems;
        assert!(
            problems.iter().any(|p| p.contains("a.ftl:2")),
            "{problems:?}"
        );
    }

    #[test]
    fn web_messages_are_templates_and_cannot_select() {
        let dir = tempfile::tempdir().unwrap();
        three(
            dir.path(),
            "web.ftl",
            "-brand = 粤搜\nweb-title = { -brand } · { $page }",
            "-brand = 粵搜\nweb-title = { -brand } · { $page }",
            "-brand = Yuesou\nweb-title = { -brand } · { $page }",
        );
        let m = Messages::load(dir.path()).unwrap();
        assert_eq!(m.web(Lang::ZhHk)["web-title"], "粵搜 · {$page}");
        assert_eq!(m.web(Lang::En)["web-title"], "Yuesou · {$page}");
        let dir = tempfile::tempdir().unwrap();
        three(
            dir.path(),
            "web.ftl",
            "web-n = { $n -> \n *[other] 个\n}",
            "web-n = 個",
            "web-n = n",
        );
        let problems = Messages::load(dir.path()).unwrap_err().problems;
        assert!(
            problems.iter().any(|p| p.contains("cannot select")),
            "{problems:?}"
        );
    }
}
