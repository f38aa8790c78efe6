//! Stage 7 of the query pipeline: retrieval.
//!
//! One query of term clauses is built from every form of every concept of
//! an [`AnalyzedQuery`] (as typed, its words, its thesaurus synonyms, each
//! with its search-mode sub-words), in every field people name services by
//! (a clause only where some document has the term); a concept no word
//! field knows falls back to its characters. The clauses are scored with
//! BM25 over the postings read when the index opened
//! ([`crate::postings`]). Retrieval is
//! deliberately generous (any concept in any field): the best
//! [`MAX_GROUPS`] text groups by BM25 are the candidates — whole when
//! nothing is filtered, else expanded to the items that pass the filters
//! — and [`crate::rank`] decides. Retrieval also reports what
//! the index knows about each concept (document frequencies, for the
//! concept weights) and how many concepts it does not know at all (a sign
//! of typos or pinyin, for the decision to correct).

use crate::analyze::{AnalyzedQuery, Concept, MatchKind};
use crate::catalogue::ServiceItem;
use crate::collapse::ServiceVariants;
use crate::correct::Corrector;
use crate::error::Result;
use crate::filter::ItemFilter;
use crate::index::SearchIndex;
use crate::normalize::is_han;
use crate::postings::{TermClause, best_first};
use crate::segment::Segmenter;
use crate::text_field::TextField;

/// Text groups (services) retrieved per search, the best by BM25. Larger than
/// the bundled catalogue's 471, so its totals are exact.
pub const MAX_GROUPS: usize = 512;
/// Items ranked precisely per search: the best retrieved groups are taken
/// until their items reach this many. Past it, `total_relation` is `gte`.
pub const MAX_CANDIDATES: usize = 8_192;
/// Boost of a thesaurus synonym's terms relative to the words as typed
/// (times the synonym match weight).
const SYNONYM_TERM_BOOST: f32 = 0.9;

/// What the index knows about one concept of the query.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ConceptStats {
    /// Largest document frequency of any of its terms in the word fields
    /// (or, for a concept no word field knows, of its rarest character).
    pub max_df: u64,
    /// Largest document frequency in the fields services are named by
    /// (title, aliases, keywords).
    pub title_df: u64,
    /// Document frequency of its most common whole form (see
    /// [`Retriever::retrieve`]).
    pub whole_df: Option<u64>,
    /// Some word field contains one of its terms.
    pub known: bool,
}

/// A concept split into its longest dictionary sub-words (公积金提取 → 公积金,
/// 提取): each with its length in characters and whether it ends the concept.
pub(crate) type Parts = Vec<(String, usize, bool)>;

/// The candidates of one retrieval and what ranking needs to know about the
/// query.
pub(crate) struct Retrieval {
    /// What was retrieved.
    pub candidates: Candidates,
    /// Per concept: what the index knows about it.
    pub stats: Vec<ConceptStats>,
    /// Per concept: its dictionary parts.
    pub parts: Vec<Parts>,
    /// Documents in the index.
    pub n_docs: f32,
    /// Concepts the catalogue does not know, fragment runs and hidden
    /// homophones: a sign that the query needs correcting.
    pub unknown: usize,
    /// More items matched than were retrieved.
    pub more: bool,
    /// The query has no concept (browsing by filters): nothing is scored.
    pub browse: bool,
}

/// The candidates of one retrieval, each with the BM25 of its text group.
#[derive(Debug, Clone)]
pub(crate) enum Candidates {
    /// Every item of each of these text groups (nothing was filtered
    /// out), in no particular order: collapsing reads whole services.
    Groups(Vec<(u32, f32)>),
    /// These item ordinals (filtered, or browsing), in no particular order.
    Items(Vec<(u32, f32)>),
}

impl Candidates {
    /// The best BM25 of any candidate (at least the smallest positive
    /// number, so it divides).
    pub(crate) fn best_bm25(&self) -> f32 {
        let (Candidates::Groups(c) | Candidates::Items(c)) = self;
        c.iter().map(|m| m.1).fold(f32::MIN_POSITIVE, f32::max)
    }
}

