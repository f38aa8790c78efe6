//! Stage 8 of the query pipeline: ranking — every scoring rule and the
//! threshold.
//!
//! ```text
//! score = relevance × match kind × popularity × region fit
//! relevance = 0.55 coverage + 0.25 title coverage + 0.1 BM25 + 0.1 focus
//!             (+ exact title, + place in text)
//! ```
//!
//! Each concept of the query weighs by how specific it is (inverse document
//! frequency of its most common form, capped for unknown, peripheral,
//! aspect and one-character concepts). A candidate's *coverage* is the
//! weighted share of the concepts its text contains, by field (title 1.0,
//! aliases 0.95, keywords 0.9, theme/department/region 0.7, description
//! 0.35). City variants of a service share their title, aliases, keywords
//! and description, so matches in those are computed once per
//! [`ItemText::group`] and reused; only the region-specific part (theme,
//! department, region names) is searched per item. The threshold then keeps
//! the candidates that cover enough of the query. Every factor is reported
//! in [`Explain`].

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::analyze::{AnalyzedQuery, Concept, MatchKind};
use crate::catalogue::ServiceItem;
use crate::collapse::Member;
use crate::explain::Explain;
use crate::forms::{ConceptForms, QueryForms};
use crate::frames::FrameMatch;
use crate::gazetteer::Gazetteer;
use crate::item_text::{ItemText, MetaParts, SEPARATOR, SharedSignatures};
use crate::locate::{RegionFit, ResolvedLocation};
use crate::retrieve::{Candidates, ConceptStats, Retrieval};

/// The per-search maps hash small keys (group ids, region codes) thousands
/// of times per query at scale: a fast non-cryptographic hasher, since the
/// keys come from the catalogue, not from the query.
type FastMap<K, V> = HashMap<K, V, RandomState>;

/// A hit must cover at least this share of the query's weight.
pub const MIN_COVERAGE: f32 = 0.5;
/// When nothing reaches [`MIN_COVERAGE`], partial matches down to this share
/// are shown instead (and the response says so).
pub const RELAXED_COVERAGE: f32 = 0.25;
/// A hit covering at least this share (but less than [`MIN_COVERAGE`]) is
/// kept when it outranks every hit that covers enough: it found the query's
/// decisive word where the others found only its generic ones.
pub const NEAR_COVERAGE: f32 = 0.4;

/// Least weight of a concept, however common (查询, 办理).
const MIN_WEIGHT: f32 = 0.2;
/// Weight cap of a concept no field of the catalogue contains.
const UNKNOWN_WEIGHT: f32 = 1.0;
/// Weight cap of a concept found only in descriptions or region names.
const PERIPHERAL_WEIGHT: f32 = 0.8;
/// Weight cap of an aspect word (材料, 流程, 多久).
const ASPECT_WEIGHT: f32 = 0.3;
/// Weight cap of a concept that is a single character without synonyms.
const SINGLE_CHAR_WEIGHT: f32 = 0.6;

/// Relevance: weight of the coverage.
const COVERAGE_SHARE: f32 = 0.55;
/// Relevance: weight of the title coverage.
const TITLE_COVERAGE_SHARE: f32 = 0.25;
/// Relevance: weight of the normalised BM25.
const BM25_SHARE: f32 = 0.1;
/// Relevance: weight of the focus (share of the title the query explains).
const FOCUS_SHARE: f32 = 0.1;
/// Relevance bonus for a query that is the title or an alias.
const EXACT_TITLE_BONUS: f32 = 0.3;
/// Relevance bonus for an item whose own text names the place in the query
/// (积分制入户广州 for 广州积分入户).
const PLACE_IN_TEXT_BONUS: f32 = 0.05;
/// Popularity factor at popularity 0; it rises linearly to
/// `POPULARITY_BASE + POPULARITY_SPAN` at 100.
const POPULARITY_BASE: f32 = 0.9;
/// See [`POPULARITY_BASE`].
const POPULARITY_SPAN: f32 = 0.2;

