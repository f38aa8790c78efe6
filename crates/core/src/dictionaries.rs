//! The dictionary files under `dictionaries/`: jieba user dictionary, stop
//! words, banned words, thesaurus, word readings, shape confusions, hot
//! queries, aspect words, English names, query frames and the words
//! feedback may not contain — eleven files ([`files::ALL`]), one parser per
//! file, each documenting its file's format.
//!
//! All files share one line format: UTF-8, `#` starts a comment line, blank
//! lines are ignored, fields are separated by a tab (the user dictionary by
//! spaces, as jieba expects). Every entry is normalised with the same
//! [`Normalizer`] as queries, so a dictionary may be written in traditional
//! characters or full-width forms. A malformed line is reported with its
//! file and line number; loading never skips it silently.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result, RowError};
use crate::frames::FrameLexicon;
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
    /// Query frames (`kind<TAB>word<TAB>value`): relation words, move and
    /// 给 words, numerals, age, points and money units.
    pub const FRAMES: &str = "frames.tsv";
    /// Profanity and insults refused in feedback (留言) on top of
    /// [`BANNED`]: variant spellings and pinyin included, one a line.
    pub const FEEDBACK_BANNED: &str = "feedback_banned_words.txt";
    /// Every file, in load order (used for fingerprints).
    pub const ALL: [&str; 11] = [
        USER_DICT,
        STOPWORDS,
        BANNED,
        THESAURUS,
        READINGS,
        SHAPES,
        HOT_QUERIES,
        ASPECTS,
        ENGLISH,
        FRAMES,
        FEEDBACK_BANNED,
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
    /// Query frames: who a request is for (relations, ages, points).
    pub frames: FrameLexicon,
    /// Words refused in feedback besides [`Dictionaries::banned`]:
    /// profanity and insults (脏话) with variant spellings and pinyin.
    /// Words that also name services (垃圾分类, 危险废物, 智障人士) are
    /// kept out of the file so complaints about staff stay possible.
    pub feedback_banned: Vec<String>,
}

impl Dictionaries {
    /// Loads every dictionary file from `dir`. Missing optional files (all but
    /// the user dictionary and stop words) load as empty. Every malformed
    /// line of every file is reported together, as [`Error::InvalidRows`].
    pub fn load(dir: &Path, normalizer: &Normalizer) -> Result<Self> {
        let mut loader = Loader {
            dir,
            normalizer,
            errors: Vec::new(),
        };
        // Fields are read in the order written: the files' load order.
        let dicts = Dictionaries {
            user_words: loader.user_words()?,
            stopwords: loader.word_list(files::STOPWORDS, true)?,
            banned: loader.word_list(files::BANNED, false)?,
            thesaurus: loader.thesaurus()?,
            readings: loader.readings()?,
            shapes: loader.shapes()?,
            hot_queries: loader.hot_queries()?,
            aspects: loader.word_list(files::ASPECTS, false)?,
            english: loader.english()?,
            frames: loader.frames()?,
            feedback_banned: loader.word_list(files::FEEDBACK_BANNED, false)?,
        };
        if loader.errors.is_empty() {
            Ok(dicts)
        } else {
            Err(Error::InvalidRows(loader.errors))
        }
    }
}

/// Reads the dictionary files of one directory, one parser per file,
/// collecting every malformed line.
struct Loader<'a> {
    dir: &'a Path,
    normalizer: &'a Normalizer,
    errors: Vec<RowError>,
}