/// Retrieval over one engine's index and catalogue.
pub(crate) struct Retriever<'a> {
    pub index: &'a SearchIndex,
    pub segmenter: &'a Segmenter,
    pub corrector: &'a Corrector,
    pub items: &'a [ServiceItem],
    /// The items of each text group.
    pub services: &'a [ServiceVariants],
}

impl Retriever<'_> {
    /// Retrieves the candidates of an analysed query that pass the filter.
    pub(crate) fn retrieve(
        &self,
        analyzed: &AnalyzedQuery,
        filter: &ItemFilter<'_>,
    ) -> Result<Retrieval> {
        let n_docs = self.index.num_docs().max(1) as f32;
        let mut stats = Vec::with_capacity(analyzed.concepts.len());
        let mut parts = Vec::with_capacity(analyzed.concepts.len());
        let mut unknown = 0;
        let mut clauses: Vec<TermClause> = Vec::new();
        for concept in &analyzed.concepts {
            parts.push(self.parts_of(&concept.text));
            let s = self.concept(concept, &mut clauses);
            if !s.known && !concept.aspect {
                unknown += 1;
            }
            stats.push(s);
        }
        unknown += fragment_runs(analyzed);
        unknown += self.hidden_homophones(analyzed);

        let browse = analyzed.concepts.is_empty();
        let (candidates, more) = if browse {
            // Browsing scores nothing: every item the filters accept.
            let all = (0..self.items.len() as u32)
                .filter(|&i| filter.accepts(&self.items[i as usize]))
                .map(|i| (i, 0.0))
                .collect();
            (Candidates::Items(all), false)
        } else {
            self.expand(&clauses, filter)
        };
        Ok(Retrieval {
            candidates,
            stats,
            parts,
            n_docs,
            unknown,
            more,
            browse,
        })
    }

    /// Adds one concept's clauses to the query and returns its statistics.
    fn concept(&self, concept: &Concept, clauses: &mut Vec<TermClause>) -> ConceptStats {
        let postings = self.index.postings();
        let df = |field: TextField, term: &str| self.index.doc_freq(field, term);
        let mut terms: Vec<(String, f32)> = Vec::new();
        // Whole forms of the concept (as typed, its words, its official
        // terms), each with its search-mode sub-words (itself first).
        let mut wholes: Vec<Vec<String>> = Vec::new();
        for word in std::iter::once(&concept.text).chain(&concept.words) {
            let subs = self.segmenter.subwords(word);
            for sub in &subs {
                push_term(&mut terms, sub, 1.0);
            }
            wholes.push(subs);
        }
        for synonym in &concept.synonyms {
            let subs = self.segmenter.subwords(synonym);
            for sub in &subs {
                push_term(
                    &mut terms,
                    sub,
                    MatchKind::Synonym.weight() * SYNONYM_TERM_BOOST,
                );
            }
            wholes.push(subs);
        }
        // Per term: (document frequency in the word fields, in the name
        // fields).
        let dfs: Vec<(u64, u64)> = terms
            .iter()
            .map(|(term, _)| {
                if term.chars().count() == 1 && term.chars().all(is_han) {
                    let d = df(TextField::Chars, term);
                    (d, d)
                } else {
                    let in_fields =
                        |fs: &[TextField]| fs.iter().map(|f| df(*f, term)).max().unwrap_or(0);
                    (
                        in_fields(&TextField::WORD_FIELDS),
                        in_fields(&TextField::NAME_FIELDS),
                    )
                }
            })
            .collect();
        let df_of = |term: &str| terms.iter().position(|(t, _)| t == term).map(|i| dfs[i]);
        let mut max_df = dfs.iter().map(|d| d.0).max().unwrap_or(0);
        let title_df = dfs.iter().map(|d| d.1).max().unwrap_or(0);
        // The concept weighs by how many services its most common whole
        // form names. A form that is not an index token is estimated by its
        // rarest sub-word (every document holding the form holds it):
        // 医疗机构查询 is as specific as 医疗机构, however common 查询 is.
        let whole_df = wholes
            .iter()
            .filter_map(|subs| {
                let whole = df_of(&subs[0]).map_or(0, |d| d.0);
                if whole > 0 {
                    return Some(whole);
                }
                subs[1..]
                    .iter()
                    .filter(|s| s.chars().count() > 1)
                    .filter_map(|s| df_of(s).map(|d| d.0))
                    .filter(|&d| d > 0)
                    .min()
            })
            .max();
        let known = max_df > 0;
        if !known {
            // Unknown to every word field: fall back to its characters.
            let mut rarest: Option<u64> = None;
            for c in concept.text.chars().filter(|c| is_han(*c)) {
                let mut buf = [0u8; 4];
                let c = c.encode_utf8(&mut buf);
                let d = df(TextField::Chars, c);
                rarest = Some(rarest.map_or(d, |r| r.min(d)));
                // No clause where no document has it: it would add nothing.
                clauses.extend(postings.clause(TextField::Chars, c, TextField::Chars.boost()));
            }
            max_df = rarest.unwrap_or(0);
        }
        for (term, boost) in &terms {
            // Official terms (boost < 1) are looked up where services are
            // named; the words as typed everywhere.
            let searched: &[TextField] = if *boost < 1.0 {
                &TextField::NAME_FIELDS
            } else {
                &TextField::WORD_FIELDS
            };
            for &field in searched {
                clauses.extend(postings.clause(field, term, field.boost() * boost));
            }
        }
        ConceptStats {
            max_df,
            title_df,
            whole_df,
            known,
        }
    }

    /// Scores the clauses (BM25, summed) and takes the best text groups:
    /// whole when the filter accepts everything, else expanded to their
    /// items that pass it, each with its group's BM25.
    fn expand(&self, clauses: &[TermClause], filter: &ItemFilter<'_>) -> (Candidates, bool) {
        let (mut groups, mut more) = self.index.postings().top_groups(clauses, MAX_GROUPS);
        let members = |group: u32| ServiceVariants::of_group(self.services, group);
        let size = |group: u32| members(group).len();
        // Order matters only when MAX_CANDIDATES cuts the groups short.
        if groups.iter().map(|&(group, _)| size(group)).sum::<usize>() > MAX_CANDIDATES {
            best_first(&mut groups);
        }
        if filter.accepts_all() {
            // Whole groups, as many as fill MAX_CANDIDATES items (a group
            // started is taken whole).
            let mut items = 0;
            let taken = groups
                .iter()
                .take_while(|&&(group, _)| {
                    let before = items;
                    items += size(group);
                    before < MAX_CANDIDATES
                })
                .count();
            more |= taken < groups.len();
            groups.truncate(taken);
            return (Candidates::Groups(groups), more);
        }
        let mut items: Vec<(u32, f32)> = Vec::new();
        for (i, &(group, bm25)) in groups.iter().enumerate() {
            if items.len() >= MAX_CANDIDATES {
                more |= i < groups.len();
                break;
            }
            items.extend(
                members(group)
                    .iter()
                    .filter(|&&m| filter.accepts(&self.items[m as usize]))
                    .map(|&m| (m, bm25)),
            );
        }
        (Candidates::Items(items), more)
    }

    /// Byte spans of the Latin words of a normalised query that the catalogue
    /// itself uses (ETC, APP): they are words, not pinyin, and stay as typed
    /// when the rest of the query is corrected.
    pub(crate) fn known_latin_words(&self, normalized: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut start = None;
        for (at, ch) in normalized.char_indices().chain([(normalized.len(), ' ')]) {
            match (ch.is_ascii_alphanumeric(), start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => {
                    start = None;
                    let word = &normalized[s..at];
                    if word.len() < 2 {
                        continue;
                    }
                    let known = TextField::WORD_FIELDS
                        .iter()
                        .any(|&f| self.index.doc_freq(f, word) > 0);
                    if known {
                        spans.push((s, at));
                    }
                }
                _ => {}
            }
        }
        spans
    }

    /// Whether a normalised query has Latin words of two letters or more the
    /// catalogue does not use.
    pub(crate) fn has_unread_latin(&self, normalized: &str) -> bool {
        let known = self.known_latin_words(normalized);
        normalized
            .split(|c: char| !c.is_ascii_lowercase())
            .filter(|w| w.len() >= 2)
            .any(|w| {
                let at = w.as_ptr() as usize - normalized.as_ptr() as usize;
                !known.contains(&(at, at + w.len()))
            })
    }

    /// Runs of two or three adjacent concepts that together are no word of
    /// the correction vocabulary but sound exactly like one (公 + 基金 →
    /// 公积金, 婚姻 + 等级 → 婚姻登记): a homophone typo that forms other real
    /// words. Each counts as an unknown word, so the corrector reads the
    /// query; its reading is kept only if it matches better.
    fn hidden_homophones(&self, analyzed: &AnalyzedQuery) -> usize {
        hidden_homophones(self.corrector, analyzed).len()
    }

    /// A concept split into its longest dictionary sub-words, left to right
    /// and without overlaps (公积金提取 → 公积金, 提取), each with its length
    /// in characters and whether it ends the concept (is its head); empty
    /// when the concept is one indivisible word.
    fn parts_of(&self, text: &str) -> Parts {
        let mut spans = self.segmenter.search_spans(text);
        spans.retain(|&(s, e)| e - s < text.len());
        spans.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        for (s, e) in spans {
            if chosen.iter().all(|&(cs, ce)| e <= cs || s >= ce) {
                chosen.push((s, e));
            }
        }
        chosen.sort_unstable();
        chosen
            .into_iter()
            .map(|(s, e)| {
                (
                    text[s..e].to_string(),
                    text[s..e].chars().count(),
                    e == text.len(),
                )
            })
            .collect()
    }
}