/// A compound concept matched only through its parts counts this much of a
/// whole-word match.
const PARTS_DISCOUNT: f32 = 0.9;
/// … and half that again when the part that ends the compound is missing.
const HEADLESS_PARTS: f32 = 0.5;
/// Field tier: found in the title.
const TITLE: f32 = 1.0;
/// Field tier: found in an alias.
const ALIAS: f32 = 0.95;
/// Field tier: found in a keyword.
const KEYWORD: f32 = 0.9;
/// Field tier: found in the theme, category, department or region names.
const META: f32 = 0.7;
/// Field tier: found in the description.
const BODY: f32 = 0.35;
/// Relevance bonus per facet of an item's eligibility the query's frame
/// matches (whose 户口 moves, an age, a relative, points).
const FRAME_BONUS: f32 = 0.1;
/// Score factor of a look-up service (查询) for a query naming a service in
/// English without asking for a look-up: `marriage registration` is the
/// registration, not the archive look-up about it.
const ENGLISH_LOOKUP_FACTOR: f32 = 0.85;
/// At most this many facets count towards [`FRAME_BONUS`].
const MAX_FRAME_FACETS: usize = 2;
/// A word the frame was read from (爸妈, 八十五岁) counts as found at this
/// tier in an item whose eligibility the frame matches.
const FRAME_TIER: f32 = 0.9;

/// A candidate after ranking: an item, or after collapsing the variant a
/// service shows.
pub(crate) struct Ranked {
    pub ordinal: usize,
    pub score: f32,
    pub coverage: f32,
    /// The coverage with the words of the query's frame counted as found
    /// when the item's eligibility matches the frame (else `coverage`).
    pub frame_coverage: f32,
    pub explain: Explain,
    /// After collapsing: every matching variant of the service (this one
    /// included), in region-code order; empty for an uncollapsed search.
    pub variants: Vec<u32>,
}

impl Member for Ranked {
    fn ordinal(&self) -> usize {
        self.ordinal
    }
    fn score(&self) -> f32 {
        self.score
    }
    fn set_variants(&mut self, variants: Vec<u32>) {
        self.variants = variants;
    }
}

/// What ranking reads of the catalogue.
pub(crate) struct Ranker<'a> {
    pub items: &'a [ServiceItem],
    pub texts: &'a [ItemText],
    /// Every item's theme, category, department and region names, interned.
    pub meta: &'a MetaParts,
    /// Per text group: the character signatures of its shared text.
    pub signatures: &'a [SharedSignatures],
    /// The ordinals of the items with a stated eligibility.
    pub eligible: &'a [u32],
    pub gazetteer: &'a Gazetteer,
}

impl<'a> Ranker<'a> {
    /// A scorer of the candidates of one retrieval: what every candidate
    /// shares (concept weights, query forms, the best BM25) computed once,
    /// matches in shared text cached per text group.
    pub(crate) fn scorer<'r>(
        &'r self,
        analyzed: &AnalyzedQuery,
        retrieval: &Retrieval,
        kind: MatchKind,
        location: Option<&'r ResolvedLocation>,
        explain: bool,
    ) -> Scorer<'r> {
        let weights: Vec<f32> = analyzed
            .concepts
            .iter()
            .zip(&retrieval.stats)
            .map(|(c, s)| concept_weight(c, s, retrieval.n_docs))
            .collect();
        let best_bm25 = retrieval.candidates.best_bm25();
        let forms = QueryForms::new(analyzed, &retrieval.parts);
        let frame = analyzed.frame.clone();
        // Only a query with a frame needs its text and concepts again.
        let (normalized, concept_texts) = match &frame {
            Some(_) => (
                analyzed.normalized.clone(),
                analyzed.concepts.iter().map(|c| c.text.clone()).collect(),
            ),
            None => (String::new(), Vec::new()),
        };
        // Per distinct meta part: which forms it contains (matched once per
        // part, not once per item).
        let mut part_forms: Vec<Option<u64>> = Vec::new();
        if forms.len() <= 64 {
            part_forms.resize(self.meta.len(), None);
        }
        Scorer {
            ranker: self,
            weights,
            best_bm25,
            forms,
            kind,
            location,
            explain,
            browse: retrieval.browse,
            shared: FastMap::default(),
            part_forms,
            fits: FastMap::default(),
            frame,
            normalized,
            concept_texts,
            english_name: analyzed.english_name,
        }
    }
}

/// Scores candidates of one retrieval (see [`Ranker::scorer`]).
pub(crate) struct Scorer<'r> {
    ranker: &'r Ranker<'r>,
    weights: Vec<f32>,
    best_bm25: f32,
    forms: QueryForms,
    kind: MatchKind,
    location: Option<&'r ResolvedLocation>,
    explain: bool,
    browse: bool,
    /// Matches in the text a group shares, per group.
    shared: FastMap<u32, SharedMatch>,
    part_forms: Vec<Option<u64>>,
    /// Region fit of each region code, computed once per code.
    fits: FastMap<&'r str, RegionFit>,
    /// The query's frame (who it is for), if it has one.
    frame: Option<crate::frames::Frame>,
    /// The normalised query the frame's spans point into.
    normalized: String,
    /// The concepts' texts (which of them the frame accounts for depends on
    /// the facets an item matches).
    concept_texts: Vec<String>,
    /// The query names a service in English, asking no look-up.
    english_name: bool,
}

