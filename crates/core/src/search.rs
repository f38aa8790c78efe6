//! Retrieval, ranking and grouping — the last stages of the query pipeline.
//!
//! ```text
//! AnalyzedQuery ─► retrieve (tantivy BM25, filters) ─► rank (coverage, title,
//! popularity …) ─► threshold ─► group by category + facets ─► page
//! ```
//!
//! Retrieval is deliberately generous (any concept in any field); ranking then
//! scores each candidate by how much of the query it covers, where, and how
//! popular it is. Every factor is reported by `explain`.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use serde::Serialize;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::analyze::{AnalyzedQuery, MatchKind};
use crate::catalogue::{AUDIENCES, SERVICE_TYPES, ServiceItem};
use crate::collapse::{self, Member, variant_preference};
use crate::correct::Correction;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::facets::Facets;
use crate::gazetteer::Division;
use crate::geo::{validate_position, wgs84_to_gcj02};
use crate::index::{TextField, top_matches};
use crate::locate::{LocationInput, LocationSource, RegionFit, ResolvedLocation};
use crate::normalize::is_han;
use crate::rank::{QueryForms, SharedMatch, highlight, score_text};

/// The per-search maps hash small keys (group ids, region codes) thousands
/// of times per query at scale: a fast non-cryptographic hasher, since the
/// keys come from the catalogue, not from the query.
type FastMap<K, V> = HashMap<K, V, RandomState>;

/// Largest page size.
pub const MAX_PAGE_SIZE: usize = 100;
/// Deepest page (`page × size` beyond this is refused).
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// A hit must cover at least this share of the query's weight.
pub const MIN_COVERAGE: f32 = 0.5;
/// When nothing reaches [`MIN_COVERAGE`], partial matches down to this share
/// are shown instead (and the response says so).
pub const RELAXED_COVERAGE: f32 = 0.25;
/// A hit covering at least this share (but less than [`MIN_COVERAGE`]) is
/// kept when it outranks every hit that covers enough: it found the query's
/// decisive word where the others found only its generic ones.
pub const NEAR_COVERAGE: f32 = 0.4;
/// Text groups (services) retrieved per search, best BM25 first. Larger than
/// the bundled catalogue's 471, so its totals are exact.
pub const MAX_GROUPS: usize = 512;
/// Items ranked precisely per search: the retrieved groups are expanded to
/// their items until this many. Past it, `total_relation` is `gte`.
pub const MAX_CANDIDATES: usize = 8_192;

/// Filters of a search (多条件筛选). All given filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filters {
    /// 分类.
    pub category: Option<String>,
    /// 主题.
    pub theme: Option<String>,
    /// 实施部门 (exact name).
    pub department: Option<String>,
    /// Region code or name: items offered to people there (the region's own,
    /// its districts', and the city-wide and province-wide ones above it).
    pub region: Option<String>,
    /// 服务对象: 自然人 or 法人.
    pub audience: Option<String>,
    /// 事项类型: 查询, 办理, 预约, 缴费 or 证明.
    pub service_type: Option<String>,
    /// Only items that can (true) or cannot (false) be done online.
    pub online: Option<bool>,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// A search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The query as typed.
    pub query: String,
    /// Filters.
    pub filters: Filters,
    /// 1-based page number.
    pub page: usize,
    /// Hits per page.
    pub size: usize,
    /// Include the score factors of every hit.
    pub explain: bool,
    /// Read pinyin and correct typos when the query as typed matches poorly
    /// (default). `false` searches the query exactly as typed (仍然搜索).
    pub correct: bool,
    /// Where the person is (phone position or a region the app knows). A
    /// place named in the query wins over it.
    pub location: Option<LocationInput>,
    /// One hit per service, its city variants riding along (default).
    /// `false` returns every matching item (for operators).
    pub collapse: bool,
}

impl SearchRequest {
    /// A request for the first page of 10 hits.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            page: 1,
            size: 10,
            explain: false,
            correct: true,
            location: None,
            collapse: true,
        }
    }

    /// From a phone's WGS-84 position.
    pub fn at_position(mut self, lat: f64, lng: f64) -> Self {
        self.location = Some(LocationInput::Position { lat, lng });
        self
    }

    /// For a person in this region (code or name, city or district).
    pub fn in_region(mut self, region: impl Into<String>) -> Self {
        self.location = Some(LocationInput::Region(region.into()));
        self
    }

    /// Without pinyin reading and typo correction (search as typed).
    pub fn as_typed(mut self) -> Self {
        self.correct = false;
        self
    }

    /// With filters.
    pub fn filters(mut self, filters: Filters) -> Self {
        self.filters = filters;
        self
    }

    /// With a page and page size.
    pub fn page(mut self, page: usize, size: usize) -> Self {
        self.page = page;
        self.size = size;
        self
    }

    /// With score explanations.
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// With one hit per service (`true`, the default) or every matching
    /// item (`false`).
    pub fn collapse(mut self, collapse: bool) -> Self {
        self.collapse = collapse;
        self
    }
}

