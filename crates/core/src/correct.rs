//! Stage 5 of the query pipeline: reading pinyin and correcting typos (错别字).
//!
//! People type full pinyin (`hukou qianyi`), initials (`hkqy`), a mix
//! (`港澳tong行证`, `jtwf查询`), characters that sound alike (`养老金查洵`) or
//! look alike (`证眀`). All of these are solved by one mechanism: find, over
//! the query, the best cover by words of the catalogue's own *vocabulary*
//! (title words, titles, aliases, keywords, thesaurus terms, place names, hot
//! queries), where a vocabulary word may match a stretch of the query
//!
//! - character for character (exact),
//! - by a similar-shape character (`similar_shapes.tsv`),
//! - by sound: any reading of the typed character, or its fuzzy key (z/zh,
//!   c/ch, s/sh, n/l, f/h, an/ang, en/eng, in/ing),
//! - by typed pinyin: a full syllable, a fuzzy spelling, a syllable with one
//!   letter dropped, added or swapped (strsim's OSA distance 1), or its initial,
//! - and, in words of three or more characters, with one character wrong.
//!
//! A dynamic programme picks the cover that explains the most of the query
//! with the best match quality. The engine only uses the result when the
//! query as typed does not already match well (社保 never becomes 医保).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::normalize::is_han;
use crate::pinyin::{PinyinConverter, char_readings, fuzzy_key, fuzzy_spellings, split_initial};

/// Longest vocabulary entry, in characters.
const MAX_WORD_CHARS: usize = 12;
/// Longest query the corrector looks at, in characters (bounds the work).
const MAX_QUERY_UNITS: usize = 40;

/// How a stretch of the query was corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CorrectionKind {
    /// Typed as full pinyin.
    Pinyin,
    /// Typed as pinyin initials.
    Initials,
    /// Fuzzy pinyin (accent confusions) or a pinyin letter typo.
    FuzzyPinyin,
    /// A character that sounds like the intended one (同音/近音字).
    Homophone,
    /// A character that looks like the intended one (形近字).
    Shape,
    /// One character wrong in a longer word (edit distance).
    Edit,
}

/// One cell of the cover DP: (score, where the piece started, the vocabulary
/// word it was read as, or `None` for a unit kept as typed, correction flags).
type Cell = Option<(f32, usize, Option<u32>, u8)>;

const EXACT: u8 = 0;
const PINYIN: u8 = 1;
const INITIALS: u8 = 2;
const FUZZY: u8 = 4;
const HOMOPHONE: u8 = 8;
const SHAPE: u8 = 16;
const EDIT: u8 = 32;

fn kinds(flags: u8) -> Vec<CorrectionKind> {
    [
        (PINYIN, CorrectionKind::Pinyin),
        (INITIALS, CorrectionKind::Initials),
        (FUZZY, CorrectionKind::FuzzyPinyin),
        (HOMOPHONE, CorrectionKind::Homophone),
        (SHAPE, CorrectionKind::Shape),
        (EDIT, CorrectionKind::Edit),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, k)| k)
    .collect()
}

/// A query rewritten into vocabulary words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    /// The normalised query as typed.
    pub original: String,
    /// The rewritten query.
    pub corrected: String,
    /// What kinds of rewriting were involved.
    pub kinds: Vec<CorrectionKind>,
    /// Words read from sound (pinyin or homophones) with the other
    /// vocabulary words that sound the same (积分 → 记分): the ranking lets
    /// the catalogue decide between them.
    #[serde(skip)]
    pub homophones: Vec<(String, Vec<String>)>,
}

impl Correction {
    /// Whether the query was typed (at least partly) as pinyin rather than
    /// mistyped.
    pub fn is_pinyin_input(&self) -> bool {
        self.kinds.iter().all(|k| {
            matches!(
                k,
                CorrectionKind::Pinyin | CorrectionKind::Initials | CorrectionKind::FuzzyPinyin
            )
        })
    }
}

#[derive(Debug, Clone)]
struct Word {
    text: String,
    chars: Vec<char>,
    syllables: Vec<String>,
    fuzzy: Vec<String>,
    prior: f32,
}