impl Scorer<'_> {
    /// Drops the candidates that cannot cover [`RELAXED_COVERAGE`] of the
    /// query: those whose group's text (shared and every member's meta)
    /// lacks a character of every form of too many concepts. A concept
    /// counts at most its weight times the tier of the best field that may
    /// hold one of its forms, so such a candidate would fall below every
    /// threshold and be dropped after scoring anyway: the answer is the
    /// same, without scoring it. Nothing is dropped when browsing, nor a
    /// group with an item the query's frame matches (its eligibility can
    /// keep it where the words do not).
    pub(crate) fn drop_hopeless(&self, candidates: &mut Candidates) {
        let Some(hope) = self.hope() else {
            return;
        };
        let texts = self.ranker.texts;
        match candidates {
            Candidates::Groups(groups) => groups.retain(|&(group, _)| hope.hopeful(group)),
            Candidates::Items(items) => {
                let mut known: FastMap<u32, bool> = FastMap::default();
                items.retain(|&(ordinal, _)| {
                    let group = texts[ordinal as usize].group;
                    *known.entry(group).or_insert_with(|| hope.hopeful(group))
                })
            }
        }
    }

    /// What [`drop_hopeless`](Self::drop_hopeless) asks of each group, or
    /// `None` when nothing may be dropped.
    pub(crate) fn hope(&self) -> Option<Hope<'_>> {
        if self.browse {
            return None;
        }
        // With a frame, an item whose eligibility matches it can be kept on
        // the frame's words (see [`threshold`]): its group is never dropped.
        // Every other item's frame coverage is its coverage.
        let mut framed: Vec<u32> = Vec::new();
        if let Some(frame) = &self.frame {
            let ranker = self.ranker;
            for &ordinal in ranker.eligible {
                if let Some(eligibility) = &ranker.items[ordinal as usize].eligibility
                    && frame.matches(eligibility).specific(frame)
                {
                    framed.push(ranker.texts[ordinal as usize].group);
                }
            }
            framed.sort_unstable();
            framed.dedup();
        }
        let forms = &self.forms;
        let total: f32 = self.weights.iter().sum::<f32>().max(f32::MIN_POSITIVE);
        let own = (forms.concepts.iter())
            .map(|c| {
                std::iter::once(c.text)
                    .chain(c.words.iter().copied())
                    .chain(c.synonyms.iter().copied())
                    .chain(c.parts.iter().map(|&(p, _)| p))
                    .filter(|&f| forms.lengths[f] > 0)
                    .collect()
            })
            .collect();
        Some(Hope {
            forms,
            weights: &self.weights,
            own,
            signatures: self.ranker.signatures,
            framed,
            total,
            // A hair under the threshold, so rounding never drops a
            // candidate that scoring would keep.
            needed: RELAXED_COVERAGE * total * (1.0 - 1e-4),
        })
    }

    /// The query's forms, for highlighting the hits of this reading.
    pub(crate) fn into_forms(self) -> QueryForms {
        self.forms
    }

    /// Scores one candidate: every factor of the ranking formula.
    pub(crate) fn score(&mut self, ordinal: usize, bm25: f32) -> Ranked {
        let ranker = self.ranker;
        let item = &ranker.items[ordinal];
        let text = &ranker.texts[ordinal];
        let kind = self.kind;
        let mut e = Explain {
            bm25,
            bm25_normalized: bm25 / self.best_bm25,
            coverage: 1.0,
            title_coverage: 1.0,
            focus: 0.0,
            exact_title: false,
            relevance: 1.0,
            match_kind: kind,
            match_kind_weight: kind.weight(),
            popularity: item.popularity(),
            popularity_factor: POPULARITY_BASE + POPULARITY_SPAN * item.popularity() / 100.0,
            region_fit: None,
            region_factor: 1.0,
            place_in_text: false,
            score: 0.0,
            matched: Vec::new(),
            frame: Vec::new(),
            intent_factor: 1.0,
        };
        if self.english_name && item.service_type.as_deref() == Some("查询") {
            e.intent_factor = ENGLISH_LOOKUP_FACTOR;
        }
        let (facets, framed) = match (&self.frame, &item.eligibility) {
            (Some(frame), Some(eligibility)) => {
                let facets = frame.matches(eligibility);
                // A relative merely named (家里老人) explains, it does not boost.
                let framed: Vec<bool> = if !facets.specific(frame) {
                    Vec::new()
                } else {
                    self.concept_texts
                        .iter()
                        .map(|t| frame.covers(&self.normalized, t, &facets))
                        .collect()
                };
                (facets, framed)
            }
            _ => (FrameMatch::default(), Vec::new()),
        };
        let mut frame_coverage = None;
        if let Some(location) = self.location {
            let fit = *self
                .fits
                .entry(item.region_code.as_str())
                .or_insert_with(|| location.fit(ranker.gazetteer, &item.region_code));
            e.region_fit = Some(fit);
            e.region_factor = fit.factor();
        }
        if !self.browse {
            let forms = &self.forms;
            let shared = self.shared.entry(text.group).or_insert_with(|| {
                SharedMatch::new(forms, text, &ranker.signatures[text.group as usize])
            });
            let meta = ranker.meta_match(ordinal, forms, &mut self.part_forms);
            frame_coverage = score_text(
                &mut e,
                forms,
                &self.weights,
                shared,
                meta,
                &framed,
                self.explain,
            );
            e.place_in_text = shared.place_in_text;
            if e.place_in_text {
                e.relevance += PLACE_IN_TEXT_BONUS;
            }
        }
        if !framed.is_empty() {
            let (credit, title_credit) =
                frame_coverage.map_or((0.0, 0.0), |(f, t)| (f - e.coverage, t - e.title_coverage));
            e.relevance += COVERAGE_SHARE * credit
                + TITLE_COVERAGE_SHARE * title_credit
                + FRAME_BONUS * facets.facets.len().min(MAX_FRAME_FACETS) as f32;
        }
        if self.explain && !facets.is_empty() {
            e.frame = facets.labels();
        }
        e.score = e.relevance
            * e.match_kind_weight
            * e.popularity_factor
            * e.region_factor
            * e.intent_factor;
        Ranked {
            ordinal,
            score: e.score,
            coverage: e.coverage,
            frame_coverage: frame_coverage.map_or(e.coverage, |(f, _)| f),
            explain: e,
            variants: Vec::new(),
        }
    }
}