/// Whether a total is exact or a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TotalRelation {
    /// Exact.
    Eq,
    /// At least this many.
    Gte,
}

/// The score factors of a hit (`explain`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explain {
    /// Raw BM25 of the retrieval query.
    pub bm25: f32,
    /// BM25 relative to the best candidate (0–1).
    pub bm25_normalized: f32,
    /// Share of the query's weight found in the item, weighted by field
    /// (title 1.0, aliases 0.95, keywords 0.9, theme/department/region 0.7,
    /// description 0.35).
    pub coverage: f32,
    /// Share of the query's weight found in the title or an alias.
    pub title_coverage: f32,
    /// Share of the title's characters the query accounts for.
    pub focus: f32,
    /// The query equals the title or an alias.
    pub exact_title: bool,
    /// Text relevance combining the above.
    pub relevance: f32,
    /// How the query matched (exact words or thesaurus synonyms).
    pub match_kind: MatchKind,
    /// Weight of the match kind.
    pub match_kind_weight: f32,
    /// The item's popularity prior (0–100).
    pub popularity: f32,
    /// Multiplier from popularity.
    pub popularity_factor: f32,
    /// How the item's region fits the searcher's location (absent when no
    /// location is known).
    pub region_fit: Option<RegionFit>,
    /// Multiplier from the region fit.
    pub region_factor: f32,
    /// A place named in the query also appears in the item's title, aliases
    /// or keywords (a small bonus).
    pub place_in_text: bool,
    /// Final score = relevance × match kind × popularity × region.
    pub score: f32,
    /// The concepts of the query the item matched.
    pub matched: Vec<String>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// Item id.
    pub id: String,
    /// 事项名称.
    pub title: String,
    /// The title with matched fragments in `<em>…</em>` (HTML-escaped).
    pub title_highlight: String,
    /// 分类.
    pub category: String,
    /// 主题.
    pub theme: String,
    /// 实施部门.
    pub department: String,
    /// Region code.
    pub region_code: String,
    /// Region name (广东省, 深圳市, 广州市天河区).
    pub region_name: String,
    /// 事项类型.
    pub service_type: Option<String>,
    /// Can be done online.
    pub online: bool,
    /// Final score.
    pub score: f32,
    /// How many regions offer this service (its variants matching the
    /// request: "21 个城市可办"); 1 for an uncollapsed search.
    pub variant_count: usize,
    /// Every variant of the service matching the request, this hit's
    /// included, in region-code order (absent for an uncollapsed search).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Score factors, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// One regional variant of a service (the item a region offers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    /// Item id.
    pub id: String,
    /// Region code.
    pub region_code: String,
    /// Region name (广东省, 深圳市, 广州市天河区).
    pub region_name: String,
}

/// Results of one category (分类展现).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    /// 分类.
    pub category: String,
    /// Number of hits (services, or items when uncollapsed) in the category.
    pub count: usize,
    /// Its best hits (up to three ids, best first).
    pub top: Vec<String>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    /// How the query was understood.
    pub query: AnalyzedQuery,
    /// Hits in all (over every page): services, or items for an
    /// uncollapsed search.
    pub total: usize,
    /// Items in all: every matching variant of the services counted in
    /// `total`.
    pub total_items: usize,
    /// `eq` when `total` is exact; `gte` when more items matched than were
    /// ranked (very large catalogues), so `total` is a lower bound.
    pub total_relation: TotalRelation,
    /// Page number.
    pub page: usize,
    /// Page size.
    pub size: usize,
    /// Nothing matched the whole query; these are the best partial matches.
    pub relaxed: bool,
    /// The location the ranking used, and where it came from (a place in the
    /// query, the phone's position, or an explicit city/region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<ResolvedLocation>,
    /// When the query was read as pinyin or had typos corrected: the query
    /// as typed and as searched. Search `correction.original` with
    /// `correct=false` to search it as typed (仍然搜索).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
    /// A message for the user when there is nothing to show or the query was
    /// blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// Hits grouped by category.
    pub groups: Vec<Group>,
    /// Facet counts of the hits (services, or items when uncollapsed; a
    /// service counts once under each city that offers it).
    pub facets: Facets,
}

/// The filters of a request, checked and ready to match items (多条件筛选).
struct ItemFilter<'a> {
    filters: &'a Filters,
    region: Option<&'a Division>,
    gazetteer: &'a crate::gazetteer::Gazetteer,
}

