//! English names of services (`dictionaries/english.tsv`), for the foreign
//! residents of the Greater Bay Area: `passport` → 护照, `social security
//! card` → 社会保障卡, `housing fund` → 住房公积金.
//!
//! Runs right after normalisation: runs of Latin words are matched
//! longest-phrase-first, word by word, and replaced by their Chinese, so the
//! rest of the pipeline (segmentation, thesaurus, correction) sees Chinese.
//! English filler (`how`, `my`, `the`: entries whose Chinese is `-`) is
//! dropped, but only from a query in which some English name was found: on
//! its own, a Latin word may be pinyin (`can`, `hang`).
//!
//! ```
//! use std::collections::BTreeMap;
//! use yuesou_core::EnglishNames;
//!
//! let names = EnglishNames::new(&BTreeMap::from([
//!     ("passport".to_string(), "护照".to_string()),
//!     ("renew".to_string(), "换发".to_string()),
//!     ("my".to_string(), String::new()),
//! ]));
//! assert_eq!(names.translate("renew my passport").as_deref(), Some("换发 护照"));
//! assert_eq!(names.translate("shebao"), None);
//! ```

use std::collections::{BTreeMap, HashMap};

/// Longest English phrase looked up, in words.
const MAX_PHRASE_WORDS: usize = 5;

/// English words and phrases → Chinese.
#[derive(Debug, Clone, Default)]
pub struct EnglishNames {
    /// Lower-case phrase (single spaces) → Chinese; empty for filler.
    phrases: HashMap<String, String>,
}

impl EnglishNames {
    /// From the entries of `english.tsv` (see
    /// [`Dictionaries::english`](crate::Dictionaries::english)).
    pub fn new(entries: &BTreeMap<String, String>) -> Self {
        EnglishNames {
            phrases: entries
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// Whether no entry is loaded.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The query with its English names replaced by their Chinese (words
    /// separated by spaces), or `None` when it names none. `normalized` is a
    /// normalised query (lower case).
    pub fn translate(&self, normalized: &str) -> Option<String> {
        if self.phrases.is_empty() || !normalized.bytes().any(|b| b.is_ascii_lowercase()) {
            return None;
        }
        // Pieces of the query: Latin words and everything between them.
        let mut pieces: Vec<(bool, &str)> = Vec::new();
        let mut start = 0;
        let mut latin = false;
        for (at, ch) in normalized.char_indices() {
            let is_latin = ch.is_ascii_lowercase() || (latin && (ch == '\'' || ch == '-'));
            if at > start && is_latin != latin {
                pieces.push((latin, &normalized[start..at]));
                start = at;
            }
            latin = is_latin;
        }
        pieces.push((latin, &normalized[start..]));

        let words: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].0).collect();
        // (first piece, last piece, Chinese) of every phrase found.
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        let mut w = 0;
        while w < words.len() {
            let mut matched = None;
            for n in (1..=MAX_PHRASE_WORDS.min(words.len() - w)).rev() {
                let span = &words[w..w + n];
                // A phrase's words are separated by spaces only.
                let joined_by_spaces = span
                    .windows(2)
                    .all(|p| p[1] == p[0] + 2 && pieces[p[0] + 1].1.trim().is_empty());
                if !joined_by_spaces {
                    continue;
                }
                let phrase = span
                    .iter()
                    .map(|&i| pieces[i].1)
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(chinese) = self.phrases.get(&phrase) {
                    matched = Some((n, chinese.as_str()));
                    break;
                }
            }
            match matched {
                Some((n, chinese)) => {
                    found.push((words[w], words[w + n - 1], chinese));
                    w += n;
                }
                None => w += 1,
            }
        }
        if found.iter().all(|(_, _, chinese)| chinese.is_empty()) {
            return None;
        }
        let mut out = String::with_capacity(normalized.len());
        let mut i = 0;
        let mut next = found.iter().peekable();
        while i < pieces.len() {
            match next.peek() {
                Some(&&(first, last, chinese)) if first == i => {
                    out.push_str(chinese);
                    out.push(' ');
                    next.next();
                    i = last + 1;
                }
                _ => {
                    out.push_str(pieces[i].1);
                    i += 1;
                }
            }
        }
        let words: Vec<&str> = out.split_whitespace().collect();
        Some(words.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> EnglishNames {
        let entries: BTreeMap<String, String> = [
            ("passport", "护照"),
            ("social security", "社保"),
            ("social security card", "社会保障卡"),
            ("driver's license", "驾驶证"),
            ("lost", "补领"),
            ("how", ""),
            ("to", ""),
            ("my", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        EnglishNames::new(&entries)
    }

    #[test]
    fn longest_phrases_first_filler_dropped() {
        let n = names();
        assert_eq!(
            n.translate("lost my social security card").as_deref(),
            Some("补领 社会保障卡")
        );
        assert_eq!(n.translate("social security").as_deref(), Some("社保"));
        assert_eq!(n.translate("driver's license").as_deref(), Some("驾驶证"));
        assert_eq!(n.translate("passport补办").as_deref(), Some("护照 补办"));
        // A phrase does not span other text.
        assert_eq!(
            n.translate("social,security card").as_deref(),
            None,
            "no entry matched across the comma"
        );
    }

    #[test]
    fn queries_without_english_names_are_left_alone() {
        let n = names();
        assert_eq!(n.translate("how to"), None, "filler alone may be pinyin");
        assert_eq!(n.translate("shebao chaxun"), None);
        assert_eq!(n.translate("社保"), None);
        // Unknown words stay as typed next to a translated one.
        assert_eq!(
            n.translate("passport shenqing").as_deref(),
            Some("护照 shenqing")
        );
    }
}