/// The most a group of candidates can cover of one query (see
/// [`Scorer::drop_hopeless`]).
pub(crate) struct Hope<'s> {
    forms: &'s QueryForms,
    weights: &'s [f32],
    /// Per concept: every form it can be matched by (as typed, words,
    /// synonyms, parts), none empty.
    own: Vec<Vec<usize>>,
    signatures: &'s [SharedSignatures],
    /// The groups with an item whose eligibility the query's frame matches
    /// (sorted).
    framed: Vec<u32>,
    /// The concepts' total weight.
    total: f32,
    /// The weight a candidate must be able to cover.
    needed: f32,
}

impl Hope<'_> {
    /// The most form `f` can count in a group with signatures `s`: the tier
    /// of the best field whose signature may hold it (a concept matches at
    /// most its best form's tier: partial matches average, parts and
    /// synonyms discount).
    fn tier_bound(&self, s: &SharedSignatures, f: usize) -> f32 {
        let form = &self.forms.signatures[f];
        if !s.all.may_contain(form) {
            0.0
        } else if s.title.may_contain(form) {
            TITLE
        } else if s.aliases.may_contain(form) {
            ALIAS
        } else if s.keywords.may_contain(form) {
            KEYWORD
        } else if s.meta.may_contain(form) {
            META
        } else {
            BODY
        }
    }

    /// Whether an item of text group `group` may cover
    /// [`RELAXED_COVERAGE`] of the query (false: none can).
    pub(crate) fn hopeful(&self, group: u32) -> bool {
        let Some(s) = self.signatures.get(group as usize) else {
            return true;
        };
        if self.framed.binary_search(&group).is_ok() {
            return true;
        }
        let (mut possible, mut left) = (0.0f32, self.total);
        for (forms, weight) in self.own.iter().zip(self.weights) {
            if possible >= self.needed {
                return true;
            }
            if possible + left < self.needed {
                return false;
            }
            left -= weight;
            let best = forms
                .iter()
                .map(|&f| self.tier_bound(s, f))
                .fold(0.0f32, f32::max);
            possible += weight * best;
        }
        possible >= self.needed
    }
}

