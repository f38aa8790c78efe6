//! The dictionary files under `dictionaries/`: jieba user dictionary, stop
//! words, banned words, thesaurus, word readings, shape confusions and hot
//! queries.
//!
//! All files share one line format: UTF-8, `#` starts a comment line, blank
//! lines are ignored, fields are separated by a tab (the user dictionary by
//! spaces, as jieba expects). Every entry is normalised with the same
//! [`Normalizer`](crate::Normalizer) as queries, so a dictionary may be written
//! in traditional characters or full-width forms. A malformed line is reported
//! with its file and line number; loading never skips it silently.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result, RowError};
use crate::normalize::Normalizer;

/// File names inside a dictionaries directory.
pub mod files {
    /// jieba user dictionary (`word freq [tag]`).
    pub const USER_DICT: &str = "user_dict.txt";
    /// Stop words (one per line).
    pub const STOPWORDS: &str = "stopwords.txt";
    /// Banned words (one per line).
    pub const BANNED: &str = "banned_words.txt";
    /// Thesaurus (`colloquial<TAB>official`).
    pub const THESAURUS: &str = "thesaurus.tsv";
    /// Word-level pinyin readings (`word<TAB>syllables`).
    pub const READINGS: &str = "word_readings.tsv";
    /// Shape confusions (`wrong<TAB>right`).
    pub const SHAPES: &str = "similar_shapes.tsv";
    /// Hot queries (`query<TAB>count`).
    pub const HOT_QUERIES: &str = "hot_queries.tsv";
    /// Aspect words (one per line): 材料, 流程, 多久 …
    pub const ASPECTS: &str = "aspects.txt";
    /// English names of services and words (`english<TAB>中文`, `-` for
    /// English filler to drop).
    pub const ENGLISH: &str = "english.tsv";
    /// Every file, in load order (used for fingerprints).
    pub const ALL: [&str; 9] = [
        USER_DICT,
        STOPWORDS,
        BANNED,
        THESAURUS,
        READINGS,
        SHAPES,
        HOT_QUERIES,
        ASPECTS,
        ENGLISH,
    ];
}

/// One entry of the jieba user dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWord {
    /// The word.
    pub word: String,
    /// Its frequency (higher wins segmentation).
    pub freq: usize,
    /// Optional part-of-speech tag.
    pub tag: Option<String>,
}

/// All dictionaries, parsed and normalised.
#[derive(Debug, Clone, Default)]
pub struct Dictionaries {
    /// jieba user dictionary.
    pub user_words: Vec<UserWord>,
    /// Stop words: query filler removed before retrieval.
    pub stopwords: Vec<String>,
    /// Banned words: a query containing one is blocked.
    pub banned: Vec<String>,
    /// Thesaurus: colloquial term → official terms.
    pub thesaurus: BTreeMap<String, Vec<String>>,
    /// Word-level pinyin readings for heteronyms (多音字).
    pub readings: BTreeMap<String, Vec<String>>,
    /// Similar-shape confusions (形近字): wrong form → intended form.
    pub shapes: BTreeMap<String, String>,
    /// Hot queries (热搜) with their counts.
    pub hot_queries: Vec<(String, u64)>,
    /// Aspect words: they ask about a facet of any service (材料, 多久) and
    /// weigh little in ranking.
    pub aspects: Vec<String>,
    /// English words and phrases (lower case, single spaces) → their
    /// Chinese; an empty value marks English filler (how, my, the).
    pub english: BTreeMap<String, String>,
}