impl ItemFilter<'_> {
    /// Whether an item passes every filter. The region filter accepts items
    /// of the region or inside it, and those offered above it (city- or
    /// province-wide).
    fn accepts(&self, item: &ServiceItem) -> bool {
        let f = self.filters;
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        is(&f.category, &item.category)
            && is(&f.theme, &item.theme)
            && is(&f.department, &item.department)
            && f.audience
                .as_deref()
                .is_none_or(|a| item.audience.iter().any(|x| x == a))
            && f.service_type
                .as_deref()
                .is_none_or(|t| item.service_type.as_deref() == Some(t))
            && f.online.is_none_or(|o| item.online.unwrap_or(false) == o)
            && self.region.is_none_or(|r| {
                self.gazetteer.is_within(&item.region_code, &r.code)
                    || self.gazetteer.is_within(&r.code, &item.region_code)
            })
    }
}

/// Candidates of one retrieval, ranked, with how many concepts of the query
/// the catalogue does not know at all (a sign of typos or pinyin).
struct Retrieved {
    ranked: Vec<Ranked>,
    unknown: usize,
    /// More items matched than were ranked.
    more: bool,
}

/// A candidate after ranking: an item, or after collapsing the variant a
/// service shows.
struct Ranked {
    ordinal: usize,
    score: f32,
    coverage: f32,
    explain: Explain,
    /// After collapsing: every matching variant of the service (this one
    /// included), in region-code order; empty for an uncollapsed search.
    variants: Vec<u32>,
}

impl Member for Ranked {
    fn ordinal(&self) -> usize {
        self.ordinal
    }
    fn score(&self) -> f32 {
        self.score
    }
}

impl Engine {
    /// Runs a search through the whole pipeline.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        validate(request)?;
        let unknown_value = self.unknown_value(request);
        let analyzed = self.analyzer.analyze(&request.query);
        let mut response = SearchResponse {
            query: analyzed,
            total: 0,
            total_items: 0,
            total_relation: TotalRelation::Eq,
            page: request.page,
            size: request.size,
            relaxed: false,
            location: None,
            correction: None,
            message: None,
            hits: Vec::new(),
            groups: Vec::new(),
            facets: Facets::default(),
        };
        if response.query.is_blocked() {
            response.message = Some(BLOCKED_MESSAGE.into());
            return Ok(response);
        }
        // A filter value or city that names nothing in this catalogue
        // matches nothing: an answer, not an error (the catalogue may have
        // changed since the client read its values).
        if let Some(unknown) = unknown_value {
            response.message = Some(format!("没有找到相关事项：{unknown}。"));
            return Ok(response);
        }
        let filter = self.item_filter(&request.filters)?;
        // Resolved (and validated) even when the query names a place.
        let given = self.given_location(request)?;
        if response.query.concepts.is_empty() && request.filters.is_empty() {
            response.message =
                Some("请输入要办理的事项，例如“公积金提取”“社保查询”“港澳通行证签注”。".into());
            return Ok(response);
        }

