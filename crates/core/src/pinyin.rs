//! Pinyin of Chinese text, with word-level readings for heteronyms (多音字).
//!
//! The `pinyin` crate reads one character at a time, so 银行 would come out as
//! `yin xing` and 重庆 as `zhong qing`. [`PinyinConverter`] first matches the
//! longest word of `dictionaries/word_readings.tsv` at each position and only
//! then falls back to the per-character default.
//!
//! ```
//! use std::collections::BTreeMap;
//! use yuesou_core::PinyinConverter;
//!
//! let mut readings = BTreeMap::new();
//! readings.insert("银行".to_string(), vec!["yin".to_string(), "hang".to_string()]);
//! let py = PinyinConverter::new(&readings);
//! assert_eq!(py.full("建设银行"), "jianshe yinhang".replace(' ', ""));
//! assert_eq!(py.initials("建设银行"), "jsyh");
//! ```

use std::collections::{BTreeMap, HashMap};

use pinyin::{ToPinyin, ToPinyinMulti};

use crate::normalize::is_han;

/// Converts Chinese text to pinyin syllables (lowercase, no tones, ü as `v`).
#[derive(Debug, Clone, Default)]
pub struct PinyinConverter {
    readings: HashMap<String, Vec<String>>,
    longest: usize,
}

impl PinyinConverter {
    /// A converter with these word readings (word → one syllable per character).
    pub fn new(readings: &BTreeMap<String, Vec<String>>) -> Self {
        let longest = readings
            .keys()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        PinyinConverter {
            readings: readings
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            longest,
        }
    }

    /// One entry per character: its syllable for Chinese characters (word
    /// readings first), `None` for anything else.
    pub fn syllables(&self, text: &str) -> Vec<Option<String>> {
        let chars: Vec<char> = text.chars().collect();
        let mut out: Vec<Option<String>> = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            if !is_han(chars[i]) {
                out.push(None);
                i += 1;
                continue;
            }
            let max = self.longest.min(chars.len() - i);
            let mut matched = false;
            for len in (2..=max).rev() {
                let word: String = chars[i..i + len].iter().collect();
                if let Some(reading) = self.readings.get(&word) {
                    out.extend(reading.iter().cloned().map(Some));
                    i += len;
                    matched = true;
                    break;
                }
            }
            if !matched {
                out.push(char_reading(chars[i]));
                i += 1;
            }
        }
        out
    }

    /// Full pinyin of the Chinese characters of `text`, concatenated
    /// (住房公积金 → `zhufanggongjijin`). Other characters are kept.
    pub fn full(&self, text: &str) -> String {
        text.chars()
            .zip(self.syllables(text))
            .map(|(c, s)| s.unwrap_or_else(|| c.to_string()))
            .collect()
    }

    /// Initials of the Chinese characters of `text` (住房公积金 → `zfgjj`).
    /// Other characters are kept.
    pub fn initials(&self, text: &str) -> String {
        text.chars()
            .zip(self.syllables(text))
            .map(|(c, s)| match s {
                Some(s) => s.chars().next().map(String::from).unwrap_or_default(),
                None => c.to_string(),
            })
            .collect()
    }
}

/// The default reading of one character.
pub fn char_reading(c: char) -> Option<String> {
    c.to_pinyin().map(|p| plain(p.plain()))
}

/// Every reading of one character (heteronyms), default first.
pub fn char_readings(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let s = plain(p.plain());
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn plain(s: &str) -> String {
    s.replace('ü', "v")
}

/// The fuzzy key of a syllable: the confusions of phones and southern
/// accents folded together — zh/z, ch/c, sh/s, n/l, f/h, and the nasal
/// finals ang/an, eng/en, ing/in.
pub fn fuzzy_key(syllable: &str) -> String {
    let (initial, rest) = split_initial(syllable);
    let initial = match initial {
        "zh" => "z",
        "ch" => "c",
        "sh" => "s",
        "n" => "l",
        "f" => "h",
        other => other,
    };
    let rest = if rest.len() > 2 && rest.ends_with("ng") && !rest.ends_with("ong") {
        &rest[..rest.len() - 1]
    } else {
        rest
    };
    format!("{initial}{rest}")
}

/// Splits a syllable into its initial (声母, possibly empty) and final.
pub fn split_initial(syllable: &str) -> (&str, &str) {
    for two in ["zh", "ch", "sh"] {
        if let Some(rest) = syllable.strip_prefix(two) {
            return (two, rest);
        }
    }
    match syllable.chars().next() {
        Some(c) if "bpmfdtnlgkhjqxrzcsyw".contains(c) => syllable.split_at(1),
        _ => ("", syllable),
    }
}

/// Every spelling whose fuzzy key equals the syllable's (shi → si, shi;
/// sheng → sheng, seng, shen, sen …), the syllable itself first.
pub fn fuzzy_spellings(syllable: &str) -> Vec<String> {
    let (initial, rest) = split_initial(syllable);
    let initials: &[&str] = match initial {
        "zh" | "z" => &["zh", "z"],
        "ch" | "c" => &["ch", "c"],
        "sh" | "s" => &["sh", "s"],
        "n" | "l" => &["n", "l"],
        "f" | "h" => &["f", "h"],
        other => {
            return finals(rest)
                .into_iter()
                .map(|f| format!("{other}{f}"))
                .collect();
        }
    };
    let mut out = vec![syllable.to_string()];
    for i in initials {
        for f in finals(rest) {
            let s = format!("{i}{f}");
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn finals(rest: &str) -> Vec<String> {
    if rest.len() > 2 && rest.ends_with("ng") && !rest.ends_with("ong") {
        vec![rest.to_string(), rest[..rest.len() - 1].to_string()]
    } else if rest.ends_with('n') && !rest.ends_with("ong") {
        vec![rest.to_string(), format!("{rest}g")]
    } else {
        vec![rest.to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_readings_beat_character_defaults() {
        let mut readings = BTreeMap::new();
        readings.insert("重庆".to_string(), vec!["chong".into(), "qing".into()]);
        readings.insert(
            "行驶证".to_string(),
            vec!["xing".into(), "shi".into(), "zheng".into()],
        );
        let py = PinyinConverter::new(&readings);
        assert_eq!(py.full("重庆行驶证"), "chongqingxingshizheng");
        assert_eq!(py.initials("重庆a1"), "cqa1");
        assert_eq!(py.full("绿色"), "lvse");
    }

    #[test]
    fn fuzzy_keys_fold_accent_confusions() {
        assert_eq!(fuzzy_key("sheng"), fuzzy_key("sen"));
        assert_eq!(fuzzy_key("zhi"), fuzzy_key("zi"));
        assert_eq!(fuzzy_key("nan"), fuzzy_key("lang"));
        assert_eq!(fuzzy_key("fu"), fuzzy_key("hu"));
        assert_eq!(fuzzy_key("jin"), fuzzy_key("jing"));
        assert_ne!(fuzzy_key("gong"), fuzzy_key("gon"));
        assert!(fuzzy_spellings("sheng").contains(&"sen".to_string()));
        assert!(fuzzy_spellings("jin").contains(&"jing".to_string()));
    }

    #[test]
    fn heteronyms_list_every_reading() {
        let r = char_readings('行');
        assert!(r.contains(&"xing".to_string()) && r.contains(&"hang".to_string()));
    }
}