/// The vocabulary the corrector rewrites into, indexed for lookup by first
/// character, first syllable's fuzzy key and first letter.
#[derive(Debug, Clone, Default)]
pub struct Corrector {
    words: Vec<Word>,
    by_char: HashMap<char, Vec<u32>>,
    by_fuzzy: HashMap<String, Vec<u32>>,
    by_letter: HashMap<u8, Vec<u32>>,
    by_sound: HashMap<String, Vec<u32>>,
    /// How many vocabulary words share each initials string (hk: 户口, 获客 …):
    /// a reading from initials is only as good as it is unambiguous.
    initials_count: HashMap<String, u32>,
    shapes: HashMap<char, Vec<char>>,
}

#[derive(Debug, Clone)]
enum Unit {
    Han {
        ch: char,
        readings: Vec<String>,
        fuzzy: Vec<String>,
    },
    Letter(u8),
    Separator,
    Other(char),
}

impl Corrector {
    /// Builds the corrector from vocabulary entries (text → frequency) and
    /// shape confusions (wrong → right, characters or equal-length words).
    pub fn new(
        vocabulary: &BTreeMap<String, u32>,
        shapes: &BTreeMap<String, String>,
        pinyin: &PinyinConverter,
    ) -> Self {
        let mut c = Corrector::default();
        for (text, freq) in vocabulary {
            let chars: Vec<char> = text.chars().collect();
            if chars.len() < 2
                || chars.len() > MAX_WORD_CHARS
                || !chars.iter().all(|ch| is_han(*ch))
            {
                continue;
            }
            let Some(syllables) = pinyin
                .syllables(text)
                .into_iter()
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            let fuzzy: Vec<String> = syllables.iter().map(|s| fuzzy_key(s)).collect();
            *c.initials_count.entry(initials_of(&syllables)).or_default() += 1;
            let id = c.words.len() as u32;
            c.by_sound.entry(syllables.join(" ")).or_default().push(id);
            c.by_char.entry(chars[0]).or_default().push(id);
            c.by_fuzzy.entry(fuzzy[0].clone()).or_default().push(id);
            let first = syllables[0].as_bytes()[0];
            for letter in confusable_letters(first) {
                c.by_letter.entry(letter).or_default().push(id);
            }
            c.words.push(Word {
                text: text.clone(),
                chars,
                syllables,
                fuzzy,
                prior: 0.05 * (1.0 + *freq as f32).ln(),
            });
        }
        for (wrong, right) in shapes {
            for (w, r) in wrong.chars().zip(right.chars()) {
                if w != r {
                    let alternatives = c.shapes.entry(w).or_default();
                    if !alternatives.contains(&r) {
                        alternatives.push(r);
                    }
                }
            }
        }
        c
    }

    /// Number of vocabulary words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `text` is a vocabulary word.
    pub fn knows(&self, text: &str) -> bool {
        let Some(first) = text.chars().next() else {
            return false;
        };
        self.by_char
            .get(&first)
            .is_some_and(|ids| ids.iter().any(|&i| self.words[i as usize].text == text))
    }

    /// Rewrites a normalised query into vocabulary words, or `None` when the
    /// best reading is the query itself.
    pub fn correct(&self, query: &str) -> Option<Correction> {
        self.correct_keeping(query, &[])
    }