        let mut location = self
            .query_location(&response.query)
            .or_else(|| given.clone());
        let retrieved = self.retrieve_and_rank(
            &response.query,
            &filter,
            request.explain,
            MatchKind::Exact,
            location.as_ref(),
        )?;
        let unknown = retrieved.unknown;
        let mut more = retrieved.more;
        let ranked = self.collapse(retrieved.ranked, request.collapse, location.as_ref());
        let (mut passing, mut relaxed) = threshold(ranked);
        let best = |hits: &[Ranked], relaxed: bool| {
            hits.first().map_or(0.0, |r| {
                if relaxed {
                    r.coverage * 0.5
                } else {
                    r.coverage
                }
            })
        };
        let original_best = best(&passing, relaxed);
        // Read pinyin and correct typos when the query as typed matches
        // poorly or has words the catalogue does not know.
        if request.correct
            && (original_best < 0.75 || unknown > 0)
            && !response.query.concepts.is_empty()
            && let Some(correction) = self.corrector.correct_guarded(
                &response.query.normalized,
                &[
                    response.query.filler_spans.as_slice(),
                    &self.known_latin_words(&response.query.normalized),
                ]
                .concat(),
                &response.query.word_spans,
            )
        {
            let mut analyzed = self.analyzer.analyze(&correction.corrected);
            for concept in &mut analyzed.concepts {
                if let Some((_, same)) = correction
                    .homophones
                    .iter()
                    .find(|(w, _)| *w == concept.text)
                {
                    concept.synonyms.extend(same.iter().cloned());
                }
            }
            if analyzed.is_blocked() {
                response.query.blocked_by = analyzed.blocked_by;
                response.message = Some(BLOCKED_MESSAGE.into());
                return Ok(response);
            }
            let kind = if correction.is_pinyin_input() {
                MatchKind::Pinyin
            } else {
                MatchKind::Corrected
            };
            let corrected_location = self.query_location(&analyzed).or_else(|| given.clone());
            let retrieved = self.retrieve_and_rank(
                &analyzed,
                &filter,
                request.explain,
                kind,
                corrected_location.as_ref(),
            )?;
            let corrected_unknown = retrieved.unknown;
            let corrected_more = retrieved.more;
            let ranked = self.collapse(
                retrieved.ranked,
                request.collapse,
                corrected_location.as_ref(),
            );
            let (corrected_passing, corrected_relaxed) = threshold(ranked);
            let corrected_best = best(&corrected_passing, corrected_relaxed);
            // Better matches, or nearly as good with fewer unknown words (the
            // characters of a mistyped word each match somewhere, which
            // flatters the query as typed).
            let better = corrected_best > original_best + 0.05
                || (corrected_unknown < unknown
                    && !corrected_passing.is_empty()
                    && corrected_best >= original_best - 0.05);
            if better {
                passing = corrected_passing;
                relaxed = corrected_relaxed;
                response.query = analyzed;
                response.query.original = request.query.clone();
                response.correction = Some(correction);
                location = corrected_location;
                more = corrected_more;
            }
        }
        response.location = location;
        response.relaxed = relaxed;
        response.total = passing.len();
        response.total_items = passing.iter().map(|r| r.variants.len().max(1)).sum();
        if more {
            response.total_relation = TotalRelation::Gte;
        }
        if passing.is_empty() {
            response.message = Some(if self.has_unread_latin(&response.query.normalized) {
                // Latin words that are no English name, no pinyin and no
                // word of the catalogue: say we cannot read them.
                UNREADABLE_MESSAGE.into()
            } else {
                "没有找到相关事项，换个说法试试，或按分类浏览。".into()
            });
            return Ok(response);
        }
        response.groups = self.groups(&passing);
        response.facets = self
            .facet_index
            .count(passing.iter().map(|r| (r.ordinal, r.variants.as_slice())));
        let start = (request.page - 1) * request.size;
        let forms = QueryForms::new(&response.query, &[]);
        response.hits = passing
            .into_iter()
            .skip(start)
            .take(request.size)
            .map(|r| self.hit(r, &forms, request.explain))
            .collect();
        Ok(response)
    }

    /// Whether a normalised query has Latin words of two letters or more the
    /// catalogue does not use (nor was the query read as pinyin).
    fn has_unread_latin(&self, normalized: &str) -> bool {
        let known = self.known_latin_words(normalized);
        normalized
            .split(|c: char| !c.is_ascii_lowercase())
            .filter(|w| w.len() >= 2)
            .any(|w| {
                let at = w.as_ptr() as usize - normalized.as_ptr() as usize;
                !known.contains(&(at, at + w.len()))
            })
    }

    /// Byte spans of the Latin words of a normalised query that the catalogue
    /// itself uses (ETC, APP): they are words, not pinyin, and stay as typed
    /// when the rest of the query is corrected.
    fn known_latin_words(&self, normalized: &str) -> Vec<(usize, usize)> {
        let searcher = self.index.searcher();
        let fields = self.index.fields();
        let mut spans = Vec::new();
        let mut start = None;
        for (at, ch) in normalized.char_indices().chain([(normalized.len(), ' ')]) {
            match (ch.is_ascii_alphanumeric(), start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => {
                    start = None;
                    let word = &normalized[s..at];
                    let known = word.len() >= 2
                        && TextField::WORD_FIELDS.iter().any(|&f| {
                            searcher
                                .doc_freq(&Term::from_field_text(fields.text(f), word))
                                .is_ok_and(|d| d > 0)
                        });
                    if known {
                        spans.push((s, at));
                    }
                }
                _ => {}
            }
        }
        spans
    }

    /// The location the caller gave: an explicit region (`location`, else
    /// the `region` filter) or a phone position, resolved to a division.
    fn given_location(&self, request: &SearchRequest) -> Result<Option<ResolvedLocation>> {
        match &request.location {
            Some(input) => self.resolve_location(input).map(Some),
            None => Ok(request
                .filters
                .region
                .as_deref()
                .and_then(|r| self.resolve_region(r))
                .map(|d| ResolvedLocation::at(&self.gazetteer, d, LocationSource::Explicit))),
        }
    }

    /// Resolves what a caller says about where the person is.
    pub fn resolve_location(&self, input: &LocationInput) -> Result<ResolvedLocation> {
        match input {
            LocationInput::Region(value) => self
                .resolve_region(value)
                .map(|d| ResolvedLocation::at(&self.gazetteer, d, LocationSource::Explicit))
                .ok_or_else(|| Error::InvalidRequest(format!("unknown city or region {value:?}"))),
            LocationInput::Position { lat, lng } => self.locate_position(*lat, *lng),
        }
    }

    /// Reverse-looks-up a phone's WGS-84 position to its district (and city).
    /// A position outside Guangdong resolves to the province with `outside`
    /// set, so ranking falls back to province-wide.
    pub fn locate_position(&self, lat: f64, lng: f64) -> Result<ResolvedLocation> {
        validate_position(lat, lng)?;
        let (lat, lng) = wgs84_to_gcj02(lat, lng);
        Ok(match self.locator.locate(&self.gazetteer, lat, lng) {
            Some(found) => {
                let mut location =
                    ResolvedLocation::at(&self.gazetteer, found.division, LocationSource::Position);
                location.distance_m = Some(found.distance_m.round());
                location
            }
            None => ResolvedLocation::outside(&self.gazetteer),
        })
    }

    /// The location named in an analysed query: the most specific place
    /// mentioned (a district within a named city wins over the city; the
    /// first place wins when they disagree).
    fn query_location(&self, analyzed: &AnalyzedQuery) -> Option<ResolvedLocation> {
        let first = analyzed.places.first()?;
        let mut chosen = self.gazetteer.division(&first.code)?;
        for place in &analyzed.places[1..] {
            // A place inside the chosen one is more specific.
            if self.gazetteer.is_within(&place.code, &chosen.code)
                && let Some(d) = self.gazetteer.division(&place.code)
            {
                chosen = d;
            }
        }
        let mut location = ResolvedLocation::at(&self.gazetteer, chosen, LocationSource::Query);
        location.mentions = analyzed.places.iter().map(|p| p.text.clone()).collect();
        Some(location)
    }

    fn retrieve_and_rank(
        &self,
        analyzed: &AnalyzedQuery,
        filter: &ItemFilter<'_>,
        explain: bool,
        kind: MatchKind,
        location: Option<&ResolvedLocation>,
    ) -> Result<Retrieved> {
        let searcher = self.index.searcher();
        let fields = self.index.fields();
        let df = |field: TextField, term: &str| {
            searcher
                .doc_freq(&Term::from_field_text(fields.text(field), term))
                .unwrap_or(0)
        };

        // Concept weights: inverse document frequency of the concept's most
        // common form, so generic words (查询, 办理) weigh little.
        let n_docs = searcher.num_docs().max(1) as f32;
        let mut weights = Vec::with_capacity(analyzed.concepts.len());
        let mut parts = Vec::with_capacity(analyzed.concepts.len());
        let mut unknown = 0;
        let mut text_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in &analyzed.concepts {
            parts.push(self.parts_of(&concept.text));
            let mut terms: Vec<(String, f32)> = Vec::new();
            let segmenter = self.analyzer.segmenter();
            // Whole forms of the concept (as typed, its words, its official
            // terms), each with its search-mode sub-words (itself first).
            let mut wholes: Vec<Vec<String>> = Vec::new();
            for word in std::iter::once(&concept.text).chain(&concept.words) {
                let subs = segmenter.subwords(word);
                for sub in &subs {
                    push_term(&mut terms, sub.clone(), 1.0);
                }
                wholes.push(subs);
            }
            for synonym in &concept.synonyms {
                let subs = segmenter.subwords(synonym);
                for sub in &subs {
                    push_term(&mut terms, sub.clone(), MatchKind::Synonym.weight() * 0.9);
                }
                wholes.push(subs);
            }
            let term_df = |term: &str| -> (u64, u64) {
                if term.chars().count() == 1 && term.chars().all(is_han) {
                    let d = df(TextField::Chars, term);
                    (d, d)
                } else {
                    let in_fields = |fields: &[TextField]| {
                        fields.iter().map(|f| df(*f, term)).max().unwrap_or(0)
                    };
                    (
                        in_fields(&TextField::WORD_FIELDS),
                        in_fields(&TextField::NAME_FIELDS),
                    )
                }
            };
            let dfs: HashMap<&str, (u64, u64)> = terms
                .iter()
                .map(|(t, _)| (t.as_str(), term_df(t)))
                .collect();
            let mut max_df = 0;
            // Document frequency in the fields people name services by.
            let mut title_df = 0;
            for &(word_df, name_df) in dfs.values() {
                max_df = max_df.max(word_df);
                title_df = title_df.max(name_df);
            }
            // The concept weighs by how many services its most common whole
            // form names. A form that is not an index token is estimated by
            // its rarest sub-word (every document holding the form holds
            // it): 医疗机构查询 is as specific as 医疗机构, however common
            // 查询 is.
            let whole_df = wholes
                .iter()
                .filter_map(|subs| {
                    let whole = dfs.get(subs[0].as_str()).map_or(0, |d| d.0);
                    if whole > 0 {
                        return Some(whole);
                    }
                    subs[1..]
                        .iter()
                        .filter(|s| s.chars().count() > 1)
                        .filter_map(|s| dfs.get(s.as_str()).map(|d| d.0))
                        .filter(|&d| d > 0)
                        .min()
                })
                .max();
            let known = max_df > 0;
            let chars: Vec<String> = concept
                .text
                .chars()
                .filter(|c| is_han(*c))
                .map(String::from)
                .collect();
            if max_df == 0 {
                // Unknown to every word field: fall back to its characters.
                max_df = chars
                    .iter()
                    .map(|c| df(TextField::Chars, c))
                    .min()
                    .unwrap_or(0);
                for c in &chars {
                    let term = Term::from_field_text(fields.text(TextField::Chars), c);
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                    text_clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(q, TextField::Chars.boost())),
                    ));
                }
            }
            let weight_df = whole_df.unwrap_or(max_df);
            let mut weight = (1.0 + n_docs / (weight_df as f32 + 1.0)).ln().max(0.2);
            if !known && !concept.aspect {
                // Words the catalogue never uses (typos, incidental words)
                // must not outweigh the words it does use.
                unknown += 1;
                weight = weight.min(UNKNOWN_WEIGHT);
            } else if title_df == 0 {
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
            weights.push(weight);
            for (term, boost) in terms {
                // Official terms (boost < 1) are looked up where services are
                // named; the words as typed everywhere.
                let fields_searched: &[TextField] = if boost < 1.0 {
                    &TextField::NAME_FIELDS
                } else {
                    &TextField::WORD_FIELDS
                };
                for &field in fields_searched {
                    let term = Term::from_field_text(fields.text(field), &term);
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                    text_clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(q, field.boost() * boost)),
                    ));
                }
            }
        }

        unknown += fragment_runs(analyzed);
        unknown += self.hidden_homophones(analyzed);

        let browse = analyzed.concepts.is_empty();
        let (matches, more) = if browse {
            // Browsing scores nothing: every item the filters accept.
            let all = (0..self.catalogue.len() as u32)
                .filter(|&i| filter.accepts(&self.catalogue.items()[i as usize]))
                .map(|i| (i, 0.0))
                .collect();
            (all, false)
        } else {
            let query = BooleanQuery::new(text_clauses);
            let (groups, mut more) = top_matches(&searcher, &query, MAX_GROUPS)?;
            let mut items: Vec<(u32, f32)> = Vec::new();
            for (i, &(group, bm25)) in groups.iter().enumerate() {
                if items.len() >= MAX_CANDIDATES {
                    more |= i < groups.len();
                    break;
                }
                let members = self.groups.get(group as usize).into_iter().flatten();
                items.extend(
                    members
                        .filter(|&&m| filter.accepts(&self.catalogue.items()[m as usize]))
                        .map(|&m| (m, bm25)),
                );
            }
            (items, more)
        };
        let best_bm25 = matches
            .iter()
            .map(|m| m.1)
            .fold(f32::MIN_POSITIVE, f32::max);
        let forms = QueryForms::new(analyzed, &parts);
        let mut shared: FastMap<u32, SharedMatch> = FastMap::default();
        // Region fit of each region code, computed once per code.
        let mut fits: FastMap<&str, RegionFit> = FastMap::default();

        let mut ranked: Vec<Ranked> = matches
            .into_iter()
            .map(|(ordinal, bm25)| {
                let ordinal = ordinal as usize;
                let item = &self.catalogue.items()[ordinal];
                let text = &self.texts[ordinal];
                let mut e = Explain {
                    bm25,
                    bm25_normalized: bm25 / best_bm25,
                    coverage: 1.0,
                    title_coverage: 1.0,
                    focus: 0.0,
                    exact_title: false,
                    relevance: 1.0,
                    match_kind: kind,
                    match_kind_weight: kind.weight(),
                    popularity: item.popularity(),
                    popularity_factor: 0.9 + 0.2 * item.popularity() / 100.0,
                    region_fit: None,
                    region_factor: 1.0,
                    place_in_text: false,
                    score: 0.0,
                    matched: Vec::new(),
                };
                if let Some(location) = location {
                    let fit = *fits
                        .entry(item.region_code.as_str())
                        .or_insert_with(|| location.fit(&self.gazetteer, &item.region_code));
                    e.region_fit = Some(fit);
                    e.region_factor = fit.factor();
                }
                if !browse {
                    let shared = shared
                        .entry(text.group)
                        .or_insert_with(|| SharedMatch::new(&forms, text));
                    score_text(&mut e, &forms, &weights, shared, &text.meta, explain);
                    e.place_in_text = shared.place_in_text();
                    if e.place_in_text {
                        e.relevance += PLACE_IN_TEXT_BONUS;
                    }
                }
                e.score = e.relevance * e.match_kind_weight * e.popularity_factor * e.region_factor;
                Ranked {
                    ordinal,
                    score: e.score,
                    coverage: e.coverage,
                    explain: e,
                    variants: Vec::new(),
                }
            })
            .collect();
        // Ties in catalogue order, so results are deterministic.
        ranked.sort_unstable_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.ordinal.cmp(&b.ordinal))
        });
        Ok(Retrieved {
            ranked,
            unknown,
            more,
        })
    }

    /// Runs of two or three adjacent concepts that together are no word of
    /// the correction vocabulary but sound exactly like one (公 + 基金 →
    /// 公积金, 婚姻 + 等级 → 婚姻登记): a homophone typo that forms other real
    /// words. Each counts as an unknown word, so the corrector reads the
    /// query; its reading is kept only if it matches better.
    fn hidden_homophones(&self, analyzed: &AnalyzedQuery) -> usize {
        let concepts = &analyzed.concepts;
        let mut found = 0;
        for start in 0..concepts.len() {
            for len in 2..=3 {
                let Some(window) = concepts.get(start..start + len) else {
                    break;
                };
                if window.iter().any(|c| c.aspect) {
                    break;
                }
                let text: String = window.iter().map(|c| c.text.as_str()).collect();
                if analyzed.normalized.contains(&text)
                    && self.corrector.sounds_like_another_word(&text)
                {
                    found += 1;
                }
            }
        }
        found
    }

    /// A concept split into its longest dictionary sub-words, left to right
    /// and without overlaps (公积金提取 → 公积金, 提取), each with its length
    /// in characters and whether it ends the concept (is its head); empty
    /// when the concept is one indivisible word.
    fn parts_of(&self, text: &str) -> Vec<(String, usize, bool)> {
        let mut spans = self.analyzer.segmenter().search_spans(text);
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

    /// The first filter value or city of a request that names nothing in
    /// this catalogue or gazetteer (an unknown category, theme, department
    /// or region), described for the person.
    fn unknown_value(&self, request: &SearchRequest) -> Option<String> {
        let f = &request.filters;
        fn named<'a>(
            value: &'a Option<String>,
            set: &std::collections::BTreeSet<String>,
        ) -> Option<&'a str> {
            value.as_deref().filter(|v| !set.contains(*v))
        }
        if let Some(v) = named(&f.category, &self.vocabulary.categories) {
            return Some(format!("没有“{v}”这个分类"));
        }
        if let Some(v) = named(&f.theme, &self.vocabulary.themes) {
            return Some(format!("没有“{v}”这个主题"));
        }
        if let Some(v) = named(&f.department, &self.vocabulary.departments) {
            return Some(format!("没有“{v}”这个实施部门"));
        }
        let region = match &request.location {
            Some(LocationInput::Region(v)) => Some(v),
            _ => None,
        };
        [f.region.as_ref(), region]
            .into_iter()
            .flatten()
            .find(|v| self.resolve_region(v).is_none())
            .map(|v| format!("没有“{v}”这个地区"))
    }

    /// Checks the filter values and prepares them for matching items.
    fn item_filter<'a>(&'a self, filters: &'a Filters) -> Result<ItemFilter<'a>> {
        let known = |set: &std::collections::BTreeSet<String>, value: &str, what: &str| {
            if set.contains(value) {
                Ok(())
            } else {
                Err(Error::InvalidRequest(format!("unknown {what} {value:?}")))
            }
        };
        if let Some(v) = &filters.category {
            known(&self.vocabulary.categories, v, "category")?;
        }
        if let Some(v) = &filters.theme {
            known(&self.vocabulary.themes, v, "theme")?;
        }
        if let Some(v) = &filters.department {
            known(&self.vocabulary.departments, v, "department")?;
        }
        let region = match &filters.region {
            Some(v) => Some(
                self.resolve_region(v)
                    .ok_or_else(|| Error::InvalidRequest(format!("unknown region {v:?}")))?,
            ),
            None => None,
        };
        if let Some(v) = &filters.audience
            && !AUDIENCES.contains(&v.as_str())
        {
            return Err(Error::InvalidRequest(format!(
                "unknown audience {v:?} (expected one of {AUDIENCES:?})"
            )));
        }
        if let Some(v) = &filters.service_type
            && !SERVICE_TYPES.contains(&v.as_str())
        {
            return Err(Error::InvalidRequest(format!(
                "unknown service_type {v:?} (expected one of {SERVICE_TYPES:?})"
            )));
        }
        Ok(ItemFilter {
            filters,
            region,
            gazetteer: &self.gazetteer,
        })
    }

    /// Resolves a region given as a code or a name (广州, 广州市, 天河区, 羊城).
    pub fn resolve_region(&self, value: &str) -> Option<&Division> {
        let value = value.trim();
        if let Some(d) = self.gazetteer.division(value) {
            return Some(d);
        }
        let normalized = self.analyzer.normalizer().normalize(value);
        self.gazetteer.divisions().iter().find(|d| {
            d.name == normalized || d.short_name == normalized || d.aliases.contains(&normalized)
        })
    }

    /// One entry per service when `collapse` is on (see [`crate::collapse`]);
    /// the ranking unchanged otherwise.
    fn collapse(
        &self,
        ranked: Vec<Ranked>,
        collapse: bool,
        location: Option<&ResolvedLocation>,
    ) -> Vec<Ranked> {
        if !collapse {
            return ranked;
        }
        collapse::collapse(
            ranked,
            self.catalogue.items(),
            |ordinal| self.texts[ordinal].group,
            |item| variant_preference(location, &self.gazetteer, &item.region_code),
        )
        .into_iter()
        .map(|(mut r, variants)| {
            r.variants = variants;
            r
        })
        .collect()
    }

    fn groups(&self, ranked: &[Ranked]) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for r in ranked {
            let item = &self.catalogue.items()[r.ordinal];
            match groups.iter_mut().find(|g| g.category == item.category) {
                Some(g) => {
                    g.count += 1;
                    if g.top.len() < 3 {
                        g.top.push(item.id.clone());
                    }
                }
                None => groups.push(Group {
                    category: item.category.clone(),
                    count: 1,
                    top: vec![item.id.clone()],
                }),
            }
        }
        groups
    }

    fn hit(&self, r: Ranked, forms: &QueryForms, explain: bool) -> Hit {
        let item = &self.catalogue.items()[r.ordinal];
        let text = &self.texts[r.ordinal];
        Hit {
            id: item.id.clone(),
            title: item.title.clone(),
            title_highlight: highlight(&item.title, &text.title, forms),
            category: item.category.clone(),
            theme: item.theme.clone(),
            department: item.department.clone(),
            region_code: item.region_code.clone(),
            region_name: self.gazetteer.display_name(&item.region_code),
            service_type: item.service_type.clone(),
            online: item.online.unwrap_or(false),
            score: r.score,
            variant_count: r.variants.len().max(1),
            variants: r
                .variants
                .iter()
                .map(|&v| {
                    let item = &self.catalogue.items()[v as usize];
                    Variant {
                        id: item.id.clone(),
                        region_code: item.region_code.clone(),
                        region_name: self.gazetteer.display_name(&item.region_code),
                    }
                })
                .collect(),
            explain: explain.then_some(r.explain),
        }
    }
}