impl Dictionaries {
    /// Loads every dictionary file from `dir`. Missing optional files (all but
    /// the user dictionary and stop words) load as empty.
    pub fn load(dir: &Path, normalizer: &Normalizer) -> Result<Self> {
        let mut errors = Vec::new();
        let mut dicts = Dictionaries::default();

        for (line, fields) in lines(&dir.join(files::USER_DICT), true, &mut errors)? {
            let parts: Vec<&str> = fields.split_whitespace().collect();
            let freq = parts.get(1).map(|f| f.parse::<usize>());
            match (parts.first(), freq) {
                (Some(word), Some(Ok(freq))) if parts.len() <= 3 => {
                    dicts.user_words.push(UserWord {
                        word: normalizer.normalize(word),
                        freq,
                        tag: parts.get(2).map(|t| t.to_string()),
                    })
                }
                _ => errors.push(row(
                    dir,
                    files::USER_DICT,
                    line,
                    "expected `word freq [tag]` with an integer frequency",
                )),
            }
        }
        for (_, text) in lines(&dir.join(files::STOPWORDS), true, &mut errors)? {
            dicts.stopwords.push(normalizer.normalize(&text));
        }
        for (_, text) in lines(&dir.join(files::BANNED), false, &mut errors)? {
            dicts.banned.push(normalizer.normalize(&text));
        }
        for (line, text) in lines(&dir.join(files::THESAURUS), false, &mut errors)? {
            match pair(&text) {
                Some((from, to)) if normalizer.normalize(from) != normalizer.normalize(to) => {
                    let targets = dicts
                        .thesaurus
                        .entry(normalizer.normalize(from))
                        .or_default();
                    let to = normalizer.normalize(to);
                    if !targets.contains(&to) {
                        targets.push(to);
                    }
                }
                Some(_) => errors.push(row(dir, files::THESAURUS, line, "maps a term to itself")),
                None => errors.push(row(
                    dir,
                    files::THESAURUS,
                    line,
                    "expected `colloquial<TAB>official`",
                )),
            }
        }
        for (line, text) in lines(&dir.join(files::READINGS), false, &mut errors)? {
            let parsed = pair(&text).and_then(|(word, reading)| {
                let word = normalizer.normalize(word);
                let syllables: Vec<String> = reading
                    .split_whitespace()
                    .map(|s| s.to_ascii_lowercase())
                    .collect();
                let valid = syllables.len() == word.chars().count()
                    && syllables
                        .iter()
                        .all(|s| s.bytes().all(|b| b.is_ascii_lowercase()));
                valid.then_some((word, syllables))
            });
            match parsed {
                Some((word, syllables)) => {
                    dicts.readings.insert(word, syllables);
                }
                None => errors.push(row(
                    dir,
                    files::READINGS,
                    line,
                    "expected `word<TAB>syllables` with one lowercase syllable per character",
                )),
            }
        }
        for (line, text) in lines(&dir.join(files::SHAPES), false, &mut errors)? {
            match pair(&text) {
                Some((wrong, right)) if wrong.chars().count() == right.chars().count() => {
                    dicts
                        .shapes
                        .insert(normalizer.normalize(wrong), normalizer.normalize(right));
                }
                _ => errors.push(row(
                    dir,
                    files::SHAPES,
                    line,
                    "expected `wrong<TAB>right` of equal length",
                )),
            }
        }
        for (line, text) in lines(&dir.join(files::HOT_QUERIES), false, &mut errors)? {
            match pair(&text).map(|(q, c)| (q, c.trim().parse::<u64>())) {
                Some((query, Ok(count))) => {
                    dicts.hot_queries.push((normalizer.normalize(query), count))
                }
                _ => errors.push(row(
                    dir,
                    files::HOT_QUERIES,
                    line,
                    "expected `query<TAB>count`",
                )),
            }
        }

        for (_, text) in lines(&dir.join(files::ASPECTS), false, &mut errors)? {
            dicts.aspects.push(normalizer.normalize(&text));
        }
        for (line, text) in lines(&dir.join(files::ENGLISH), false, &mut errors)? {
            let parsed = pair(&text).and_then(|(english, chinese)| {
                let english = normalizer.normalize(english);
                let english = english.split_whitespace().collect::<Vec<_>>().join(" ");
                let latin = english
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b' ' || b == b'\'' || b == b'-');
                let chinese = if chinese == "-" {
                    String::new()
                } else {
                    normalizer.normalize(chinese)
                };
                (latin && !english.is_empty() && !chinese.contains(char::is_whitespace))
                    .then_some((english, chinese))
            });
            match parsed {
                Some((english, chinese)) => {
                    dicts.english.insert(english, chinese);
                }
                None => errors.push(row(
                    dir,
                    files::ENGLISH,
                    line,
                    "expected `english words<TAB>中文` (or `-` to drop the words)",
                )),
            }
        }

