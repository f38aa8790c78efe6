//! Stage 8 of the query pipeline: how well a candidate's text matches the
//! query — coverage by field, title coverage, focus, exact titles — and the
//! highlighted title of a hit.
//!
//! Every text a query can be found by (a concept as typed, its words, its
//! official synonyms, its dictionary parts) is a *form* with a precompiled
//! substring finder. City variants of a service share their title, aliases,
//! keywords and description, so matches in those are computed once per
//! [`ItemText::group`] and reused; only the region-specific part (theme,
//! department, region names) is searched per item.

use memchr::memmem::Finder;

use crate::analyze::{AnalyzedQuery, MatchKind};
use crate::item_text::{ItemText, SEPARATOR};
use crate::search::Explain;

/// A compound concept matched only through its parts counts this much of a
/// whole-word match.
const PARTS_DISCOUNT: f32 = 0.9;
/// … and half that again when the part that ends the compound is missing.
const HEADLESS_PARTS: f32 = 0.5;
/// Field tiers: where in the item a form was found.
const TITLE: f32 = 1.0;
const ALIAS: f32 = 0.95;
const KEYWORD: f32 = 0.9;
const META: f32 = 0.7;
const BODY: f32 = 0.35;

/// The forms of one concept (indices into [`QueryForms`]).
struct ConceptForms {
    text: usize,
    words: Vec<usize>,
    synonyms: Vec<usize>,
    /// Dictionary parts of a one-word compound concept, with their length in
    /// characters.
    parts: Vec<(usize, usize)>,
    /// The concept's length in characters.
    chars: usize,
    /// Index into `parts` of the part that ends the concept (its head:
    /// 提取 of 公积金提取), if a dictionary part does.
    head: Option<usize>,
}

/// Every form of a query, each with a substring finder, grouped by concept.
pub(crate) struct QueryForms {
    finders: Vec<Finder<'static>>,
    lengths: Vec<usize>,
    concepts: Vec<ConceptForms>,
    /// Concept texts, for explanations.
    texts: Vec<String>,
    /// Place names the query mentions.
    places: Vec<usize>,
    /// The query's content, for exact-title matches.
    content: String,
}