impl<'a> Ranker<'a> {
    /// Which forms an item's meta text contains: a bit set computed once
    /// per distinct part, or (for a query of more than 64 forms) the parts
    /// themselves to search.
    fn meta_match(
        &self,
        ordinal: usize,
        forms: &QueryForms,
        part_forms: &mut [Option<u64>],
    ) -> MetaMatch<'a> {
        let ids = self.meta.of_item(ordinal);
        if part_forms.is_empty() {
            return MetaMatch::Parts(ids.map(|id| self.meta.value(id)));
        }
        let mut bits = 0;
        for id in ids {
            bits |= *part_forms[id as usize].get_or_insert_with(|| {
                let (value, signature) = (self.meta.value(id), self.meta.signature(id));
                (0..forms.len())
                    .filter(|&f| forms.found_in(f, value, signature))
                    .fold(0u64, |b, f| b | 1 << f)
            });
        }
        MetaMatch::Bits(bits)
    }
}

/// Where an item's meta text has a form.
#[derive(Clone, Copy)]
enum MetaMatch<'a> {
    /// Bit `f` set: form `f` is found.
    Bits(u64),
    /// The four parts to search (queries of more than 64 forms).
    Parts([&'a str; 4]),
}

/// A concept's weight: the inverse document frequency of its most common
/// whole form, so generic words (查询, 办理) weigh little; capped for
/// concepts the catalogue does not name services by.
fn concept_weight(concept: &Concept, stats: &ConceptStats, n_docs: f32) -> f32 {
    let weight_df = stats.whole_df.unwrap_or(stats.max_df);
    let mut weight = (1.0 + n_docs / (weight_df as f32 + 1.0))
        .ln()
        .max(MIN_WEIGHT);
    if !stats.known && !concept.aspect {
        // Words the catalogue never uses (typos, incidental words) must not
        // outweigh the words it does use.
        weight = weight.min(UNKNOWN_WEIGHT);
    } else if stats.title_df == 0 {
        // Only in descriptions or region names (材料, 流程 …).
        weight = weight.min(PERIPHERAL_WEIGHT);
    }
    if concept.aspect {
        weight = weight.min(ASPECT_WEIGHT);
    }
    if concept.synonyms.is_empty() && concept.text.chars().count() == 1 {
        // A lone character (查, 下) says little.
        weight = weight.min(SINGLE_CHAR_WEIGHT);
    }
    weight
}

/// Keeps hits that cover enough of the query, and partial matches that still
/// outrank every such hit (a hit finding the query's one specific word can
/// beat hits finding only its generic words); when no hit covers enough,
/// the best partial matches, flagged relaxed.
///
/// The decision is made on the words alone (`coverage`): an item the query's
/// frame matches is kept too when its coverage with the frame's words
/// counted (`frame_coverage`) is enough, so a frame adds hits and never
/// hides one.
pub(crate) fn threshold(ranked: Vec<Ranked>) -> (Vec<Ranked>, bool) {
    let framed = |r: &Ranked| r.frame_coverage >= MIN_COVERAGE;
    if let Some(first_full) = ranked.iter().position(|r| r.coverage >= MIN_COVERAGE) {
        (
            ranked
                .into_iter()
                .enumerate()
                .filter(|(i, r)| {
                    r.coverage >= MIN_COVERAGE
                        || (*i < first_full && r.coverage >= NEAR_COVERAGE)
                        || framed(r)
                })
                .map(|(_, r)| r)
                .collect(),
            false,
        )
    } else {
        let relaxed: Vec<Ranked> = ranked
            .into_iter()
            .filter(|r| r.coverage >= RELAXED_COVERAGE || framed(r))
            .collect();
        let is_relaxed = !relaxed.is_empty() && !relaxed.iter().any(framed);
        (relaxed, is_relaxed)
    }
}

/// What a query's forms find in the text a group of items shares (title,
/// aliases, keywords, description).
struct SharedMatch {
    /// Per form: where it is found in the text the group shares.
    found: Vec<SharedField>,
    /// Share of the title's characters the query accounts for.
    focus: f32,
    /// The query is the title or one of the aliases.
    exact_title: bool,
    /// A place the query names appears in the title, aliases or keywords.
    place_in_text: bool,
}

impl SharedMatch {
    /// Matches the forms against an item's shared text.
    fn new(forms: &QueryForms, text: &ItemText, signatures: &SharedSignatures) -> Self {
        let found: Vec<SharedField> = (0..forms.finders.len())
            .map(|f| {
                let named = if forms.found_in(f, &text.title, &signatures.title) {
                    TITLE
                } else if forms.found_in(f, &text.aliases, &signatures.aliases) {
                    ALIAS
                } else if forms.found_in(f, &text.keywords, &signatures.keywords) {
                    KEYWORD
                } else {
                    0.0
                };
                SharedField {
                    named,
                    body: named == 0.0 && forms.found_in(f, &text.body, &signatures.body),
                }
            })
            .collect();
        let title_chars = signatures.title_chars.max(1) as f32;
        // Only the forms found in the title can match in it.
        let in_title = |f: usize| found[f].named == TITLE;
        let covered = if (0..found.len()).any(in_title) {
            forms.covered_chars(&text.title, in_title)
        } else {
            0
        };
        let content = &forms.content;
        SharedMatch {
            focus: covered as f32 / title_chars,
            exact_title: !content.is_empty()
                && (text.title == *content
                    || (signatures.aliases.may_contain(&forms.content_signature)
                        && text.aliases.split(SEPARATOR).any(|a| a == content))),
            place_in_text: forms.places.iter().any(|&p| found[p].named > 0.0),
            found,
        }
    }
}

/// Where one form is found in the text a group shares (one record per form,
/// one vector per group).
#[derive(Clone, Copy)]
struct SharedField {
    /// [`TITLE`], [`ALIAS`] or [`KEYWORD`], or 0.
    named: f32,
    /// Not named, but found in the description.
    body: bool,
}

/// One item's view: the shared matches plus its own region-specific text.
struct ItemMatch<'a> {
    forms: &'a QueryForms,
    shared: &'a SharedMatch,
    meta: MetaMatch<'a>,
}