    /// [`correct`](Self::correct), leaving the given byte spans of the query
    /// as typed (filler such as 知道 or 怎么 is never a typo for 指导).
    pub fn correct_keeping(&self, query: &str, keep: &[(usize, usize)]) -> Option<Correction> {
        let units = units(query);
        let locked: Vec<bool> = query
            .char_indices()
            .map(|(at, _)| keep.iter().any(|&(s, e)| at >= s && at < e))
            .collect();
        if units.is_empty() || units.len() > MAX_QUERY_UNITS {
            return None;
        }
        let n = units.len();
        // best[p] = (score, back pointer (start, word or None), flags)
        let mut best: Vec<Cell> = vec![None; n + 1];
        best[0] = Some((0.0, 0, None, EXACT));
        let mut matches = Vec::new();
        for p in 0..n {
            let Some((base, ..)) = best[p] else { continue };
            // Keep the unit as typed.
            let keep = match units[p] {
                Unit::Han { .. } => 0.2,
                _ => 0.0,
            };
            relax(&mut best, p + 1, base + keep, p, None, EXACT);
            if matches!(units[p], Unit::Separator | Unit::Other(_)) || locked[p] {
                continue;
            }
            for id in self.candidates(&units[p]) {
                let word = &self.words[id as usize];
                matches.clear();
                match_word(
                    word,
                    &units,
                    0,
                    p,
                    0.0,
                    EXACT,
                    false,
                    &self.shapes,
                    &mut matches,
                );
                for &(end, quality, flags) in &matches {
                    if locked[p..end].iter().any(|l| *l) {
                        continue;
                    }
                    let consumed = units[p..end]
                        .iter()
                        .filter(|u| !matches!(u, Unit::Separator))
                        .count();
                    if !acceptable(word, flags, quality, consumed) {
                        continue;
                    }
                    let ambiguity = if flags & INITIALS != 0 {
                        let same = self
                            .initials_count
                            .get(&initials_of(&word.syllables))
                            .copied()
                            .unwrap_or(1);
                        INITIALS_AMBIGUITY * (same as f32).ln()
                    } else {
                        0.0
                    };
                    relax(
                        &mut best,
                        end,
                        base + quality + word.prior - ambiguity - WORD_COST,
                        p,
                        Some(id),
                        flags,
                    );
                }
            }
        }
        // Walk back.
        let mut pieces: Vec<(usize, usize, Option<u32>, u8)> = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start, word, flags) = best[end]?;
            pieces.push((start, end, word, flags));
            end = start;
        }
        pieces.reverse();
        let mut corrected = String::new();
        let mut all_flags = EXACT;
        let mut homophones = Vec::new();
        for (start, end, word, flags) in pieces {
            match word {
                Some(id) => {
                    if !corrected.is_empty() && !corrected.ends_with(' ') {
                        corrected.push(' ');
                    }
                    let word = &self.words[id as usize];
                    corrected.push_str(&word.text);
                    corrected.push(' ');
                    all_flags |= flags;
                    if flags & (PINYIN | HOMOPHONE) != 0 && flags & INITIALS == 0 {
                        let same: Vec<String> = self.by_sound[&word.syllables.join(" ")]
                            .iter()
                            .map(|&i| self.words[i as usize].text.clone())
                            .filter(|t| *t != word.text)
                            .take(6)
                            .collect();
                        if !same.is_empty() {
                            homophones.push((word.text.clone(), same));
                        }
                    }
                }
                None => {
                    for unit in &units[start..end] {
                        match unit {
                            Unit::Han { ch, .. } | Unit::Other(ch) => corrected.push(*ch),
                            Unit::Letter(b) => corrected.push(*b as char),
                            Unit::Separator => corrected.push(' '),
                        }
                    }
                }
            }
        }
        let corrected =
            crate::normalize::join_han(&corrected.split_whitespace().collect::<Vec<_>>().join(" "));
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if all_flags == EXACT || compact(&corrected) == compact(query) {
            return None;
        }
        Some(Correction {
            original: query.to_string(),
            corrected,
            kinds: kinds(all_flags),
            homophones,
        })
    }

    fn candidates(&self, unit: &Unit) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        match unit {
            Unit::Han { ch, fuzzy, .. } => {
                out.extend(self.by_char.get(ch).into_iter().flatten());
                for alt in self.shapes.get(ch).into_iter().flatten() {
                    out.extend(self.by_char.get(alt).into_iter().flatten());
                }
                for key in fuzzy {
                    out.extend(self.by_fuzzy.get(key).into_iter().flatten());
                }
            }
            Unit::Letter(b) => out.extend(self.by_letter.get(b).into_iter().flatten()),
            _ => {}
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn relax(best: &mut [Cell], at: usize, score: f32, from: usize, word: Option<u32>, flags: u8) {
    if best[at].is_none_or(|(s, ..)| score > s) {
        best[at] = Some((score, from, word, flags));
    }
}

/// Rejects matches that are more guess than evidence. `quality` is summed
/// per query unit (character or letter) consumed.
fn acceptable(word: &Word, flags: u8, quality: f32, consumed: usize) -> bool {
    // Initials alone need at least two letters; one-character guesses are noise.
    if flags & INITIALS != 0 && word.syllables.len() < 2 {
        return false;
    }
    // A corrected word must still be mostly right.
    consumed > 0 && quality / consumed as f32 >= 0.55
}

/// Cost of each vocabulary word in a reading: like a language model, where
/// every further word multiplies in a probability below one, a reading with
/// fewer, longer words (身份证补领) beats one of more, shorter ones
/// (身份证 + 办理) that explains the input as well.
const WORD_COST: f32 = 0.3;

/// Cost, per natural-log unit of "how many words share these initials", of
/// reading a word from its initials.
const INITIALS_AMBIGUITY: f32 = 0.25;

fn initials_of(syllables: &[String]) -> String {
    syllables.iter().filter_map(|s| s.chars().next()).collect()
}

fn confusable_letters(first: u8) -> Vec<u8> {
    match first {
        b'n' => vec![b'n', b'l'],
        b'l' => vec![b'l', b'n'],
        b'f' => vec![b'f', b'h'],
        b'h' => vec![b'h', b'f'],
        other => vec![other],
    }
}

fn units(query: &str) -> Vec<Unit> {
    query
        .chars()
        .map(|ch| {
            if is_han(ch) {
                let readings = char_readings(ch);
                let mut fuzzy: Vec<String> = readings.iter().map(|r| fuzzy_key(r)).collect();
                fuzzy.dedup();
                Unit::Han {
                    ch,
                    readings,
                    fuzzy,
                }
            } else if ch.is_ascii_lowercase() {
                Unit::Letter(ch as u8)
            } else if ch.is_whitespace() || ch == '\'' || ch == '-' {
                Unit::Separator
            } else {
                Unit::Other(ch)
            }
        })
        .collect()
}

/// The letters of the run starting at `p` (up to the next non-letter).
fn letters_at(units: &[Unit], p: usize) -> Vec<u8> {
    units[p..]
        .iter()
        .map_while(|u| match u {
            Unit::Letter(b) => Some(*b),
            _ => None,
        })
        .collect()
}

/// Matches syllable `j` onwards of `word` against the query from unit `p`,
/// pushing every way to finish the word as (end, quality, flags).
#[allow(clippy::too_many_arguments)]
fn match_word(
    word: &Word,
    units: &[Unit],
    j: usize,
    p: usize,
    quality: f32,
    flags: u8,
    edited: bool,
    shapes: &HashMap<char, Vec<char>>,
    out: &mut Vec<(usize, f32, u8)>,
) {
    if j == word.syllables.len() {
        out.push((p, quality, flags));
        return;
    }
    let mut p = p;
    // Spaces may separate syllables typed as pinyin, never split Chinese words.
    if j > 0 {
        while p < units.len() && matches!(units[p], Unit::Separator) {
            p += 1;
        }
    }
    if p >= units.len() || out.len() > 8 {
        return;
    }
    let syllable = &word.syllables[j];
    match &units[p] {
        Unit::Han {
            ch,
            readings,
            fuzzy,
        } => {
            let target = word.chars[j];
            if *ch == target {
                match_word(
                    word,
                    units,
                    j + 1,
                    p + 1,
                    quality + 1.0,
                    flags,
                    edited,
                    shapes,
                    out,
                );
            } else if shapes.get(ch).is_some_and(|alts| alts.contains(&target)) {
                match_word(
                    word,
                    units,
                    j + 1,
                    p + 1,
                    quality + 0.75,
                    flags | SHAPE,
                    edited,
                    shapes,
                    out,
                );
            } else if readings.contains(syllable) {
                match_word(
                    word,
                    units,
                    j + 1,
                    p + 1,
                    quality + 0.8,
                    flags | HOMOPHONE,
                    edited,
                    shapes,
                    out,
                );
            } else if fuzzy.contains(&word.fuzzy[j]) {
                match_word(
                    word,
                    units,
                    j + 1,
                    p + 1,
                    quality + 0.65,
                    flags | HOMOPHONE | FUZZY,
                    edited,
                    shapes,
                    out,
                );
            } else if !edited && word.chars.len() >= 3 {
                match_word(
                    word,
                    units,
                    j + 1,
                    p + 1,
                    quality + 0.3,
                    flags | EDIT,
                    true,
                    shapes,
                    out,
                );
            }
        }
        Unit::Letter(_) => {
            let letters = letters_at(units, p);
            let syl = syllable.as_bytes();
            if letters.starts_with(syl) {
                match_word(
                    word,
                    units,
                    j + 1,
                    p + syl.len(),
                    quality + 0.95 * syl.len() as f32,
                    flags | PINYIN,
                    edited,
                    shapes,
                    out,
                );
            }
            for spelling in fuzzy_spellings(syllable).iter().skip(1) {
                if spelling != syllable && letters.starts_with(spelling.as_bytes()) {
                    let len = spelling.len();
                    match_word(
                        word,
                        units,
                        j + 1,
                        p + len,
                        quality + 0.75 * len as f32,
                        flags | PINYIN | FUZZY,
                        edited,
                        shapes,
                        out,
                    );
                }
            }
            if syl.len() >= 3 && !edited {
                for len in [syl.len() - 1, syl.len(), syl.len() + 1] {
                    if len <= letters.len() && &letters[..len] != syl {
                        let typed = String::from_utf8_lossy(&letters[..len]);
                        if strsim::osa_distance(&typed, syllable) == 1
                            && typed.as_bytes()[0] == syl[0]
                        {
                            match_word(
                                word,
                                units,
                                j + 1,
                                p + len,
                                quality + 0.6 * len as f32,
                                flags | PINYIN | FUZZY,
                                true,
                                shapes,
                                out,
                            );
                        }
                    }
                }
            }
            let (initial, _) = split_initial(syllable);
            let initial = if initial.is_empty() {
                &syllable[..1]
            } else {
                initial
            };
            for typed_initial in [initial, &initial[..1]] {
                if letters.starts_with(typed_initial.as_bytes()) && !letters.starts_with(syl) {
                    match_word(
                        word,
                        units,
                        j + 1,
                        p + typed_initial.len(),
                        quality + 0.6 * typed_initial.len() as f32,
                        flags | INITIALS,
                        edited,
                        shapes,
                        out,
                    );
                }
                if initial.len() == 1 {
                    break;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector(words: &[&str]) -> Corrector {
        let vocabulary: BTreeMap<String, u32> = words.iter().map(|w| (w.to_string(), 10)).collect();
        let mut shapes = BTreeMap::new();
        shapes.insert("眀".to_string(), "明".to_string());
        shapes.insert("徼".to_string(), "缴".to_string());
        Corrector::new(&vocabulary, &shapes, &PinyinConverter::default())
    }

    fn corrected(c: &Corrector, q: &str) -> Option<String> {
        c.correct(q).map(|c| c.corrected)
    }

    #[test]
    fn reads_pinyin_in_every_form() {
        let c = corrector(&["户口", "迁移", "交通违法", "查询", "港澳通行证", "生育津贴"]);
        assert_eq!(corrected(&c, "hukou qianyi").as_deref(), Some("户口迁移"));
        assert_eq!(corrected(&c, "hukouqianyi").as_deref(), Some("户口迁移"));
        assert_eq!(corrected(&c, "hu kou qian yi").as_deref(), Some("户口迁移"));
        assert_eq!(corrected(&c, "jtwf").as_deref(), Some("交通违法"));
        assert_eq!(corrected(&c, "jtwf查询").as_deref(), Some("交通违法查询"));
        assert_eq!(corrected(&c, "港澳tong行证").as_deref(), Some("港澳通行证"));
        assert_eq!(corrected(&c, "sengyu jintie").as_deref(), Some("生育津贴"));
        assert_eq!(corrected(&c, "hukuo qianyi").as_deref(), Some("户口迁移"));
    }

    #[test]
    fn fixes_sound_and_shape_typos() {
        let c = corrector(&["养老金", "查询", "生育津贴", "证明", "缴费"]);
        assert_eq!(corrected(&c, "养老金查洵").as_deref(), Some("养老金查询"));
        assert_eq!(corrected(&c, "生育经贴").as_deref(), Some("生育津贴"));
        assert_eq!(corrected(&c, "证眀").as_deref(), Some("证明"));
        let c2 = corrector(&["驾驶证", "记分", "积分"]);
        let read = c2.correct("jiashizheng jifen").unwrap();
        assert!(
            read.homophones
                .iter()
                .any(|(w, o)| w == "积分" && o == &["记分"] || w == "记分" && o == &["积分"]),
            "{read:?}"
        );
        let correction = c.correct("徼费").unwrap();
        assert_eq!(correction.corrected, "缴费");
        assert_eq!(correction.kinds, vec![CorrectionKind::Shape]);
    }

    #[test]
    fn kept_spans_stay_as_typed() {
        let c = corrector(&["指导", "出国", "记录"]);
        let query = "怎么知道出国记录";
        assert_eq!(corrected(&c, query).as_deref(), Some("怎么指导出国记录"));
        let start = query.find("知道").unwrap();
        assert_eq!(
            c.correct_keeping(query, &[(start, start + "知道".len())]),
            None
        );
    }

    #[test]
    fn leaves_correct_queries_alone() {
        let c = corrector(&["社保", "医保", "查询"]);
        assert_eq!(c.correct("社保查询"), None);
        assert_eq!(c.correct("社保"), None);
    }
}