impl QueryForms {
    /// The forms of an analysed query; `parts` holds each concept's
    /// dictionary parts (see `Engine::parts_of`).
    pub(crate) fn new(analyzed: &AnalyzedQuery, parts: &[Vec<(String, usize, bool)>]) -> Self {
        let mut forms = QueryForms {
            finders: Vec::new(),
            lengths: Vec::new(),
            concepts: Vec::new(),
            texts: Vec::new(),
            places: Vec::new(),
            content: analyzed.content(),
        };
        let mut known: Vec<String> = Vec::new();
        let mut id = |forms: &mut QueryForms, text: &str| -> usize {
            if let Some(i) = known.iter().position(|k| k == text) {
                return i;
            }
            known.push(text.to_string());
            forms
                .finders
                .push(Finder::new(text.as_bytes()).into_owned());
            forms.lengths.push(text.len());
            known.len() - 1
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

    fn found(&self, form: usize, haystack: &str) -> bool {
        self.lengths[form] > 0 && self.finders[form].find(haystack.as_bytes()).is_some()
    }

    /// Byte ranges of `title` that a concept form (text, word or synonym)
    /// matches, merged.
    fn matched_ranges(&self, title: &str) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for concept in &self.concepts {
            let forms = std::iter::once(&concept.text)
                .chain(&concept.words)
                .chain(&concept.synonyms);
            for &form in forms {
                if self.lengths[form] == 0 {
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
}

/// What a query's forms find in the text a group of items shares (title,
/// aliases, keywords, description).
pub(crate) struct SharedMatch {
    /// Per form: [`TITLE`], [`ALIAS`] or [`KEYWORD`], or 0.
    named: Vec<f32>,
    /// Per form: found in the description.
    body: Vec<bool>,
    /// Share of the title's characters the query accounts for.
    focus: f32,
    /// The query is the title or one of the aliases.
    exact_title: bool,
    /// A place the query names appears in the title, aliases or keywords.
    place_in_text: bool,
}

impl SharedMatch {
    /// Matches the forms against an item's shared text.
    pub(crate) fn new(forms: &QueryForms, text: &ItemText) -> Self {
        let named: Vec<f32> = (0..forms.finders.len())
            .map(|f| {
                if forms.found(f, &text.title) {
                    TITLE
                } else if forms.found(f, &text.aliases) {
                    ALIAS
                } else if forms.found(f, &text.keywords) {
                    KEYWORD
                } else {
                    0.0
                }
            })
            .collect();
        let body = (0..forms.finders.len())
            .map(|f| named[f] == 0.0 && forms.found(f, &text.body))
            .collect();
        let title_chars = text.title.chars().count().max(1) as f32;
        let covered: usize = forms
            .matched_ranges(&text.title)
            .iter()
            .map(|&(s, e)| text.title[s..e].chars().count())
            .sum();
        let content = &forms.content;
        SharedMatch {
            focus: covered as f32 / title_chars,
            exact_title: !content.is_empty()
                && (text.title == *content || text.aliases.split(SEPARATOR).any(|a| a == content)),
            place_in_text: forms.places.iter().any(|&p| named[p] > 0.0),
            named,
            body,
        }
    }

    /// Whether a place the query names appears in the item's own text.
    pub(crate) fn place_in_text(&self) -> bool {
        self.place_in_text
    }
}

/// One item's view: the shared matches plus its own region-specific text.
struct ItemMatch<'a> {
    forms: &'a QueryForms,
    shared: &'a SharedMatch,
    meta: &'a str,
}

impl ItemMatch<'_> {
    /// The field tier a form is found in (title ≫ aliases > keywords >
    /// theme/department/region > description).
    fn tier(&self, form: usize) -> f32 {
        let named = self.shared.named[form];
        if named > 0.0 {
            named
        } else if self.forms.found(form, self.meta) {
            META
        } else if self.shared.body[form] {
            BODY
        } else {
            0.0
        }
    }

    fn in_title(&self, form: usize) -> bool {
        self.shared.named[form] >= ALIAS
    }

    /// Share of a compound concept's characters its parts find, weighted by
    /// field, discounted against a whole-word match. A compound's last part
    /// is its head (院 of 养老院, 提取 of 公积金提取): found without it, the
    /// parts describe something else and count half.
    fn parts(&self, c: &ConceptForms, of_title: bool) -> f32 {
        if c.parts.is_empty() || c.chars == 0 {
            return 0.0;
        }
        let found_at = |p: usize| {
            if of_title {
                if self.in_title(p) { 1.0 } else { 0.0 }
            } else {
                self.tier(p)
            }
        };
        let found: f32 = c.parts.iter().map(|&(p, n)| found_at(p) * n as f32).sum();
        let head_found = c.head.is_some_and(|h| found_at(c.parts[h].0) > 0.0);
        let head = if head_found { 1.0 } else { HEADLESS_PARTS };
        PARTS_DISCOUNT * head * found / c.chars as f32
    }

    /// How well one concept matches: (coverage 0–1, title coverage 0–1,
    /// matched through a synonym).
    fn concept(&self, c: &ConceptForms) -> (f32, f32, bool) {
        let direct = self.tier(c.text);
        let partial = if c.words.len() > 1 {
            c.words.iter().map(|&w| self.tier(w)).sum::<f32>() / c.words.len() as f32
        } else if direct == 0.0 {
            // The content word alone (丢 of 丢了) or the dictionary parts.
            let word = c
                .words
                .iter()
                .filter(|&&w| w != c.text)
                .map(|&w| self.tier(w))
                .fold(0.0, f32::max);
            word.max(self.parts(c, false))
        } else {
            0.0
        };
        let synonym = c.synonyms.iter().map(|&s| self.tier(s)).fold(0.0, f32::max)
            * MatchKind::Synonym.weight();
        let title = if self.in_title(c.text) || c.synonyms.iter().any(|&s| self.in_title(s)) {
            1.0
        } else if c.words.len() > 1 {
            c.words.iter().filter(|&&w| self.in_title(w)).count() as f32 / c.words.len() as f32
        } else {
            self.parts(c, true)
        };
        let best = direct.max(partial);
        (best.max(synonym), title, synonym > best)
    }
}

/// Scores an item's text into `e`: coverage, title coverage, focus, exact
/// title, relevance, and whether the match was mostly through synonyms.
pub(crate) fn score_text(
    e: &mut Explain,
    forms: &QueryForms,
    weights: &[f32],
    shared: &SharedMatch,
    meta: &str,
    explain: bool,
) {
    let item = ItemMatch {
        forms,
        shared,
        meta,
    };
    let total_weight: f32 = weights.iter().sum::<f32>().max(f32::MIN_POSITIVE);
    let mut coverage = 0.0;
    let mut title_coverage = 0.0;
    let mut synonym_weight = 0.0;
    for ((concept, weight), text) in forms.concepts.iter().zip(weights).zip(&forms.texts) {
        let (matched, title, via_synonym) = item.concept(concept);
        coverage += weight * matched;
        title_coverage += weight * title;
        if via_synonym {
            synonym_weight += weight * matched;
        }
        if explain && matched > 0.0 {
            e.matched.push(text.clone());
        }
    }
    e.coverage = coverage / total_weight;
    e.title_coverage = title_coverage / total_weight;
    // Focus: how much of the title the query explains (户籍迁移 fits the
    // query 户籍迁移 better than 户籍迁移进度查询 does).
    e.focus = shared.focus;
    e.exact_title = shared.exact_title;
    e.relevance =
        0.55 * e.coverage + 0.25 * e.title_coverage + 0.1 * e.bm25_normalized + 0.1 * e.focus;
    if e.exact_title {
        e.relevance += 0.3;
    }
    if e.match_kind == MatchKind::Exact && synonym_weight * 2.0 > coverage {
        e.match_kind = MatchKind::Synonym;
        e.match_kind_weight = MatchKind::Synonym.weight();
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