/// The hidden homophone typos of a query (see
/// [`Corrector::sound_alike`]): per run of two or three adjacent concepts
/// (no aspect word among them) found together in the query, its text and
/// the vocabulary word it sounds like, left to right (runs may overlap).
pub(crate) fn hidden_homophones<'c>(
    corrector: &'c Corrector,
    analyzed: &AnalyzedQuery,
) -> Vec<(String, &'c str)> {
    let concepts = &analyzed.concepts;
    let mut found = Vec::new();
    for start in 0..concepts.len() {
        for len in 2..=3 {
            let Some(window) = concepts.get(start..start + len) else {
                break;
            };
            if window.iter().any(|c| c.aspect) {
                break;
            }
            let text: String = window.iter().map(|c| c.text.as_str()).collect();
            if analyzed.normalized.contains(text.as_str())
                && let Some(word) = corrector.sound_alike(&text)
            {
                found.push((text, word));
            }
        }
    }
    found
}

fn push_term(terms: &mut Vec<(String, f32)>, term: &str, boost: f32) {
    match terms.iter_mut().find(|(t, _)| t == term) {
        Some(existing) => existing.1 = existing.1.max(boost),
        None => terms.push((term.to_string(), boost)),
    }
}

/// Runs of two or more adjacent single-character concepts without synonyms
/// (抵 压 for the mistyped 抵押): jieba splits a word it does not know into
/// characters, each of which the catalogue may well contain, so they count
/// as unknown words when deciding whether to try a correction.
fn fragment_runs(analyzed: &AnalyzedQuery) -> usize {
    let is_fragment = |c: &Concept| {
        !c.aspect
            && c.synonyms.is_empty()
            && c.text.chars().count() == 1
            && c.text.chars().all(is_han)
    };
    let mut runs = 0;
    let mut in_run = false;
    for pair in analyzed.concepts.windows(2) {
        let (first, second) = (&pair[0].text, &pair[1].text);
        let adjacent = is_fragment(&pair[0])
            && is_fragment(&pair[1])
            && analyzed
                .normalized
                .match_indices(first.as_str())
                .any(|(at, _)| {
                    analyzed.normalized[at + first.len()..].starts_with(second.as_str())
                });
        if adjacent && !in_run {
            runs += 1;
        }
        in_run = adjacent;
    }
    runs
}
