//! The forms of a query: every text a query can be found by (a concept as
//! typed, its words, its official synonyms, its dictionary parts, the
//! places it names), each with a substring finder compiled once per query.
//! Ranking ([`crate::rank`]) matches them against candidates' text; hit
//! building highlights them in titles.

use memchr::memmem::Finder;

use crate::analyze::AnalyzedQuery;
use crate::item_text::CharSignature;
use crate::retrieve::Parts;

/// The forms of one concept (indices into [`QueryForms`]).
pub(crate) struct ConceptForms {
    pub(crate) text: usize,
    pub(crate) words: Vec<usize>,
    pub(crate) synonyms: Vec<usize>,
    /// Dictionary parts of a one-word compound concept, with their length in
    /// characters.
    pub(crate) parts: Vec<(usize, usize)>,
    /// The concept's length in characters.
    pub(crate) chars: usize,
    /// Index into `parts` of the part that ends the concept (its head:
    /// 提取 of 公积金提取), if a dictionary part does.
    pub(crate) head: Option<usize>,
}

/// Every form of a query, each with a substring finder, grouped by concept.
pub(crate) struct QueryForms {
    pub(crate) finders: Vec<Finder<'static>>,
    pub(crate) lengths: Vec<usize>,
    /// Per form: the signature of its characters.
    pub(crate) signatures: Vec<CharSignature>,
    pub(crate) concepts: Vec<ConceptForms>,
    /// Concept texts, for explanations.
    pub(crate) texts: Vec<String>,
    /// Place names the query mentions.
    pub(crate) places: Vec<usize>,
    /// The query's content, for exact-title matches.
    pub(crate) content: String,
    /// The signature of the content's characters.
    pub(crate) content_signature: CharSignature,
}

impl QueryForms {
    /// The forms of an analysed query; `parts` holds each concept's
    /// dictionary parts (see [`crate::retrieve::Parts`]).
    pub(crate) fn new(analyzed: &AnalyzedQuery, parts: &[Parts]) -> Self {
        let mut forms = QueryForms::without_forms(analyzed.content());
        let mut known: Vec<String> = Vec::new();
        let mut id = |forms: &mut QueryForms, text: &str| -> usize {
            if let Some(i) = known.iter().position(|k| k == text) {
                return i;
            }
            known.push(text.to_string());
            forms.push_form(text)
        };
        for (i, concept) in analyzed.concepts.iter().enumerate() {
            let text = id(&mut forms, &concept.text);
            let words = concept.words.iter().map(|w| id(&mut forms, w)).collect();
            let synonyms = concept.synonyms.iter().map(|s| id(&mut forms, s)).collect();
            let concept_parts = parts.get(i).map(Vec::as_slice).unwrap_or_default();
            let head = concept_parts.iter().position(|(_, _, ends)| *ends);
            let parts = concept_parts
                .iter()
                .map(|(p, n, _)| (id(&mut forms, p), *n))
                .collect();
            forms.concepts.push(ConceptForms {
                text,
                words,
                synonyms,
                parts,
                chars: concept.text.chars().count(),
                head,
            });
            forms.texts.push(concept.text.clone());
        }
        for place in &analyzed.places {
            let p = id(&mut forms, &place.text);
            forms.places.push(p);
        }
        forms
    }

    /// No forms yet, for a query whose content is `content`.
    fn without_forms(content: String) -> Self {
        QueryForms {
            finders: Vec::new(),
            lengths: Vec::new(),
            signatures: Vec::new(),
            concepts: Vec::new(),
            texts: Vec::new(),
            places: Vec::new(),
            content_signature: CharSignature::of(&content),
            content,
        }
    }

    /// Adds a form (its finder, length and signature); returns its index.
    fn push_form(&mut self, text: &str) -> usize {
        self.finders.push(Finder::new(text.as_bytes()).into_owned());
        self.lengths.push(text.len());
        self.signatures.push(CharSignature::of(text));
        self.finders.len() - 1
    }

    /// Number of forms.
    pub(crate) fn len(&self) -> usize {
        self.finders.len()
    }

    pub(crate) fn found(&self, form: usize, haystack: &str) -> bool {
        self.lengths[form] > 0 && self.finders[form].find(haystack.as_bytes()).is_some()
    }

    /// Whether form `form` is in `haystack`, whose character signature is
    /// `signature` (most absent forms are ruled out by it alone).
    pub(crate) fn found_in(&self, form: usize, haystack: &str, signature: &CharSignature) -> bool {
        signature.may_contain(&self.signatures[form]) && self.found(form, haystack)
    }

    /// Byte ranges of `title` that a concept form (text, word or synonym)
    /// matches, merged.
    pub(crate) fn matched_ranges(&self, title: &str) -> Vec<(usize, usize)> {
        self.matched_ranges_of(title, |_| true)
    }

