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
//!   letter dropped, added or swapped (optimal string alignment distance 1,
//!   checked against strsim in the tests), or its initial,
//! - and, in words of three or more characters, with one character wrong.
//!
//! A dynamic programme picks the cover that explains the most of the query
//! with the best match quality. The engine only uses the result when the
//! query as typed does not already match well (社保 never becomes 医保).
//!
//! # Layout
//!
//! [`Corrector::correct`] (here) is the one entry point; what it must leave
//! alone comes in [`CorrectOptions`]. It runs, in order:
//!
//! - `units`: the query as units (characters and letters), with their
//!   sounds and look-alikes;
//! - `cover`: the dynamic programme over the units, which asks
//!   `candidates` for the words that may start at a unit and `matching`
//!   for every way each may be read there (`syllables`: how a syllable may
//!   be typed at a letter);
//! - `reading`: the best cover read out into a [`Correction`]
//!   (`correction`).
//!
//! `vocabulary` builds the words and their lookup indexes once
//! ([`Corrector::new`]); `homophones` answers which words sound alike.

mod candidates;
mod correction;
mod cover;
mod homophones;
mod matching;
mod reading;
mod syllables;
mod units;
mod vocabulary;

pub use correction::{Correction, CorrectionKind};
pub use vocabulary::Corrector;

use units::Query;

/// Longest query the corrector looks at, in characters (bounds the work).
const MAX_QUERY_UNITS: usize = 40;

/// What [`Corrector::correct`] must leave as typed: byte spans of the
/// query. Both are empty by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct CorrectOptions<'a> {
    keep: &'a [(usize, usize)],
    real_words: &'a [(usize, usize)],
}

impl<'a> CorrectOptions<'a> {
    /// Nothing kept: every unit of the query may be read anew.
    pub fn new() -> Self {
        Self::default()
    }

    /// Leaves these byte spans of the query as typed: no word is read over
    /// them (filler such as 知道 or 怎么 is never a typo for 指导).
    pub fn keep(self, spans: &'a [(usize, usize)]) -> Self {
        CorrectOptions {
            keep: spans,
            ..self
        }
    }

    /// Marks these byte spans as real words of the query as typed (such as
    /// 乡下): none of their characters is replaced by a mere edit — a word
    /// that exists was typed on purpose, and only its sound or shape can
    /// say it is a typo (货款 → 贷款 still is).
    pub fn real_words(self, spans: &'a [(usize, usize)]) -> Self {
        CorrectOptions {
            real_words: spans,
            ..self
        }
    }
}

impl Corrector {
    /// Rewrites a normalised query into vocabulary words, or `None` when the
    /// best reading is the query itself (or the query is empty or longer
    /// than 40 characters).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use yuesou_core::{CorrectOptions, Corrector, PinyinConverter};
    ///
    /// let vocabulary: BTreeMap<String, u32> =
    ///     ["户口", "迁移", "指导"].map(|w| (w.to_string(), 10)).into();
    /// let pinyin = PinyinConverter::default();
    /// let corrector = Corrector::new(&vocabulary, &BTreeMap::new(), &pinyin);
    /// let reading = corrector.correct("hukou qianyi", &CorrectOptions::new());
    /// assert_eq!(reading.unwrap().corrected, "户口迁移");
    ///
    /// // 知道 sounds like 指导; kept as typed, it is not read as a word.
    /// let query = "知道户口迁移";
    /// let filler = [(0, "知道".len())];
    /// assert!(corrector.correct(query, &CorrectOptions::new()).is_some());
    /// assert_eq!(corrector.correct(query, &CorrectOptions::new().keep(&filler)), None);
    /// ```
    pub fn correct(&self, query: &str, options: &CorrectOptions<'_>) -> Option<Correction> {
        let units = self.units(query);
        if units.is_empty() || units.len() > MAX_QUERY_UNITS {
            return None;
        }
        let locked = within(query, options.keep);
        let typed = Query::new(units, self, within(query, options.real_words));
        let best = self.cover(&typed, &locked);
        let pieces = cover::pieces(&best)?;
        self.read_out(&typed.units, &pieces).into_correction(query)
    }
}

/// Per character of `query`: whether it lies in one of the byte `spans`.
fn within(query: &str, spans: &[(usize, usize)]) -> Vec<bool> {
    query
        .char_indices()
        .map(|(at, _)| spans.iter().any(|&(s, e)| at >= s && at < e))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::pinyin::PinyinConverter;

    /// A corrector over `words` (each of frequency 10), with two shape
    /// confusions (眀 → 明, 徼 → 缴).
    pub(super) fn corrector(words: &[&str]) -> Corrector {
        let vocabulary: BTreeMap<String, u32> = words.iter().map(|w| (w.to_string(), 10)).collect();
        let mut shapes = BTreeMap::new();
        shapes.insert("眀".to_string(), "明".to_string());
        shapes.insert("徼".to_string(), "缴".to_string());
        Corrector::new(&vocabulary, &shapes, &PinyinConverter::default())
    }

    fn corrected(c: &Corrector, q: &str) -> Option<String> {
        c.correct(q, &CorrectOptions::new()).map(|c| c.corrected)
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
        let read = c2
            .correct("jiashizheng jifen", &CorrectOptions::new())
            .unwrap();
        assert!(
            read.homophones
                .iter()
                .any(|(w, o)| w == "积分" && o == &["记分"] || w == "记分" && o == &["积分"]),
            "{read:?}"
        );
        let correction = c.correct("徼费", &CorrectOptions::new()).unwrap();
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
            c.correct(
                query,
                &CorrectOptions::new().keep(&[(start, start + "知道".len())])
            ),
            None
        );
    }

    #[test]
    fn an_edit_never_combines_with_other_typos_in_one_word() {
        let c = corrector(&["孤寡老人", "老人"]);
        // 家 can be read gū, and 里 is one character off 寡: two guesses in
        // one word are not a correction.
        assert_eq!(corrected(&c, "家里老人"), None);
        assert_eq!(corrected(&c, "孤家老人").as_deref(), Some("孤寡老人"));
    }

    #[test]
    fn a_real_word_as_typed_is_not_edited_into_another() {
        let c = corrector(&["回乡证", "大巴"]);
        let query = "回乡下";
        // 下 is one character off 证, but 乡下 is a word (countryside).
        assert_eq!(corrected(&c, query).as_deref(), Some("回乡证"));
        let at = query.find("乡下").unwrap();
        assert_eq!(
            c.correct(
                query,
                &CorrectOptions::new().real_words(&[(at, at + "乡下".len())])
            ),
            None
        );
    }

    #[test]
    fn leaves_correct_queries_alone() {
        let c = corrector(&["社保", "医保", "查询"]);
        assert_eq!(c.correct("社保查询", &CorrectOptions::new()), None);
        assert_eq!(c.correct("社保", &CorrectOptions::new()), None);
    }
}