impl ItemMatch<'_> {
    /// The field tier a form is found in (title ≫ aliases > keywords >
    /// theme/department/region > description).
    fn tier(&self, form: usize) -> f32 {
        let named = self.shared.found[form].named;
        if named > 0.0 {
            named
        } else if match self.meta {
            MetaMatch::Bits(bits) => bits >> form & 1 == 1,
            MetaMatch::Parts(parts) => parts.iter().any(|p| self.forms.found(form, p)),
        } {
            META
        } else if self.shared.found[form].body {
            BODY
        } else {
            0.0
        }
    }

    fn in_title(&self, form: usize) -> bool {
        self.shared.found[form].named >= ALIAS
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
/// With `framed` (per concept: a word of the query's frame, for an item the
/// frame matches) it also returns the coverage with those words counted as
/// found at [`FRAME_TIER`], and the title coverage likewise (what a service
/// is for is part of what it is named for).
fn score_text(
    e: &mut Explain,
    forms: &QueryForms,
    weights: &[f32],
    shared: &SharedMatch,
    meta: MetaMatch<'_>,
    framed: &[bool],
    explain: bool,
) -> Option<(f32, f32)> {
    let item = ItemMatch {
        forms,
        shared,
        meta,
    };
    let total_weight: f32 = weights.iter().sum::<f32>().max(f32::MIN_POSITIVE);
    let mut coverage = 0.0;
    let mut title_coverage = 0.0;
    let mut synonym_weight = 0.0;
    let mut frame_coverage = 0.0;
    let mut frame_title = 0.0;
    for (i, ((concept, weight), text)) in forms
        .concepts
        .iter()
        .zip(weights)
        .zip(&forms.texts)
        .enumerate()
    {
        let (matched, title, via_synonym) = item.concept(concept);
        coverage += weight * matched;
        if framed.get(i).copied().unwrap_or(false) {
            frame_coverage += weight * matched.max(FRAME_TIER);
            frame_title += weight * title.max(FRAME_TIER);
        } else {
            frame_coverage += weight * matched;
            frame_title += weight * title;
        }
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
    e.relevance = COVERAGE_SHARE * e.coverage
        + TITLE_COVERAGE_SHARE * e.title_coverage
        + BM25_SHARE * e.bm25_normalized
        + FOCUS_SHARE * e.focus;
    if e.exact_title {
        e.relevance += EXACT_TITLE_BONUS;
    }
    if e.match_kind == MatchKind::Exact && synonym_weight * 2.0 > coverage {
        e.match_kind = MatchKind::Synonym;
        e.match_kind_weight = MatchKind::Synonym.weight();
    }
    (!framed.is_empty()).then(|| (frame_coverage / total_weight, frame_title / total_weight))
}