        if errors.is_empty() {
            Ok(dicts)
        } else {
            Err(Error::InvalidRows(errors))
        }
    }
}

fn row(dir: &Path, file: &str, line: usize, reason: &str) -> RowError {
    RowError {
        file: dir.join(file),
        line,
        reason: reason.to_string(),
    }
}

fn pair(text: &str) -> Option<(&str, &str)> {
    let (a, b) = text.split_once('\t')?;
    let (a, b) = (a.trim(), b.trim());
    (!a.is_empty() && !b.is_empty() && !b.contains('\t')).then_some((a, b))
}

/// The content lines of a dictionary file with their 1-based numbers. A
/// missing file is an error when `required`, empty otherwise. Lines with
/// invalid UTF-8 are reported in `errors`.
fn lines(path: &Path, required: bool, errors: &mut Vec<RowError>) -> Result<Vec<(usize, String)>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut out = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let Ok(text) = std::str::from_utf8(raw) else {
            errors.push(RowError {
                file: path.to_path_buf(),
                line: index + 1,
                reason: "not valid UTF-8".into(),
            });
            continue;
        };
        let text = text.trim_end_matches('\r');
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() || text.trim_start().starts_with('#') {
            continue;
        }
        out.push((index + 1, text.trim().to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn loads_and_normalises_entries() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            files::USER_DICT,
            "# words\n公积金 50000 n\n社會保障卡 40000\n",
        );
        write(dir.path(), files::STOPWORDS, "我想\n怎麼\n");
        write(
            dir.path(),
            files::THESAURUS,
            "车检\t机动车检验\n车检\t机动车检验\n驾照\t驾驶证\n",
        );
        write(dir.path(), files::READINGS, "银行\tyin hang\n");
        let d = Dictionaries::load(dir.path(), &Normalizer::new()).unwrap();
        assert_eq!(d.user_words[1].word, "社会保障卡");
        assert_eq!(d.user_words[1].tag, None);
        assert_eq!(d.stopwords, vec!["我想", "怎么"]);
        assert_eq!(d.thesaurus["车检"], vec!["机动车检验"]);
        assert_eq!(d.readings["银行"], vec!["yin", "hang"]);
        assert!(d.banned.is_empty());
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), files::USER_DICT, "公积金 many\n");
        write(dir.path(), files::STOPWORDS, "的\n");
        write(
            dir.path(),
            files::THESAURUS,
            "ok\tfine\nno tab here\n身份证\t身份证\n",
        );
        write(dir.path(), files::READINGS, "银行\tyin\n");
        let err = Dictionaries::load(dir.path(), &Normalizer::new()).unwrap_err();
        let Error::InvalidRows(rows) = err else {
            panic!("expected row errors, got {err}");
        };
        let found: Vec<(String, usize)> = rows
            .iter()
            .map(|r| {
                (
                    r.file.file_name().unwrap().to_string_lossy().into_owned(),
                    r.line,
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (files::USER_DICT.to_string(), 1),
                (files::THESAURUS.to_string(), 2),
                (files::THESAURUS.to_string(), 3),
                (files::READINGS.to_string(), 1),
            ]
        );
    }

    #[test]
    fn missing_required_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Dictionaries::load(dir.path(), &Normalizer::new()),
            Err(Error::Io { .. })
        ));
    }
}