    /// [`matched_ranges`](Self::matched_ranges), looking only for the forms
    /// `may_match` accepts (those known to be in `title`).
    pub(crate) fn matched_ranges_of(
        &self,
        title: &str,
        may_match: impl Fn(usize) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for concept in &self.concepts {
            let forms = std::iter::once(&concept.text)
                .chain(&concept.words)
                .chain(&concept.synonyms);
            for &form in forms {
                if self.lengths[form] == 0 || !may_match(form) {
                    continue;
                }
                for start in self.finders[form].find_iter(title.as_bytes()) {
                    ranges.push((start, start + self.lengths[form]));
                }
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }

    /// The number of characters of `title` within
    /// [`matched_ranges_of`](Self::matched_ranges_of) — what ranking's focus
    /// needs — without building the ranges: for a title of up to 128 bytes
    /// the matches are marked in a bit per byte, and the marked bytes that
    /// start a character are counted (a form is whole characters, so a match
    /// starts and ends on character boundaries).
    pub(crate) fn covered_chars(&self, title: &str, may_match: impl Fn(usize) -> bool) -> usize {
        let bytes = title.as_bytes();
        if bytes.len() > u128::BITS as usize {
            return self
                .matched_ranges_of(title, may_match)
                .iter()
                .map(|&(s, e)| title[s..e].chars().count())
                .sum();
        }
        let mut covered: u128 = 0;
        for concept in &self.concepts {
            let forms = std::iter::once(&concept.text)
                .chain(&concept.words)
                .chain(&concept.synonyms);
            for &form in forms {
                let len = self.lengths[form];
                if len == 0 || !may_match(form) {
                    continue;
                }
                for start in self.finders[form].find_iter(bytes) {
                    // start + len <= 128: the match is inside the title.
                    let run = u128::MAX >> (u128::BITS as usize - len);
                    covered |= run << start;
                }
            }
        }
        let mut chars = 0;
        while covered != 0 {
            let at = covered.trailing_zeros() as usize;
            chars += usize::from(bytes[at] & 0xC0 != 0x80);
            covered &= covered - 1;
        }
        chars
    }
}

/// The display title with matched fragments wrapped in `<em>`. Matching runs
/// on the normalised title; when normalisation changed the title's length the
/// title is returned escaped but unmarked.
pub(crate) fn highlight(title: &str, normalized: &str, forms: &QueryForms) -> String {
    if title.len() != normalized.len() {
        return escape(title);
    }
    let mut out = String::with_capacity(title.len() + 16);
    let mut last = 0;
    for (s, e) in forms.matched_ranges(normalized) {
        if !title.is_char_boundary(s) || !title.is_char_boundary(e) {
            return escape(title);
        }
        out.push_str(&escape(&title[last..s]));
        out.push_str("<em>");
        out.push_str(&escape(&title[s..e]));
        out.push_str("</em>");
        last = e;
    }
    out.push_str(&escape(&title[last..]));
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forms of concepts given as (text, words, synonyms).
    fn forms_of(concepts: &[(&str, &[&str], &[&str])]) -> QueryForms {
        let mut forms = QueryForms::without_forms(String::new());
        for (text, words, synonyms) in concepts {
            let concept = ConceptForms {
                text: forms.push_form(text),
                words: words.iter().map(|w| forms.push_form(w)).collect(),
                synonyms: synonyms.iter().map(|s| forms.push_form(s)).collect(),
                parts: Vec::new(),
                chars: text.chars().count(),
                head: None,
            };
            forms.concepts.push(concept);
            forms.texts.push(text.to_string());
        }
        forms
    }

    #[test]
    fn covered_chars_counts_the_characters_of_the_matched_ranges() {
        let forms = forms_of(&[
            ("公积金提取", &["公积金", "提取"], &["住房公积金"]),
            ("etc", &[], &[]),
            ("金提", &[], &[]),
            ("取", &[], &["办理"]),
        ]);
        let long = "住房公积金提取".repeat(8) + "（etc办理）";
        let titles = [
            "住房公积金提取",
            "公积金提取取取",
            "etc卡办理",
            "ETC卡办理",
            "提取公积金",
            "无关事项",
            "",
            long.as_str(),
        ];
        assert!(long.len() > 128, "one title takes the long path");
        let by_ranges = |title: &str, keep: &dyn Fn(usize) -> bool| -> usize {
            forms
                .matched_ranges_of(title, keep)
                .iter()
                .map(|&(s, e)| title[s..e].chars().count())
                .sum()
        };
        let filters: [&dyn Fn(usize) -> bool; 3] = [&|_| true, &|f| f % 2 == 0, &|f| f == 1];
        for title in titles {
            for keep in filters {
                assert_eq!(
                    forms.covered_chars(title, keep),
                    by_ranges(title, keep),
                    "{title}"
                );
            }
        }
        assert_eq!(forms.covered_chars("住房公积金提取", |_| true), 7);
        assert_eq!(forms.covered_chars("etc卡办理", |_| true), 5);
        assert_eq!(forms.covered_chars("无关事项", |_| true), 0);
    }
}