impl Loader<'_> {
    /// The content lines of file `name` (see [`lines`]).
    fn lines(&mut self, name: &str, required: bool) -> Result<Vec<(usize, String)>> {
        lines(&self.dir.join(name), required, &mut self.errors)
    }

    /// Reports line `line` of file `name` as malformed.
    fn reject(&mut self, name: &str, line: usize, reason: &str) {
        self.errors.push(row(self.dir, name, line, reason));
    }

    fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// `user_dict.txt` (required): jieba's user dictionary, one word a line
    /// as `word freq [tag]` separated by spaces — an integer frequency
    /// (higher wins segmentation) and an optional part-of-speech tag.
    fn user_words(&mut self) -> Result<Vec<UserWord>> {
        let mut words = Vec::new();
        for (line, fields) in self.lines(files::USER_DICT, true)? {
            let parts: Vec<&str> = fields.split_whitespace().collect();
            let freq = parts.get(1).map(|f| f.parse::<usize>());
            match (parts.first(), freq) {
                (Some(word), Some(Ok(freq))) if parts.len() <= 3 => words.push(UserWord {
                    word: self.normalize(word),
                    freq,
                    tag: parts.get(2).map(|t| t.to_string()),
                }),
                _ => self.reject(
                    files::USER_DICT,
                    line,
                    "expected `word freq [tag]` with an integer frequency",
                ),
            }
        }
        Ok(words)
    }

    /// `stopwords.txt` (required), `banned_words.txt`, `aspects.txt`: one
    /// word or phrase a line, taken whole.
    fn word_list(&mut self, name: &str, required: bool) -> Result<Vec<String>> {
        let lines = self.lines(name, required)?;
        Ok(lines.iter().map(|(_, text)| self.normalize(text)).collect())
    }

    /// `frames.tsv`: `kind<TAB>word<TAB>value` (see [`FrameLexicon::parse`]
    /// and the file's header); words are normalised like queries.
    fn frames(&mut self) -> Result<FrameLexicon> {
        let lines: Vec<(usize, String)> = self
            .lines(files::FRAMES, false)?
            .into_iter()
            .map(|(line, text)| {
                let fields: Vec<String> = text
                    .split('\t')
                    .enumerate()
                    .map(|(i, f)| {
                        if i == 1 {
                            self.normalize(f)
                        } else {
                            f.trim().to_string()
                        }
                    })
                    .collect();
                (line, fields.join("\t"))
            })
            .collect();
        match FrameLexicon::parse(&lines) {
            Ok(lexicon) => Ok(lexicon),
            Err(errors) => {
                for (line, reason) in errors {
                    self.reject(files::FRAMES, line, &reason);
                }
                Ok(FrameLexicon::default())
            }
        }
    }

    /// `thesaurus.tsv`: `colloquial<TAB>official`, one mapping a line; a
    /// colloquial term may map to several official ones (one line each,
    /// duplicates dropped), never to itself.
    fn thesaurus(&mut self) -> Result<BTreeMap<String, Vec<String>>> {
        let mut thesaurus: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (line, text) in self.lines(files::THESAURUS, false)? {
            match pair(&text) {
                Some((from, to)) if self.normalize(from) != self.normalize(to) => {
                    let targets = thesaurus.entry(self.normalize(from)).or_default();
                    let to = self.normalize(to);
                    if !targets.contains(&to) {
                        targets.push(to);
                    }
                }
                Some(_) => self.reject(files::THESAURUS, line, "maps a term to itself"),
                None => self.reject(files::THESAURUS, line, "expected `colloquial<TAB>official`"),
            }
        }
        Ok(thesaurus)
    }

    /// `word_readings.tsv`: `word<TAB>syllables`, the syllables separated by
    /// spaces, one lowercase toneless syllable per character (银行 → `yin
    /// hang`); a later line for the same word wins.
    fn readings(&mut self) -> Result<BTreeMap<String, Vec<String>>> {
        let mut readings = BTreeMap::new();
        for (line, text) in self.lines(files::READINGS, false)? {
            match pair(&text).and_then(|(word, reading)| self.reading(word, reading)) {
                Some((word, syllables)) => {
                    readings.insert(word, syllables);
                }
                None => self.reject(
                    files::READINGS,
                    line,
                    "expected `word<TAB>syllables` with one lowercase syllable per character",
                ),
            }
        }
        Ok(readings)
    }

    /// One line of `word_readings.tsv`, if valid.
    fn reading(&self, word: &str, reading: &str) -> Option<(String, Vec<String>)> {
        let word = self.normalize(word);
        let syllables: Vec<String> = reading
            .split_whitespace()
            .map(|s| s.to_ascii_lowercase())
            .collect();
        let valid = syllables.len() == word.chars().count()
            && syllables
                .iter()
                .all(|s| s.bytes().all(|b| b.is_ascii_lowercase()));
        valid.then_some((word, syllables))
    }

    /// `similar_shapes.tsv`: `wrong<TAB>right` of equal length in
    /// characters — a look-alike typo (形近字) and what was meant, single
    /// characters or words.
    fn shapes(&mut self) -> Result<BTreeMap<String, String>> {
        let mut shapes = BTreeMap::new();
        for (line, text) in self.lines(files::SHAPES, false)? {
            match pair(&text) {
                Some((wrong, right)) if wrong.chars().count() == right.chars().count() => {
                    shapes.insert(self.normalize(wrong), self.normalize(right));
                }
                _ => self.reject(
                    files::SHAPES,
                    line,
                    "expected `wrong<TAB>right` of equal length",
                ),
            }
        }
        Ok(shapes)
    }

    /// `hot_queries.tsv`: `query<TAB>count`, the count an unsigned integer,
    /// in the file's order.
    fn hot_queries(&mut self) -> Result<Vec<(String, u64)>> {
        let mut hot = Vec::new();
        for (line, text) in self.lines(files::HOT_QUERIES, false)? {
            match pair(&text).map(|(q, c)| (q, c.trim().parse::<u64>())) {
                Some((query, Ok(count))) => hot.push((self.normalize(query), count)),
                _ => self.reject(files::HOT_QUERIES, line, "expected `query<TAB>count`"),
            }
        }
        Ok(hot)
    }

    /// `english.tsv`: `english words<TAB>中文` — an English name of a
    /// service or word (letters, spaces, `'` and `-`; case and spacing
    /// normalised) and its Chinese without spaces, or `-` for English
    /// filler to drop (how, my, the).
    fn english(&mut self) -> Result<BTreeMap<String, String>> {
        let mut english = BTreeMap::new();
        for (line, text) in self.lines(files::ENGLISH, false)? {
            match pair(&text).and_then(|(words, chinese)| self.english_name(words, chinese)) {
                Some((words, chinese)) => {
                    english.insert(words, chinese);
                }
                None => self.reject(
                    files::ENGLISH,
                    line,
                    "expected `english words<TAB>中文` (or `-` to drop the words)",
                ),
            }
        }
        Ok(english)
    }

    /// One line of `english.tsv`, if valid: (English, Chinese or empty).
    fn english_name(&self, english: &str, chinese: &str) -> Option<(String, String)> {
        let english = self.normalize(english);
        let english = english.split_whitespace().collect::<Vec<_>>().join(" ");
        let latin = english
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b' ' || b == b'\'' || b == b'-');
        let chinese = if chinese == "-" {
            String::new()
        } else {
            self.normalize(chinese)
        };
        (latin && !english.is_empty() && !chinese.contains(char::is_whitespace))
            .then_some((english, chinese))
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
    fn the_other_files_parse_in_their_own_formats() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), files::USER_DICT, "公积金 50000\n");
        write(dir.path(), files::STOPWORDS, "的\n");
        write(dir.path(), files::BANNED, "# none yet\n赌博\n");
        write(dir.path(), files::SHAPES, "眀\t明\n证眀\t证明\n");
        write(dir.path(), files::HOT_QUERIES, "社保查询\t120\n");
        write(dir.path(), files::ASPECTS, "材料\n");
        write(
            dir.path(),
            files::ENGLISH,
            "Renew  Passport\t换发护照\nthe\t-\n",
        );
        let d = Dictionaries::load(dir.path(), &Normalizer::new()).unwrap();
        assert_eq!(d.banned, vec!["赌博"]);
        assert_eq!(d.shapes["证眀"], "证明");
        assert_eq!(d.hot_queries, vec![("社保查询".to_string(), 120)]);
        assert_eq!(d.aspects, vec!["材料"]);
        assert_eq!(d.english["renew passport"], "换发护照");
        assert_eq!(d.english["the"], "");

        write(dir.path(), files::SHAPES, "眀\t明白\n");
        write(dir.path(), files::HOT_QUERIES, "社保查询\tmany\n");
        write(dir.path(), files::ENGLISH, "护照\tpassport\n");
        let err = Dictionaries::load(dir.path(), &Normalizer::new()).unwrap_err();
        let Error::InvalidRows(rows) = err else {
            panic!("expected row errors, got {err}");
        };
        let bad_files: Vec<String> = rows
            .iter()
            .map(|r| r.file.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            bad_files,
            [files::SHAPES, files::HOT_QUERIES, files::ENGLISH]
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