/// Weight cap of a concept no field of the catalogue contains.
const UNKNOWN_WEIGHT: f32 = 1.0;
/// Weight cap of a concept found only in descriptions or region names.
const PERIPHERAL_WEIGHT: f32 = 0.8;
/// Weight cap of an aspect word (材料, 流程, 多久).
const ASPECT_WEIGHT: f32 = 0.3;
/// Weight cap of a concept that is a single character without synonyms.
const SINGLE_CHAR_WEIGHT: f32 = 0.6;

/// Relevance bonus for an item whose own text names the place in the query
/// (积分制入户广州 for 广州积分入户).
const PLACE_IN_TEXT_BONUS: f32 = 0.05;

const BLOCKED_MESSAGE: &str = "该搜索词包含不允许搜索的内容。";

/// The answer to Latin words the engine cannot read.
const UNREADABLE_MESSAGE: &str = "没有找到相关事项：看不懂输入的字母。请用中文或拼音输入，\
     或输入服务的英文名称（如 passport、social security card、housing fund）。";

fn validate(request: &SearchRequest) -> Result<()> {
    if request.page == 0 {
        return Err(Error::InvalidRequest("page starts at 1".into()));
    }
    if request.size == 0 || request.size > MAX_PAGE_SIZE {
        return Err(Error::InvalidRequest(format!(
            "size must be 1–{MAX_PAGE_SIZE}"
        )));
    }
    if request.page.saturating_mul(request.size) > MAX_RESULT_WINDOW {
        return Err(Error::InvalidRequest(format!(
            "page × size must not exceed {MAX_RESULT_WINDOW}"
        )));
    }
    if request.query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::InvalidRequest(format!(
            "query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(())
}

fn push_term(terms: &mut Vec<(String, f32)>, term: String, boost: f32) {
    match terms.iter_mut().find(|(t, _)| *t == term) {
        Some(existing) => existing.1 = existing.1.max(boost),
        None => terms.push((term, boost)),
    }
}

/// Runs of two or more adjacent single-character concepts without synonyms
/// (抵 压 for the mistyped 抵押): jieba splits a word it does not know into
/// characters, each of which the catalogue may well contain, so they count
/// as unknown words when deciding whether to try a correction.
fn fragment_runs(analyzed: &AnalyzedQuery) -> usize {
    let is_fragment = |c: &crate::analyze::Concept| {
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

/// Keeps hits that cover enough of the query, and partial matches that still
/// outrank every such hit (a hit finding the query's one specific word can
/// beat hits finding only its generic words); when no hit covers enough,
/// the best partial matches.
fn threshold(ranked: Vec<Ranked>) -> (Vec<Ranked>, bool) {
    if let Some(first_full) = ranked.iter().position(|r| r.coverage >= MIN_COVERAGE) {
        (
            ranked
                .into_iter()
                .enumerate()
                .filter(|(i, r)| {
                    r.coverage >= MIN_COVERAGE || (*i < first_full && r.coverage >= NEAR_COVERAGE)
                })
                .map(|(_, r)| r)
                .collect(),
            false,
        )
    } else {
        let relaxed: Vec<Ranked> = ranked
            .into_iter()
            .filter(|r| r.coverage >= RELAXED_COVERAGE)
            .collect();
        let is_relaxed = !relaxed.is_empty();
        (relaxed, is_relaxed)
    }
}
